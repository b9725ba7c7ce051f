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

// StartBackfill counts the events of the window and queues a backfill of
// them to the target, in original order: each delivery is queued once
// the previous one had its first attempt, and no faster than the
// target's rate limit (see backfillGap). Returns EINVALID or ENOTFOUND.
//
// Any hub running an Engine runs it, holding a lease in Redis and saving
// its cursor as it goes; when that hub dies, another one resumes it after
// the cursor once the lease expires (Options.BackfillLease).
func (e *Engine) StartBackfill(ctx context.Context, scope core.Scope, target core.Target, in core.BackfillInput) (*core.Backfill, error) {
	if err := e.findTarget(ctx, scope, target); err != nil {
		return nil, err
	}
	switch {
	case in.Since.IsZero():
		return nil, &core.Error{Code: core.EINVALID, Reason: "parameter_missing", Param: "since", Message: "Missing required param: since."}
	case in.Until.IsZero():
		in.Until = time.Now()
	}
	if !in.Until.After(in.Since) {
		return nil, core.ParamError("until", "until must be after since.")
	}
	b := &core.Backfill{ID: randomID("bf_"), Object: "backfill", Target: target, Since: in.Since.UTC(),
		Until: in.Until.UTC(), EventTypes: in.EventTypes, Status: "running", CreatedAt: time.Now().UTC(), Livemode: scope.Livemode}
	if b.EventTypes == nil {
		b.EventTypes = []string{}
	}
	err := e.eachBackfillEvent(ctx, scope, b, "", func(*core.Event, []byte, string) error { b.Count++; return nil })
	if err != nil {
		return nil, err
	}
	if err := e.store.QueueBackfill(ctx, scope, b, e.opts.Retention); err != nil {
		return nil, err
	}
	if err := e.AddScope(ctx, scope); err != nil {
		e.opts.Logger.Warn("serve new scope", "err", err)
	}
	select { // a running engine in this process claims it at once
	case e.bfWake <- struct{}{}:
	default:
	}
	return b, nil
}

// backfillGap is the pause between two deliveries of a backfill to t: the
// target's rate limit, as its sender reports it (the same limit the
// workers apply), else its BackfillRate.
func (e *Engine) backfillGap(ctx context.Context, scope core.Scope, t core.Target) time.Duration {
	rate := 0
	if s, ok := e.senders[t.Kind]; ok {
		if info, err := s.Lookup(ctx, scope, t.ID); err == nil {
			rate = info.RateLimit
			if rate <= 0 {
				rate = info.BackfillRate
			}
		}
	}
	if rate <= 0 {
		return 0
	}
	return time.Second / time.Duration(rate)
}
