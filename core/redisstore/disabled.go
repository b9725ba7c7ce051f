package redisstore

import (
	"context"

	"github.com/redis/go-redis/v9"

	"github.com/bellhop/bellhop/core"
)

// Keys (under the scope's prefix, see scopeKey, but the last):
//
//	off:<kind>:<cause>         SET     ids of the scope's disabled targets of kind, by what disabled them
//	<prefix>meta:disabled-indexed  string  set once IndexDisabledTargets has indexed the targets older releases disabled

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
// instead of reading every target. IndexDisabledTargets adds the targets a
// release before it disabled.
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

// disabledIndexedKey marks a store whose disabled targets are all in the
// index: those a release before it disabled were added once, at start-up.
func (s *Store) disabledIndexedKey() string { return s.globalKey("meta", "disabled-indexed") }

// IndexDisabledTargets adds to the index the targets disabled before it
// existed, once per store: every scope's endpoints and connections are read
// a page at a time and each disabled one is marked with cause(reason), the
// cause its stored reason tells. It is resumable (marking twice changes
// nothing) and a no-op once done, so every hub may call it at start-up.
func (s *Store) IndexDisabledTargets(ctx context.Context, cause func(reason string) string) error {
	if n, err := s.rdb.Exists(ctx, s.disabledIndexedKey()).Result(); err != nil {
		return storeErr("index disabled targets", err)
	} else if n == 1 {
		return nil
	}
	scopes, err := s.ListScopes(ctx)
	if err != nil {
		return err
	}
	for _, scope := range scopes {
		for page := (core.Page{Limit: core.MaxPageLimit}); ; {
			eps, err := s.ListEndpoints(ctx, scope, page)
			if err != nil {
				return err
			}
			for _, ep := range eps.Data {
				if ep.Disabled {
					if err := s.MarkTargetDisabled(ctx, scope, core.TargetEndpoint, ep.ID, cause(ep.DisabledReason)); err != nil {
						return err
					}
				}
			}
			if !eps.HasMore || len(eps.Data) == 0 {
				break
			}
			page.StartingAfter = eps.Data[len(eps.Data)-1].ID
		}
		for page := (core.Page{Limit: core.MaxPageLimit}); ; {
			conns, err := s.ListConnections(ctx, scope, page)
			if err != nil {
				return err
			}
			for _, c := range conns.Data {
				if c.Disabled {
					if err := s.MarkTargetDisabled(ctx, scope, core.TargetConnection, c.ID, cause(c.DisabledReason)); err != nil {
						return err
					}
				}
			}
			if !conns.HasMore || len(conns.Data) == 0 {
				break
			}
			page.StartingAfter = conns.Data[len(conns.Data)-1].ID
		}
	}
	return storeErr("index disabled targets", s.rdb.Set(ctx, s.disabledIndexedKey(), "1", 0).Err())
}
