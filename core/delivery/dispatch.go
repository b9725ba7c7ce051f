package delivery

import (
	"context"
	"errors"
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
// nothing. Targets are looked up once per event type in the batch, or
// taken from what this hub matched before (matches) as long as the
// scope's subscriptions have not changed since: the script checks, and
// writes nothing when they have, and the batch is matched again. An entry
// that does not hold an event is acked and dropped.
//
// The deliveries it makes are taken for this hub's workers in the same
// script as far as they have room (see room), and started here. ctx ends
// only that: a dispatch that started is stored whatever ctx does.
func (e *Engine) dispatchBatch(ctx context.Context, scope core.Scope, entries []redisstore.StreamEntry) error {
	run := ctx
	ctx = context.WithoutCancel(ctx)
	events := make([]dispatched, len(entries))
	defer func() {
		for _, d := range events {
			if d.span != nil {
				d.span.End()
			}
		}
	}()
	for i, en := range entries {
		d := &events[i]
		d.entryID = en.ID
		var err error
		if d.ev, d.payload, err = redisstore.EventOfEntry(en.Values); err != nil {
			e.opts.Logger.Error("drop undecodable event", "entry", en.ID, "err", err)
			continue
		}
		if parent, _ := en.Values["tp"].(string); parent != "" {
			var sctx context.Context
			sctx, d.span = e.opts.Tracer.Start(tracing.ContextWith(ctx, parent), "dispatch "+d.ev.Type,
				trace.WithAttributes(attribute.String("bellhop.event_id", d.ev.ID)))
			d.traceParent = tracing.Parent(sctx)
		}
	}
	for try := 1; ; try++ {
		// The last try reads every match afresh and has the script take
		// it as it is, as each dispatch did before matches were kept.
		last := try == maxMatchTries
		m := &matcher{engine: e, scope: scope, byType: map[string][]Subscription{}, kept: !last}
		batch, made, err := e.deliveriesOf(ctx, m, events)
		if err != nil {
			return err
		}
		if m.mixed && !last { // a target was saved between two reads
			e.matches.forget(scope)
			continue
		}
		matched := m.version
		if last {
			matched = ""
		}
		take := redisstore.Take{Consumer: e.opts.Consumer}
		if run.Err() == nil {
			take.Count = e.room(scope.AccountID, made)
		}
		_, taken, err := e.queue.CreateDeliveryBatch(ctx, scope, e.queue.EventsStreamKey(scope), batch, e.opts.Retention, take, matched)
		if errors.Is(err, redisstore.ErrStaleMatch) && !last {
			e.matches.forget(scope)
			continue
		}
		if err != nil {
			return err
		}
		if published, ok := firstEntryTime(entries); ok {
			e.opts.Observer.Dispatched(len(entries), max(time.Since(published), 0))
		}
		e.runEntries(run, map[string]core.Scope{e.queue.DeliveriesStreamKey(scope): scope}, taken)
		return nil
	}
}

// maxMatchTries bounds how often a batch is matched again because a
// target was saved meanwhile; the last try matches as a dispatch without
// kept matches would, with nothing to check.
const maxMatchTries = 3

// dispatched is one events-stream entry of a dispatch batch: its event
// (nil when it does not hold one) and, when the event carries a trace, the
// dispatch's span.
type dispatched struct {
	entryID     string
	ev          *core.Event
	payload     []byte
	span        trace.Span
	traceParent string
}

// deliveriesOf matches each event of a batch with m and makes its
// deliveries, returning the batch for CreateDeliveryBatch and how many
// deliveries it holds.
func (e *Engine) deliveriesOf(ctx context.Context, m *matcher, events []dispatched) ([]redisstore.EventDeliveries, int, error) {
	batch := make([]redisstore.EventDeliveries, 0, len(events))
	made := 0
	for _, d := range events {
		if d.ev == nil {
			batch = append(batch, redisstore.EventDeliveries{EntryID: d.entryID})
			continue
		}
		targets, err := m.match(ctx, d.ev)
		if err != nil {
			return nil, 0, err
		}
		if d.span != nil {
			d.span.SetAttributes(attribute.Int("bellhop.deliveries", len(targets)))
		}
		ds := make([]*core.Delivery, len(targets))
		for i, t := range targets {
			ds[i] = newDelivery(d.ev, t.Target, "")
			ds[i].TraceParent = d.traceParent
			ds[i].RetryWindow = e.retryWindow(t.Schedule)
		}
		made += len(ds)
		batch = append(batch, redisstore.EventDeliveries{EntryID: d.entryID, Payload: d.payload, Deliveries: ds})
	}
	return batch, made, nil
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

// matcher matches the events of one dispatch batch, asking for an event
// type's subscriptions once for the whole batch, or finding them in what
// the hub kept (kept).
type matcher struct {
	engine *Engine
	scope  core.Scope
	byType map[string][]Subscription
	kept   bool // may use the engine's matches
	// version is the scope's subscriptions version every match so far was
	// read at ("": one could not be checked); mixed says two differed, so
	// that one may be out of date.
	version string
	mixed   bool
}

// match returns the subscriptions ev goes to, of every kind, in the order
// the Senders were registered, filtered by property.
func (m *matcher) match(ctx context.Context, ev *core.Event) ([]Subscription, error) {
	subs, ok := m.byType[ev.Type]
	if !ok {
		var version string
		if m.kept {
			subs, version, ok = m.engine.matches.get(m.scope, ev.Type)
		}
		if !ok {
			var err error
			if subs, version, err = m.engine.subscribers(ctx, m.scope, ev.Type); err != nil {
				return nil, err
			}
			m.engine.matches.put(m.scope, ev.Type, subs, version)
		}
		if len(m.byType) == 0 {
			m.version = version
		} else if version != m.version {
			m.mixed = true
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
// in the order the Senders were registered, and returns them with the
// scope's subscriptions version they were read at. The two built-in kinds,
// when their own Senders serve them, are read together in one script
// (Store.MatchTargets): at a low rate each read of the events stream holds
// one event, and a read per kind was a round trip per kind per event. With
// a kind of another Sender the version is "": its targets are not counted
// in it.
func (e *Engine) subscribers(ctx context.Context, scope core.Scope, eventType string) ([]Subscription, string, error) {
	read := map[string][]Subscription{}
	version := ""
	_, eps := e.senders[core.TargetEndpoint].(*Endpoints)
	_, conns := e.senders[core.TargetConnection].(*Connections)
	if eps && conns {
		t, err := e.opts.Store.MatchTargets(ctx, scope, eventType)
		if err != nil {
			return nil, "", err
		}
		read[core.TargetEndpoint], _ = endpointSubscriptions(t.Endpoints, nil)
		read[core.TargetConnection], _ = connectionSubscriptions(t.Connections, nil)
		version = t.Version
	}
	var subs []Subscription
	for _, kind := range e.kinds {
		got, ok := read[kind]
		if !ok {
			var err error
			if got, err = e.senders[kind].Match(ctx, scope, eventType); err != nil {
				return nil, "", err
			}
			version = ""
		}
		subs = append(subs, got...)
	}
	return subs, version, nil
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
