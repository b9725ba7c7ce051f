package delivery

import (
	"context"
	"sync"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
)

// backfillLeases keeps backfills and the leases of the hubs running them:
// a backfill is queued, claimed by one hub at a time, its cursor saved as
// it goes, and finished. It is its own job because it is the only state
// the backfill runner shares between hubs; the deliveries it queues go
// through the queue like any other.
type backfillLeases interface {
	QueueBackfill(ctx context.Context, scope core.Scope, b *core.Backfill, retention time.Duration) error
	// ClaimBackfill takes a backfill whose lease expired; ok is false when none is.
	ClaimBackfill(ctx context.Context, scope core.Scope, owner string, now, leaseUntil time.Time) (id string, p redisstore.BackfillProgress, ok bool, err error)
	// SaveBackfillProgress renews the lease and saves p; false: the lease was lost.
	SaveBackfillProgress(ctx context.Context, scope core.Scope, id, owner string, p redisstore.BackfillProgress, leaseUntil time.Time) (bool, error)
	FinishBackfill(ctx context.Context, scope core.Scope, b *core.Backfill, owner string, retention time.Duration) (bool, error)
	SaveBackfill(ctx context.Context, scope core.Scope, b *core.Backfill, retention time.Duration) error
	FindBackfill(ctx context.Context, scope core.Scope, id string) (*core.Backfill, error)
}

// backfillLoop claims backfills whose lease expired (new ones, and those
// of a hub that died) and runs them, until ctx ends; it returns once its
// runners stopped. A runner stopped by ctx leaves its lease to expire.
func (e *Engine) backfillLoop(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	t := time.NewTicker(e.opts.BackfillLease / 3)
	defer t.Stop()
	for {
		for _, s := range e.currentScopes() {
			e.claimBackfills(ctx, s, &wg)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-e.bfWake:
		}
	}
}

func (e *Engine) claimBackfills(ctx context.Context, scope core.Scope, wg *sync.WaitGroup) {
	for ctx.Err() == nil {
		now := time.Now()
		id, p, ok, err := e.backfills.ClaimBackfill(ctx, scope, e.opts.Consumer, now, now.Add(e.opts.BackfillLease))
		if err != nil {
			e.opts.Logger.Warn("claim backfill", "err", err)
			return
		} else if !ok {
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.runBackfill(ctx, scope, id, p)
		}()
	}
}

// backfillRun is one runner's hold on a backfill.
type backfillRun struct {
	e      *Engine
	scope  core.Scope
	b      *core.Backfill
	p      redisstore.BackfillProgress
	cancel context.CancelFunc
}

// runBackfill queues the backfill's deliveries after p.Cursor, in order,
// renewing its lease; it stops when ctx ends or the lease is lost.
func (e *Engine) runBackfill(ctx context.Context, scope core.Scope, id string, p redisstore.BackfillProgress) {
	b, err := e.backfills.FindBackfill(ctx, scope, id)
	if err != nil {
		e.opts.Logger.Warn("load backfill", "backfill", id, "err", err)
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := &backfillRun{e: e, scope: scope, b: b, p: p, cancel: cancel}
	b.Queued = max(b.Queued, p.Queued)
	go r.keepLease(ctx)
	target := b.Target
	info, err := e.lookupTarget(ctx, scope, target)
	if err != nil { // not loadable now: no pause, the server's schedule
		info = &TargetInfo{}
	}
	gap, window := backfillGap(info), e.retryWindow(info.Schedule)
	err = e.eachBackfillEvent(ctx, scope, b, p.Cursor, func(ev *core.Event, raw []byte, entry string) error {
		e.waitFirstAttempt(ctx, scope, r.p.Prev)
		d := newDelivery(ev, target, b.ID)
		d.BackfillID, d.RetryWindow = b.ID, window
		if _, err := e.queue.CreateDeliveries(ctx, scope, []*core.Delivery{d}, raw, "", "", e.opts.Retention); err != nil {
			return err
		}
		r.p = redisstore.BackfillProgress{Cursor: entry, Prev: d.ID, Queued: r.p.Queued + 1}
		b.Queued = r.p.Queued
		if err := r.save(ctx); err != nil {
			return err
		}
		if b.Queued%50 == 0 {
			e.saveBackfill(ctx, scope, b)
		}
		if gap > 0 {
			pause(ctx, gap)
		}
		return ctx.Err()
	})
	if ctx.Err() != nil {
		return // stopped or taken over: the lease holder carries on
	}
	r.finish(err)
}

// save records progress; it cancels the run when the lease was lost.
func (r *backfillRun) save(ctx context.Context) error {
	ok, err := r.e.backfills.SaveBackfillProgress(ctx, r.scope, r.b.ID, r.e.opts.Consumer, r.p, time.Now().Add(r.e.opts.BackfillLease))
	if err == nil && !ok {
		r.cancel()
	}
	return err
}

// keepLease renews the lease while the runner waits (a slow first attempt,
// a low rate limit), a third of the lease at a time.
func (r *backfillRun) keepLease(ctx context.Context) {
	t := time.NewTicker(r.e.opts.BackfillLease / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			ok, err := r.e.backfills.SaveBackfillProgress(ctx, r.scope, r.b.ID, r.e.opts.Consumer, redisstore.BackfillProgress{}, time.Now().Add(r.e.opts.BackfillLease))
			if err == nil && !ok {
				r.cancel()
				return
			}
		}
	}
}

func (r *backfillRun) finish(err error) {
	now := time.Now().UTC()
	r.b.Status, r.b.CompletedAt = "completed", &now
	if err != nil {
		r.b.Status, r.b.Error = "failed", core.ErrorMessage(err)
	}
	ctx := context.Background()
	finished, ferr := r.e.backfills.FinishBackfill(ctx, r.scope, r.b, r.e.opts.Consumer, r.e.opts.Retention)
	if ferr != nil {
		r.e.opts.Logger.Warn("finish backfill", "backfill", r.b.ID, "err", ferr)
	}
	if err != nil && finished { // told by the hub that held it to the end
		r.e.alert(ctx, r.scope, core.Alert{Kind: core.AlertBackfillFailed, Target: r.b.Target, BackfillID: r.b.ID, Reason: r.b.Error, CreatedAt: now})
	}
}

// waitFirstAttempt waits until delivery id had an attempt, ended, or was
// parked, so that a backfill keeps the events' order.
func (e *Engine) waitFirstAttempt(ctx context.Context, scope core.Scope, id string) {
	if id == "" {
		return
	}
	deadline := time.Now().Add(backfillWait)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		d, _, err := e.attempts.LoadDelivery(ctx, scope, id)
		if err != nil || d.AttemptCount > 0 || d.Status != core.StatusPending {
			return
		}
		pause(ctx, backfillPoll)
	}
}

func (e *Engine) saveBackfill(ctx context.Context, scope core.Scope, b *core.Backfill) {
	if err := e.backfills.SaveBackfill(ctx, scope, b, e.opts.Retention); err != nil {
		e.opts.Logger.Warn("save backfill progress", "backfill", b.ID, "err", err)
	}
}
