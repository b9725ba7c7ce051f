package delivery

import (
	"context"
	"time"

	"github.com/bellhop/bellhop/core"
)

// findTarget checks that t exists in scope, through the Sender of its
// kind, so that the log, replay, backfill and stats of every kind take one
// path. Returns ENOTFOUND for an unknown target, or a kind no Sender serves.
func (e *Engine) findTarget(ctx context.Context, scope core.Scope, t core.Target) error {
	_, err := e.lookupTarget(ctx, scope, t)
	return err
}

// lookupTarget is findTarget that returns what it found.
func (e *Engine) lookupTarget(ctx context.Context, scope core.Scope, t core.Target) (*TargetInfo, error) {
	s, ok := e.senders[t.Kind]
	if !ok {
		return nil, core.NotFound(t.Kind, t.ID)
	}
	return s.Lookup(ctx, scope, t.ID)
}

// releaseParked queues again the deliveries parked for t (it was enabled,
// or deleted, so that they end as failed). Those that expired while parked,
// kept no longer than any delivery, are gone: a warning says how many, so
// that an operator knows to backfill what t missed.
func (e *Engine) releaseParked(ctx context.Context, scope core.Scope, t core.Target) error {
	_, expired, err := e.queue.ReleaseParked(ctx, scope, t.ID)
	if err == nil && expired > 0 {
		e.opts.Logger.Warn("parked deliveries had expired before their release", "account", scope.AccountID,
			"livemode", scope.Livemode, "target_kind", t.Kind, "target", t.ID, "expired", expired, "retention", e.opts.Retention.String())
	}
	return err
}

// FindDelivery returns a delivery with its attempts. Returns ENOTFOUND.
func (e *Engine) FindDelivery(ctx context.Context, scope core.Scope, id string) (*core.Delivery, error) {
	return e.attempts.FindDelivery(ctx, scope, id)
}

// ListDeliveries lists a target's deliveries newest first. Returns
// ENOTFOUND if the target is not in scope.
func (e *Engine) ListDeliveries(ctx context.Context, scope core.Scope, target core.Target, f core.DeliveryFilter) (core.List[*core.Delivery], error) {
	if err := e.findTarget(ctx, scope, target); err != nil {
		return core.List[*core.Delivery]{}, err
	}
	return e.attempts.ListDeliveries(ctx, scope, target.ID, f)
}

// TargetStats returns a target's figures over the last hour and day.
// Returns ENOTFOUND.
func (e *Engine) TargetStats(ctx context.Context, scope core.Scope, target core.Target) ([]*core.EndpointStats, error) {
	if err := e.findTarget(ctx, scope, target); err != nil {
		return nil, err
	}
	hour, err := e.attempts.TargetStats(ctx, scope, target.ID, time.Hour, "1h")
	if err != nil {
		return nil, err
	}
	day, err := e.attempts.TargetStats(ctx, scope, target.ID, 24*time.Hour, "24h")
	if err != nil {
		return nil, err
	}
	return []*core.EndpointStats{hour, day}, nil
}

// RecentAttempts returns the scope's attempts over every target in each
// minute of the last hour, oldest first.
func (e *Engine) RecentAttempts(ctx context.Context, scope core.Scope) ([]core.AttemptCount, error) {
	return e.attempts.RecentAttempts(ctx, scope, time.Now())
}

// NewestFailedDeliveries returns up to limit deliveries of the scope whose
// latest attempt failed, newest failure first, over every target.
func (e *Engine) NewestFailedDeliveries(ctx context.Context, scope core.Scope, limit int) ([]*core.Delivery, error) {
	return e.attempts.NewestFailedDeliveries(ctx, scope, min(max(limit, 1), core.MaxPageLimit))
}

// ListEventDeliveries lists an event's deliveries to every target, newest
// first. An unknown event has none: its deliveries outlive it in the
// retention, so the event's absence says nothing about them.
func (e *Engine) ListEventDeliveries(ctx context.Context, scope core.Scope, eventID string, page core.Page) (core.List[*core.Delivery], error) {
	return e.attempts.ListEventDeliveries(ctx, scope, eventID, page)
}

// TargetsLastHour returns each target's attempts over the last hour, read
// at once for a list page. Returns EINVALID for more than MaxPageLimit
// targets.
func (e *Engine) TargetsLastHour(ctx context.Context, scope core.Scope, targets []core.Target) (map[core.Target]core.AttemptCount, error) {
	if len(targets) > core.MaxPageLimit {
		return nil, core.ParamError("targets", "At most %d targets at once.", core.MaxPageLimit)
	}
	ids := make([]string, len(targets))
	for i, t := range targets {
		ids[i] = t.ID
	}
	byID, err := e.attempts.TargetsLastHour(ctx, scope, ids, time.Now())
	if err != nil {
		return nil, err
	}
	out := make(map[core.Target]core.AttemptCount, len(targets))
	for _, t := range targets {
		out[t] = byID[t.ID]
	}
	return out, nil
}
