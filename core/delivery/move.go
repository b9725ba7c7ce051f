package delivery

import (
	"context"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
)

// wakeMover tells the retry mover that a retry was scheduled here, so that
// it recomputes its sleep.
func (e *Engine) wakeMover() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// moveLoop queues due retries. It sleeps until the nearest retry is due, or
// MaxIdle (retries scheduled by other hubs), or a wake-up from this hub.
func (e *Engine) moveLoop(ctx context.Context) {
	for ctx.Err() == nil {
		sleep := e.opts.MaxIdle
		for _, s := range e.currentScopes() {
			for {
				n, next, err := e.queue.MoveDueRetries(ctx, s, time.Now(), 500)
				if err != nil {
					if ctx.Err() == nil {
						e.opts.Logger.Warn("move due retries", "err", err)
					}
					break
				}
				if n == 500 {
					continue // more are due
				}
				if !next.IsZero() {
					sleep = min(sleep, max(time.Until(next), time.Millisecond))
				}
				break
			}
		}
		t := time.NewTimer(sleep)
		select {
		case <-ctx.Done():
		case <-e.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// claimLoop takes over entries that a crashed or stuck hub read and never
// acked, on both the events and the deliveries streams.
func (e *Engine) claimLoop(ctx context.Context) {
	t := time.NewTicker(e.opts.ClaimEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			e.claimOnce(ctx)
		}
	}
}

func (e *Engine) claimOnce(ctx context.Context) {
	for _, s := range e.currentScopes() {
		evs, err := e.queue.ClaimIdle(ctx, e.queue.EventsStreamKey(s), redisstore.DispatchGroup, e.opts.Consumer, e.opts.ClaimIdle, 100)
		if err != nil {
			e.opts.Logger.Warn("claim events", "err", err)
			continue
		}
		for _, en := range evs {
			if err := e.dispatch(ctx, s, en); err != nil {
				e.opts.Logger.Warn("dispatch claimed event", "entry", en.ID, "err", err)
			}
		}
		ds, err := e.queue.ClaimIdle(ctx, e.queue.DeliveriesStreamKey(s), redisstore.WorkerGroup, e.opts.Consumer, e.opts.ClaimIdle, 100)
		if err != nil {
			e.opts.Logger.Warn("claim deliveries", "err", err)
			continue
		}
		e.runEntries(ctx, map[string]core.Scope{e.queue.DeliveriesStreamKey(s): s}, ds)
	}
}
