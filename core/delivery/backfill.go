package delivery

import (
	"context"
	"time"

	"github.com/bellhop/bellhop/core"
)

// backfillPoll is how often the runner looks whether the previous delivery
// had its first attempt, and backfillWait how long it waits at most.
const (
	backfillPoll = 10 * time.Millisecond
	backfillWait = 30 * time.Second
)

// StartBackfill counts the events of the window and starts replaying them
// to the endpoint in original order, in the background: each delivery is
// queued once the previous one had its first attempt, and no faster than
// the endpoint's rate limit. Returns EINVALID or ENOTFOUND.
//
// The runner lives in the process that started it; if that process dies,
// the backfill stays "running" with its progress, and replaying the window
// again is safe (receivers dedupe by event id).
func (e *Engine) StartBackfill(ctx context.Context, scope core.Scope, endpointID string, in core.BackfillInput) (*core.Backfill, error) {
	ep, err := e.store.FindEndpoint(ctx, scope, endpointID)
	if err != nil {
		return nil, err
	}
	return e.startBackfill(ctx, scope, core.Target{Kind: core.TargetEndpoint, ID: endpointID}, ep.RateLimit, in)
}

// startBackfill starts a backfill to any target, throttled to rate
// deliveries a second (0: unthrottled). Returns EINVALID.
func (e *Engine) startBackfill(ctx context.Context, scope core.Scope, target core.Target, rate int, in core.BackfillInput) (*core.Backfill, error) {
	switch {
	case in.Since.IsZero():
		return nil, &core.Error{Code: core.EINVALID, Reason: "parameter_missing", Param: "since", Message: "Missing required param: since."}
	case in.Until.IsZero():
		in.Until = time.Now()
	}
	if !in.Until.After(in.Since) {
		return nil, core.ParamError("until", "until must be after since.")
	}
	b := &core.Backfill{ID: randomID("bf_"), Object: "backfill", Since: in.Since.UTC(),
		Until: in.Until.UTC(), EventTypes: in.EventTypes, Status: "running", CreatedAt: time.Now().UTC(), Livemode: scope.Livemode}
	if target.Kind == core.TargetConnection {
		b.ConnectionID = target.ID
	} else {
		b.EndpointID = target.ID
	}
	if b.EventTypes == nil {
		b.EventTypes = []string{}
	}
	err := e.eachBackfillEvent(ctx, scope, b, func(*core.Event, []byte) error { b.Count++; return nil })
	if err != nil {
		return nil, err
	}
	if err := e.store.SaveBackfill(ctx, scope, b, e.opts.Retention); err != nil {
		return nil, err
	}
	copyB := *b
	go e.runBackfill(context.WithoutCancel(ctx), scope, &copyB, rate)
	return b, nil
}

func (e *Engine) runBackfill(ctx context.Context, scope core.Scope, b *core.Backfill, rate int) {
	var gap time.Duration
	if rate > 0 {
		gap = time.Second / time.Duration(rate)
	}
	target := core.Target{Kind: core.TargetEndpoint, ID: b.EndpointID}
	if b.ConnectionID != "" {
		target = core.Target{Kind: core.TargetConnection, ID: b.ConnectionID}
	}
	prev := ""
	err := e.eachBackfillEvent(ctx, scope, b, func(ev *core.Event, raw []byte) error {
		e.waitFirstAttempt(ctx, scope, prev)
		d := newDelivery(ev, target, b.ID)
		d.BackfillID = b.ID
		if _, err := e.store.CreateDeliveries(ctx, scope, []*core.Delivery{d}, raw, "", "", e.opts.Retention); err != nil {
			return err
		}
		prev = d.ID
		b.Queued++
		if b.Queued%50 == 0 {
			e.saveBackfill(ctx, scope, b)
		}
		if gap > 0 {
			time.Sleep(gap)
		}
		return nil
	})
	now := time.Now().UTC()
	b.Status, b.CompletedAt = "completed", &now
	if err != nil {
		b.Status, b.Error = "failed", core.ErrorMessage(err)
	}
	e.saveBackfill(ctx, scope, b)
}

// waitFirstAttempt waits until delivery id had an attempt, ended, or was
// parked, so that a backfill keeps the events' order.
func (e *Engine) waitFirstAttempt(ctx context.Context, scope core.Scope, id string) {
	if id == "" {
		return
	}
	deadline := time.Now().Add(backfillWait)
	for time.Now().Before(deadline) {
		d, _, err := e.store.LoadDelivery(ctx, scope, id)
		if err != nil || d.AttemptCount > 0 || d.Status != core.StatusPending {
			return
		}
		time.Sleep(backfillPoll)
	}
}

func (e *Engine) saveBackfill(ctx context.Context, scope core.Scope, b *core.Backfill) {
	if err := e.store.SaveBackfill(ctx, scope, b, e.opts.Retention); err != nil {
		e.opts.Logger.Warn("save backfill progress", "backfill", b.ID, "err", err)
	}
}
