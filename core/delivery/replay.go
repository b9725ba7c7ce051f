package delivery

import (
	"context"
	"encoding/json"

	"github.com/bellhop/bellhop/core"
)

// ReplayEvent queues a new delivery of a retained event to the target,
// with the same event id. Returns ENOTFOUND for an unknown target or event.
func (e *Engine) ReplayEvent(ctx context.Context, scope core.Scope, target core.Target, eventID string) (*core.Replay, error) {
	info, err := e.lookupTarget(ctx, scope, target)
	if err != nil {
		return nil, err
	}
	ev, err := e.events.FindEvent(ctx, scope, eventID)
	if err != nil {
		return nil, err
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	d := newDelivery(ev, target, randomID("rp_"))
	d.RetryWindow = e.retryWindow(info.Schedule)
	if _, err := e.queue.CreateDeliveries(ctx, scope, []*core.Delivery{d}, payload, "", "", e.opts.Retention); err != nil {
		return nil, err
	}
	if err := e.AddScope(ctx, scope); err != nil {
		return nil, err
	}
	return &core.Replay{Replayed: true, EventID: ev.ID, DeliveryID: d.ID, Status: "queued"}, nil
}
