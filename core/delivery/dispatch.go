package delivery

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/bellhop/bellhop/core/tracing"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

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
			streams[i] = e.queue.EventsStreamKey(s)
			byStream[streams[i]] = s
		}
		entries, err := e.queue.ReadGroup(ctx, redisstore.DispatchGroup, e.opts.Consumer, streams, 100, e.opts.Block)
		if err != nil {
			if ctx.Err() == nil {
				e.opts.Logger.Warn("read events", "err", err)
				pause(ctx, time.Second)
			}
			continue
		}
		for _, batch := range byScope(entries, byStream) {
			if err := e.dispatchBatch(ctx, batch.scope, batch.entries); err != nil {
				// Left unacked: claimed and dispatched again after ClaimIdle.
				e.opts.Logger.Warn("dispatch events", "entries", len(batch.entries), "err", err)
			}
		}
	}
}

type scopeEntries struct {
	scope   core.Scope
	entries []redisstore.StreamEntry
}

// byScope groups the entries of one read by the scope of their stream, in
// order, so that each scope's events are dispatched in one script.
func byScope(entries []redisstore.StreamEntry, byStream map[string]core.Scope) []scopeEntries {
	var out []scopeEntries
	for _, en := range entries {
		s := byStream[en.Stream]
		if n := len(out); n > 0 && out[n-1].scope == s {
			out[n-1].entries = append(out[n-1].entries, en)
			continue
		}
		out = append(out, scopeEntries{scope: s, entries: []redisstore.StreamEntry{en}})
	}
	return out
}

// dispatch creates the deliveries of one events-stream entry and acks it,
// atomically. An entry that does not hold an event is acked and dropped.
func (e *Engine) dispatch(ctx context.Context, scope core.Scope, en redisstore.StreamEntry) error {
	return e.dispatchBatch(ctx, scope, []redisstore.StreamEntry{en})
}

// dispatchBatch creates the deliveries of entries of one scope's events
// stream and acks them, all in one script: a crash before it leaves every
// entry unacked, to be dispatched again, and a crash after it has lost
// nothing. Targets are looked up once per event type in the batch. An entry
// that does not hold an event is acked and dropped.
//
// The deliveries it makes are taken for this hub's workers in the same
// script as far as they have room (see room), and started here. ctx ends
// only that: a dispatch that started is stored whatever ctx does.
func (e *Engine) dispatchBatch(ctx context.Context, scope core.Scope, entries []redisstore.StreamEntry) error {
	run := ctx
	ctx = context.WithoutCancel(ctx)
	m := &matcher{engine: e, scope: scope, byType: map[string][]Subscription{}}
	batch := make([]redisstore.EventDeliveries, 0, len(entries))
	made := 0
	var spans []trace.Span // of the events that carry a trace, ended once stored
	defer func() {
		for _, sp := range spans {
			sp.End()
		}
	}()
	for _, en := range entries {
		ev, payload, err := redisstore.EventOfEntry(en.Values)
		if err != nil {
			e.opts.Logger.Error("drop undecodable event", "entry", en.ID, "err", err)
			batch = append(batch, redisstore.EventDeliveries{EntryID: en.ID})
			continue
		}
		targets, err := m.match(ctx, ev)
		if err != nil {
			return err
		}
		tp := ""
		if parent, _ := en.Values["tp"].(string); parent != "" {
			sctx, span := e.opts.Tracer.Start(tracing.ContextWith(ctx, parent), "dispatch "+ev.Type,
				trace.WithAttributes(attribute.String("bellhop.event_id", ev.ID), attribute.Int("bellhop.deliveries", len(targets))))
			spans = append(spans, span)
			tp = tracing.Parent(sctx)
		}
		ds := make([]*core.Delivery, len(targets))
		for i, t := range targets {
			ds[i] = newDelivery(ev, t.Target, "")
			ds[i].TraceParent = tp
			ds[i].RetryWindow = e.retryWindow(t.Schedule)
		}
		made += len(ds)
		batch = append(batch, redisstore.EventDeliveries{EntryID: en.ID, Payload: payload, Deliveries: ds})
	}
	take := redisstore.Take{Consumer: e.opts.Consumer}
	if run.Err() == nil {
		take.Count = e.room(scope.AccountID, made)
	}
	_, taken, err := e.queue.CreateDeliveryBatch(ctx, scope, e.queue.EventsStreamKey(scope), batch, e.opts.Retention, take)
	if err != nil {
		return err
	}
	if published, ok := firstEntryTime(entries); ok {
		e.opts.Observer.Dispatched(len(entries), max(time.Since(published), 0))
	}
	e.runEntries(run, map[string]core.Scope{e.queue.DeliveriesStreamKey(scope): scope}, taken)
	return nil
}

