package redisstore

import (
	"context"

	"github.com/redis/go-redis/v9"

	"github.com/bellhop/bellhop/core"
)

// Keys (each under the scope's prefix, see scopeKey):
//
//	off:<kind>:<cause>  SET  ids of the scope's disabled targets of kind, by what disabled them

// Why a target is disabled, as metrics tell them apart: the circuit
// breaker (50 consecutive failures or mostly 5xx) or a person's request
// (API, console, or created disabled).
const (
	DisabledByBreaker = "breaker"
	DisabledByRequest = "request"
)

// DisabledCauses are the causes MarkTargetDisabled keeps apart.
var DisabledCauses = []string{DisabledByBreaker, DisabledByRequest}

// disabledKinds are the target kinds QueueStats counts disabled targets of.
var disabledKinds = []string{core.TargetEndpoint, core.TargetConnection}

func (s *Store) disabledKey(scope core.Scope, kind, cause string) string {
	return s.scopeKey(scope, "off", kind, cause)
}

// MarkTargetDisabled records that the target is disabled and why (one of
// DisabledCauses), or, with cause "", that it is enabled or gone: the
// index QueueStats counts disabled targets from, with one SCARD each,
// instead of reading every target. Targets disabled by a release before
// it are not counted until they change.
func (s *Store) MarkTargetDisabled(ctx context.Context, scope core.Scope, kind, id, cause string) error {
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for _, c := range DisabledCauses {
			if c != cause {
				p.SRem(ctx, s.disabledKey(scope, kind, c), id)
			}
		}
		if cause != "" {
			p.SAdd(ctx, s.disabledKey(scope, kind, cause), id)
		}
		return nil
	})
	return storeErr("mark target disabled", err)
}
