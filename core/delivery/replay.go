package delivery

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
)

// FindDelivery returns a delivery with its attempts. Returns ENOTFOUND.
func (e *Engine) FindDelivery(ctx context.Context, scope core.Scope, id string) (*core.Delivery, error) {
	return e.store.FindDelivery(ctx, scope, id)
}

// ListDeliveries lists a target's deliveries newest first. Returns
// ENOTFOUND if the target is not in scope.
func (e *Engine) ListDeliveries(ctx context.Context, scope core.Scope, target core.Target, f core.DeliveryFilter) (core.List[*core.Delivery], error) {
	if err := e.findTarget(ctx, scope, target); err != nil {
		return core.List[*core.Delivery]{}, err
	}
	return e.store.ListDeliveries(ctx, scope, target.ID, f)
}

// ReplayEvent queues a new delivery of a retained event to the target,
// with the same event id. Returns ENOTFOUND for an unknown target or event.
func (e *Engine) ReplayEvent(ctx context.Context, scope core.Scope, target core.Target, eventID string) (*core.Replay, error) {
	if err := e.findTarget(ctx, scope, target); err != nil {
		return nil, err
	}
	ev, err := e.store.FindEvent(ctx, scope, eventID)
	if err != nil {
		return nil, err
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	d := newDelivery(ev, target, randomID("rp_"))
	if _, err := e.store.CreateDeliveries(ctx, scope, []*core.Delivery{d}, payload, "", "", e.opts.Retention); err != nil {
		return nil, err
	}
	if err := e.AddScope(ctx, scope); err != nil {
		return nil, err
	}
	return &core.Replay{Replayed: true, EventID: ev.ID, DeliveryID: d.ID, Status: "queued"}, nil
}

// FindBackfill returns a backfill's progress. Returns ENOTFOUND.
func (e *Engine) FindBackfill(ctx context.Context, scope core.Scope, id string) (*core.Backfill, error) {
	return e.store.FindBackfill(ctx, scope, id)
}

// TargetStats returns a target's figures over the last hour and day.
// Returns ENOTFOUND.
func (e *Engine) TargetStats(ctx context.Context, scope core.Scope, target core.Target) ([]*core.EndpointStats, error) {
	if err := e.findTarget(ctx, scope, target); err != nil {
		return nil, err
	}
	hour, err := e.store.TargetStats(ctx, scope, target.ID, time.Hour, "1h")
	if err != nil {
		return nil, err
	}
	day, err := e.store.TargetStats(ctx, scope, target.ID, 24*time.Hour, "24h")
	if err != nil {
		return nil, err
	}
	return []*core.EndpointStats{hour, day}, nil
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
	return e.store.RangeEventsAfter(ctx, e.store.EventsStreamKey(scope), b.Since, after, func(en redisstore.StreamEntry) (bool, error) {
		raw, _ := en.Values["event"].(string)
		ev, err := decodeEvent([]byte(raw))
		if err != nil || !matchesBackfill(ev, b) {
			return true, nil
		}
		return true, fn(ev, []byte(raw), en.ID)
	})
}