// room is how many of want new deliveries of account this hub's workers
// take straight from the dispatcher (redisstore.Take): as many as the
// entries in hand leave room for, within what one read of the account's
// stream would take, and none while the account holds its share (the
// workers' own reads leave it out then too). The rest wait in the stream
// for whichever hub reads it first. An engine that is not running (Run)
// takes none.
func (e *Engine) room(account string, want int) int {
	if !e.running.Load() || e.fair.full(account) {
		return 0
	}
	free := cap(e.hand) - len(e.hand)
	return max(0, min(want, free, max(1, e.fair.holdCap/4)))
}

// matcher matches the events of one dispatch batch, asking each Sender
// for an event type's subscriptions once for the whole batch.
type matcher struct {
	engine *Engine
	scope  core.Scope
	byType map[string][]Subscription
}

// match returns the subscriptions ev goes to, of every kind, in the order
// the Senders were registered, filtered by property.
func (m *matcher) match(ctx context.Context, ev *core.Event) ([]Subscription, error) {
	subs, ok := m.byType[ev.Type]
	if !ok {
		var err error
		if subs, err = m.engine.subscribers(ctx, m.scope, ev.Type); err != nil {
			return nil, err
		}
		m.byType[ev.Type] = subs
	}
	out := make([]Subscription, 0, len(subs))
	for _, sub := range subs {
		if sub.Accepts(ev.PropertyID) {
			out = append(out, sub)
		}
	}
	return out, nil
}

// subscribers asks every Sender for its targets subscribed to eventType,
// in the order the Senders were registered. The two built-in kinds, when
// their own Senders serve them, are read together in one script
// (Store.MatchTargets): at a low rate each read of the events stream holds
// one event, and a read per kind was a round trip per kind per event.
func (e *Engine) subscribers(ctx context.Context, scope core.Scope, eventType string) ([]Subscription, error) {
	read := map[string][]Subscription{}
	_, eps := e.senders[core.TargetEndpoint].(*Endpoints)
	_, conns := e.senders[core.TargetConnection].(*Connections)
	if eps && conns {
		ep, cn, err := e.opts.Store.MatchTargets(ctx, scope, eventType)
		if err != nil {
			return nil, err
		}
		read[core.TargetEndpoint], _ = endpointSubscriptions(ep, nil)
		read[core.TargetConnection], _ = connectionSubscriptions(cn, nil)
	}
	var subs []Subscription
	for _, kind := range e.kinds {
		got, ok := read[kind]
		if !ok {
			var err error
			if got, err = e.senders[kind].Match(ctx, scope, eventType); err != nil {
				return nil, err
			}
		}
		subs = append(subs, got...)
	}
	return subs, nil
}

func newDelivery(ev *core.Event, t core.Target, nonce string) *core.Delivery {
	return &core.Delivery{
		ID: deliveryID(ev, t, nonce), Object: redisstore.DeliveryObject(t.Kind), EventID: ev.ID, EventType: ev.Type,
		Target: t, Replay: nonce != "",
	}
}

// firstEntryTime is when the first of entries was added to its stream:
// the milliseconds its id starts with (Redis's "<ms>-<seq>").
func firstEntryTime(entries []redisstore.StreamEntry) (time.Time, bool) {
	if len(entries) == 0 {
		return time.Time{}, false
	}
	ms, _, ok := strings.Cut(entries[0].ID, "-")
	n, err := strconv.ParseInt(ms, 10, 64)
	if !ok || err != nil {
		return time.Time{}, false
	}
	return time.UnixMilli(n), true
}
