package delivery

import (
	"context"
	"slices"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
)

// dispatchLoop reads new events from every scope's events stream and turns
// each into its deliveries.
func (e *Engine) dispatchLoop(ctx context.Context) {
	for ctx.Err() == nil {
		scopes := e.currentScopes()
		if len(scopes) == 0 {
			pause(ctx, e.opts.ScopeRefresh)
			continue
		}
		streams := make([]string, len(scopes))
		byStream := make(map[string]core.Scope, len(scopes))
		for i, s := range scopes {
			streams[i] = e.store.EventsStreamKey(s)
			byStream[streams[i]] = s
		}
		entries, err := e.store.ReadGroup(ctx, redisstore.DispatchGroup, e.opts.Consumer, streams, 100, e.opts.Block)
		if err != nil {
			if ctx.Err() == nil {
				e.opts.Logger.Warn("read events", "err", err)
				pause(ctx, time.Second)
			}
			continue
		}
		for _, en := range entries {
			if err := e.dispatch(context.WithoutCancel(ctx), byStream[en.Stream], en); err != nil {
				// Left unacked: claimed and dispatched again after ClaimIdle.
				e.opts.Logger.Warn("dispatch event", "entry", en.ID, "err", err)
			}
		}
	}
}

// dispatch creates the deliveries of one events-stream entry and acks it,
// atomically. An entry that does not hold an event is acked and dropped.
func (e *Engine) dispatch(ctx context.Context, scope core.Scope, en redisstore.StreamEntry) error {
	stream := e.store.EventsStreamKey(scope)
	raw, _ := en.Values["event"].(string)
	ev, err := decodeEvent([]byte(raw))
	if err != nil {
		e.opts.Logger.Error("drop undecodable event", "entry", en.ID, "err", err)
		_, err = e.store.CreateDeliveries(ctx, scope, nil, nil, stream, en.ID, e.opts.Retention)
		return err
	}
	targets, err := e.match(ctx, scope, ev)
	if err != nil {
		return err
	}
	ds := make([]*core.Delivery, len(targets))
	for i, t := range targets {
		ds[i] = newDelivery(ev, t, "")
	}
	_, err = e.store.CreateDeliveries(ctx, scope, ds, []byte(raw), stream, en.ID, e.opts.Retention)
	return err
}

// match returns the targets subscribed to ev: endpoints through the type
// index, filtered by property, then connections the same way.
func (e *Engine) match(ctx context.Context, scope core.Scope, ev *core.Event) ([]core.Target, error) {
	eps, err := e.store.MatchEndpoints(ctx, scope, ev.Type)
	if err != nil {
		return nil, err
	}
	out := make([]core.Target, 0, len(eps))
	for _, ep := range eps {
		if len(ep.PropertyIDs) > 0 && !slices.Contains(ep.PropertyIDs, ev.PropertyID) {
			continue
		}
		out = append(out, core.Target{Kind: core.TargetEndpoint, ID: ep.ID})
	}
	conns, err := e.matchConnections(ctx, scope, ev)
	if err != nil {
		return nil, err
	}
	return append(out, conns...), nil
}

func newDelivery(ev *core.Event, t core.Target, nonce string) *core.Delivery {
	return &core.Delivery{
		ID: deliveryID(ev.ID, t, nonce), Object: redisstore.DeliveryObject(t.Kind), EventID: ev.ID, EventType: ev.Type,
		Target: t, EndpointID: t.ID, Replay: nonce != "",
	}
}
