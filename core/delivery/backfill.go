package delivery

import (
	"context"
	"slices"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
)

// eventLog reads the events an account published and the hub retains, for
// a replay (one event) and a backfill (a window of the events stream). It
// is its own job because it reads what the API wrote, not the queue.
type eventLog interface {
	FindEvent(ctx context.Context, scope core.Scope, id string) (*core.Event, error)
	// RangeEventsAfter calls fn with the entries of stream since since,
	// after the entry after, in order, while fn returns true.
	RangeEventsAfter(ctx context.Context, stream string, since time.Time, after string, fn func(redisstore.StreamEntry) (bool, error)) error
}

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
	if err := e.backfills.QueueBackfill(ctx, scope, b, e.opts.Retention); err != nil {
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

// backfillGap is the pause between two deliveries of a backfill to the
// target info describes (nil: one its sender could not load): its rate
// limit, the same the workers apply, else its BackfillRate.
func backfillGap(info *TargetInfo) time.Duration {
	rate := 0
	if info != nil {
		rate = info.RateLimit
		if rate <= 0 {
			rate = info.BackfillRate
		}
	}
	if rate <= 0 {
		return 0
	}
	return time.Second / time.Duration(rate)
}

// FindBackfill returns a backfill's progress. Returns ENOTFOUND.
func (e *Engine) FindBackfill(ctx context.Context, scope core.Scope, id string) (*core.Backfill, error) {
	return e.backfills.FindBackfill(ctx, scope, id)
}

// matchesBackfill reports whether a stream entry's event belongs to b.
func matchesBackfill(ev *core.Event, b *core.Backfill) bool {
	if ev.CreatedAt.Before(b.Since) || ev.CreatedAt.After(b.Until) {
		return false
	}
	return len(b.EventTypes) == 0 || slices.Contains(b.EventTypes, ev.Type)
}

// eachBackfillEvent calls fn with each event of b's window after the
// events-stream entry after ("" for the start), in original order, with
// its entry id.
func (e *Engine) eachBackfillEvent(ctx context.Context, scope core.Scope, b *core.Backfill, after string, fn func(*core.Event, []byte, string) error) error {
	return e.events.RangeEventsAfter(ctx, e.queue.EventsStreamKey(scope), b.Since, after, func(en redisstore.StreamEntry) (bool, error) {
		ev, payload, err := redisstore.EventOfEntry(en.Values)
		if err != nil || !matchesBackfill(ev, b) {
			return true, nil
		}
		return true, fn(ev, payload, en.ID)
	})
}
