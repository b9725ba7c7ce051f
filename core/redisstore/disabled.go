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
	return s.oncePerStore(ctx, s.disabledIndexedKey(), "index disabled targets", func(scopes []core.Scope) error {
		for _, scope := range scopes {
			mark := func(kind, id string, disabled bool, reason string) error {
				if !disabled {
					return nil
				}
				return s.MarkTargetDisabled(ctx, scope, kind, id, cause(reason))
			}
			err := eachPage(ctx, scope, s.ListEndpoints, func(ep *core.Endpoint) string { return ep.ID }, func(ep *core.Endpoint) error {
				return mark(core.TargetEndpoint, ep.ID, ep.Disabled, ep.DisabledReason)
			})
			if err != nil {
				return err
			}
			err = eachPage(ctx, scope, s.ListConnections, func(c *core.Connection) string { return c.ID }, func(c *core.Connection) error {
				return mark(core.TargetConnection, c.ID, c.Disabled, c.DisabledReason)
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// eachPage calls do for every item list returns, a page at a time; id
// names an item, for the next page's cursor.
func eachPage[T any](ctx context.Context, scope core.Scope,
	list func(context.Context, core.Scope, core.Page) (core.List[T], error), id func(T) string, do func(T) error) error {
	for page := (core.Page{Limit: core.MaxPageLimit}); ; {
		l, err := list(ctx, scope, page)
		if err != nil {
			return err
		}
		for _, item := range l.Data {
			if err := do(item); err != nil {
				return err
			}
		}
		if !l.HasMore || len(l.Data) == 0 {
			return nil
		}
		page.StartingAfter = id(l.Data[len(l.Data)-1])
	}
}
