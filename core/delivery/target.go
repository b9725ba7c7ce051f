package delivery

import (
	"context"

	"github.com/bellhop/bellhop/core"
)

// findTarget checks that t exists in scope, through the Sender of its
// kind, so that the log, replay, backfill and stats of every kind take one
// path. Returns ENOTFOUND for an unknown target, or a kind no Sender serves.
func (e *Engine) findTarget(ctx context.Context, scope core.Scope, t core.Target) error {
	s, ok := e.senders[t.Kind]
	if !ok {
		return core.NotFound(t.Kind, t.ID)
	}
	_, err := s.Lookup(ctx, scope, t.ID)
	return err
}
