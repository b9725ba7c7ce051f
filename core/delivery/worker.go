package delivery

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/bellhop/bellhop/core/tracing"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/outbound"
	"github.com/bellhop/bellhop/core/redisstore"
)

// queue is the delivery queue as the engine drives it: the events and
// deliveries streams and their consumer groups, the entries a hub reads,
// claims, acks, defers and parks, and the retry set the mover empties. It
// is its own job because it says who holds which entry; what an attempt
// did is the attemptLog's (whose FinishAttempt also acks the entry, since
// the ack must land in one script with the attempt).
type queue interface {
	EventsStreamKey(scope core.Scope) string
	DeliveriesStreamKey(scope core.Scope) string
	// EnsureGroups creates the consumer groups of scopes' streams.
	EnsureGroups(ctx context.Context, eventsStream func(core.Scope) string, scopes []core.Scope) error
	ReadGroup(ctx context.Context, group, consumer string, streams []string, count int, block time.Duration) ([]redisstore.StreamEntry, error)
	ClaimIdle(ctx context.Context, stream, group, consumer string, minIdle time.Duration, count int) ([]redisstore.StreamEntry, error)
	// CreateDeliveryBatch and CreateDeliveries queue deliveries (and ack
	// the events entries they came from, if any).
	// CreateDeliveryBatch writes nothing and answers ErrStaleMatch when
	// matched is not the scope's subscriptions version.
	CreateDeliveryBatch(ctx context.Context, scope core.Scope, eventsStream string, batch []redisstore.EventDeliveries, retention time.Duration, take redisstore.Take, matched string) (int, []redisstore.StreamEntry, error)
	CreateDeliveries(ctx context.Context, scope core.Scope, ds []*core.Delivery, payload []byte, eventsStream, entryID string, retention time.Duration) (int, error)
	AckDelivery(ctx context.Context, scope core.Scope, entryID string) error
	DeferDelivery(ctx context.Context, scope core.Scope, entryID, id string, at time.Time) error
	// ParkDelivery sets a delivery aside while its target is disabled; false
	// says the target was enabled meanwhile and the delivery queued again.
	ParkDelivery(ctx context.Context, scope core.Scope, entryID string, d *core.Delivery, reason string) (bool, error)
	// ReleaseParked queues again the deliveries parked for a target and
	// counts those that had expired while parked.
	ReleaseParked(ctx context.Context, scope core.Scope, targetID string) (queued, expired int, err error)
	MoveDueRetries(ctx context.Context, scope core.Scope, now time.Time, limit int) (int, time.Time, error)
}

// attemptLog is the record of deliveries and their attempts: what the
// worker loads before an attempt and writes after it (FinishAttempt, which
// also acks the entry, schedules the retry and updates the target's
// health window in one script), and what the delivery log and stats read.
// It is its own job because it is where an attempt's outcome lands: a
// test may count or fail those writes without a queue or a receiver.
type attemptLog interface {
	LoadDelivery(ctx context.Context, scope core.Scope, id string) (*core.Delivery, []byte, error)
	// LoadDeliveries loads several in one script (nil for one gone).
	LoadDeliveries(ctx context.Context, scope core.Scope, ids []string) ([]*redisstore.LoadedDelivery, error)
	FinishAttempt(ctx context.Context, scope core.Scope, d *core.Delivery, r redisstore.AttemptRecord) (redisstore.Health, error)
	// ResetHealth clears a target's health window (on re-enable).
	ResetHealth(ctx context.Context, scope core.Scope, targetID string) error
	FindDelivery(ctx context.Context, scope core.Scope, id string) (*core.Delivery, error)
	ListDeliveries(ctx context.Context, scope core.Scope, targetID string, f core.DeliveryFilter) (core.List[*core.Delivery], error)
	TargetStats(ctx context.Context, scope core.Scope, targetID string, window time.Duration, label string) (*core.EndpointStats, error)
	// The scope's figures over every target, for the console's home page
	// and event page.
	RecentAttempts(ctx context.Context, scope core.Scope, now time.Time) ([]core.AttemptCount, error)
	NewestFailedDeliveries(ctx context.Context, scope core.Scope, limit int) ([]*core.Delivery, error)
	ListEventDeliveries(ctx context.Context, scope core.Scope, eventID string, page core.Page) (core.List[*core.Delivery], error)
	TargetsLastHour(ctx context.Context, scope core.Scope, targetIDs []string, now time.Time) (map[string]core.AttemptCount, error)
}

// workLoop reads the deliveries streams whenever the engine has room for
// more entries and runs each in its own goroutine. It holds up to
// inHandPerWorker × Options.Workers entries at once, so that attempts
// waiting in line for a busy target do not stop the others from being read;
// at most Options.Workers of them send at once (Engine.sending). An account
// holding its share of the entries in hand is left out of the read
// (fairShare), so the others' entries are still read and started at once.
func (e *Engine) workLoop(ctx context.Context) {
	slots := e.hand
	inHand := cap(slots)
	defer func() { // wait for the attempts in flight, claimed ones too
		for range inHand {
			slots <- struct{}{}
		}
	}()
	for ctx.Err() == nil {
		scopes := e.currentScopes()
		if len(scopes) == 0 {
			pause(ctx, e.opts.ScopeRefresh)
			continue
		}
		free := inHand - len(slots)
		if free == 0 {
			select { // wait for one slot, then read as many as are free
			case slots <- struct{}{}:
				<-slots
			case <-ctx.Done():
				return
			}
			continue
		}
		streams, byStream, left := e.readableStreams(scopes)
		if len(streams) == 0 {
			select { // every account holds its share: wait for room, or a new scope
			case <-e.fair.room:
			case <-time.After(e.opts.ScopeRefresh):
			case <-ctx.Done():
			}
			continue
		}
		block := e.opts.Block
		if left {
			block = min(block, fullPoll)
		}
		// Each stream gives at most a quarter of an account's share, so an
		// account just under its share ends a read little over it.
		count := min(free, max(1, e.fair.holdCap/4))
		entries, err := e.queue.ReadGroup(ctx, redisstore.WorkerGroup, e.opts.Consumer, streams, count, block)
		if err != nil {
			if ctx.Err() == nil {
				e.opts.Logger.Warn("read deliveries", "err", err)
				pause(ctx, time.Second)
			}
			continue
		}
		e.runEntries(ctx, byStream, entries)
	}
}

// fullPoll is how long a read blocks, at most, while some account is left
// out of it for holding its share: that account's stream is read again
// this soon after it has room, instead of after a full Options.Block.
const fullPoll = 10 * time.Millisecond

// readableStreams returns the deliveries streams of the scopes whose
// account has room for more entries in hand, and whether any was left out.
func (e *Engine) readableStreams(scopes []core.Scope) (streams []string, byStream map[string]core.Scope, left bool) {
	streams = make([]string, 0, len(scopes))
	byStream = make(map[string]core.Scope, len(scopes))
	for _, s := range scopes {
		if e.fair.full(s.AccountID) {
			left = true
			continue
		}
		key := e.queue.DeliveriesStreamKey(s)
		streams = append(streams, key)
		byStream[key] = s
	}
	return streams, byStream, left
}

// runEntries starts one attempt per entry, each holding a place in hand
// (waiting for one when the hand is full) and counted in its account's
// entries in hand. Claimed entries come through here too, so that a hub
// claiming another's hanging deliveries handles them side by side, within
// the same shares, not one after the other in the claim loop, and so do
// the entries the dispatcher takes for this hub as it queues them.
func (e *Engine) runEntries(ctx context.Context, byStream map[string]core.Scope, entries []redisstore.StreamEntry) {
	e.preload(ctx, byStream, entries)
	slots := e.hand
	for _, en := range entries {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done(): // stopping: the rest stay pending in the group, claimed after ClaimIdle
			return
		}
		scope := byStream[en.Stream]
		e.fair.hold(scope.AccountID)
		go func() {
			growStack()
			defer func() { e.fair.drop(scope.AccountID); <-slots }()
			// An attempt that started finishes and is recorded even when the
			// engine stops; its timeout bounds it.
			if err := e.processSafely(context.WithoutCancel(ctx), scope, en); err != nil {
				e.opts.Logger.Warn("process delivery", "account", scope.AccountID, "livemode", scope.Livemode,
					"delivery", en.Values["d"], "entry", en.ID, "err", err)
			}
		}()
	}
}

// preload reads the deliveries of entries that come without theirs (a
// read of the stream, as opposed to the dispatcher's own), in one script a
// scope, so that each entry's goroutine does not read its own: a script
// and a round trip a delivery whenever the workers are behind the
// dispatcher. An entry it could not load reads its own, as before.
func (e *Engine) preload(ctx context.Context, byStream map[string]core.Scope, entries []redisstore.StreamEntry) {
	var byScope map[core.Scope][]int // made only when there is something to load: the dispatcher's hand-overs come loaded
	for i, en := range entries {
		if en.Loaded == nil {
			if byScope == nil {
				byScope = map[core.Scope][]int{}
			}
			s := byStream[en.Stream]
			byScope[s] = append(byScope[s], i)
		}
	}
	for scope, idx := range byScope {
		if len(idx) < 2 {
			continue
		}
		ids := make([]string, len(idx))
		for k, i := range idx {
			ids[k], _ = entries[i].Values["d"].(string)
		}
		loaded, err := e.attempts.LoadDeliveries(ctx, scope, ids)
		if err != nil {
			continue
		}
		for k, i := range idx {
			entries[i].Loaded = loaded[k]
		}
	}
}

// process handles one deliveries-stream entry. An error leaves the entry
// unacked, to be claimed again after ClaimIdle.
func (e *Engine) process(ctx context.Context, scope core.Scope, en redisstore.StreamEntry) error {
	d, payload, err := e.load(ctx, scope, en)
	if core.ErrorCode(err) == core.ENOTFOUND {
		return e.queue.AckDelivery(ctx, scope, en.ID)
	} else if err != nil {
		return err
	}
	if d.Status != core.StatusPending && d.Status != core.StatusParked {
		return e.queue.AckDelivery(ctx, scope, en.ID) // already ended: a duplicate entry
	}
	sender, ok := e.senders[d.Target.Kind]
	if !ok {
		return e.finishWithout(ctx, scope, d, en.ID, "no sender for target kind "+d.Target.Kind)
	}
	info, err := sender.Lookup(ctx, scope, d.Target.ID)
	if core.ErrorCode(err) == core.ENOTFOUND {
		return e.finishWithout(ctx, scope, d, en.ID, "the target was deleted")
	} else if err != nil {
		return err
	}
	if info.Disabled {
		parked, err := e.queue.ParkDelivery(ctx, scope, en.ID, d, "target disabled: "+info.DisabledReason)
		if err != nil {
			return err
		}
		if parked {
			e.opts.Observer.Settled(d.Target.Kind, core.StatusParked)
		} else {
			// Another hub enabled the target and the script queued the
			// delivery again: without forgetting the stale lookup, this hub
			// would park and re-queue it in a loop until the cache expired.
			sender.Forget(scope, d.Target.ID)
		}
		return nil
	}
	release, ok := e.acquireSlots(scope.AccountID, d.Target.ID, info.MaxConcurrency)
	if !ok {
		return e.deferDelivery(ctx, scope, en.ID, d.ID, time.Now().Add(e.opts.DeferDelay))
	}
	defer release()
	if info.RateLimit > 0 {
		if wait, err := e.limits.TakeTargetRate(ctx, scope, d.Target.ID, info.RateLimit); err != nil {
			return err
		} else if wait > 0 {
			return e.deferDelivery(ctx, scope, en.ID, d.ID, time.Now().Add(wait))
		}
	}
	e.sending <- struct{}{}
	defer func() { <-e.sending }()
	return e.attempt(ctx, scope, en.ID, d, payload, sender, info, release)
}

// load returns the delivery of an entry and its payload: as the dispatcher
// made them for an entry it queued and took in one script, read from the
// store for every other.
func (e *Engine) load(ctx context.Context, scope core.Scope, en redisstore.StreamEntry) (*core.Delivery, []byte, error) {
	if c := en.Loaded; c != nil {
		return c.Delivery, c.Payload, nil
	}
	id, _ := en.Values["d"].(string)
	return e.attempts.LoadDelivery(ctx, scope, id)
}

// acquireSlots takes a slot of the target's cap and then one of its
// account's budget, and returns the func that frees both (once; the
// attempt calls it as soon as its request is over). maxConcurrency is the
// target's own cap, 0 for the default; at run time it is held to the
// server's maximum and to half the account's budget.
//
// A busy target's delivery waits in line for up to DeferDelay, behind at
// most half the entries in hand, so that a hanging target leaves the other
// half to everyone else; an account at its budget makes it wait up to
// DeferDelay more, behind at most the account's share of the entries in
// hand. Past either wait it reports false, and the delivery is deferred:
// never failed for a cap. The target slot is taken first, since waiting
// with it held delays only the same account's deliveries to that target.
func (e *Engine) acquireSlots(account, target string, maxConcurrency int) (release func(), ok bool) {
	limit := maxConcurrency
	if limit <= 0 {
		limit = e.opts.DefaultConcurrency
	}
	limit = e.fair.targetLimit(min(limit, e.opts.MaxEndpointConcurrency))
	if !e.inflight.acquire(target, limit, inHandPerWorker*e.opts.Workers/2, e.opts.DeferDelay) {
		return nil, false
	}
	if !e.fair.acquire(account, e.opts.DeferDelay) {
		e.inflight.release(target)
		return nil, false
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			e.inflight.release(target)
			e.fair.release(account)
		})
	}, true
}

// inHandPerWorker is how many deliveries-stream entries the engine holds
// per worker: the ones sending plus the ones waiting in line for a target.
const inHandPerWorker = 4

func (e *Engine) deferDelivery(ctx context.Context, scope core.Scope, entryID, id string, at time.Time) error {
	if err := e.queue.DeferDelivery(ctx, scope, entryID, id, at); err != nil {
		return err
	}
	e.wakeMover()
	return nil
}

// attempt sends one attempt and records it. sent frees the target's slot as
// soon as the request is over: the cap counts requests in flight at the
// target, not the bookkeeping after them.
func (e *Engine) attempt(ctx context.Context, scope core.Scope, entryID string, d *core.Delivery, payload []byte, sender Sender, info *TargetInfo, sent func()) error {
	if len(payload) == 0 || payload[0] != '{' { // written by the hub as JSON; a full check costs more than it guards
		return e.finishWithout(ctx, scope, d, entryID, "the event payload is missing or unreadable")
	}
	number := d.AttemptCount + 1
	start := time.Now()
	sctx, traced := e.traceAttempt(ctx, d, number)
	res := sender.Send(sctx, info, Job{Scope: scope, Delivery: d, Payload: payload, Number: number})
	took := time.Since(start)
	sent()
	traced(res)
	if res.Outcome == outbound.Deferred {
		return e.deferDelivery(ctx, scope, entryID, d.ID, time.Now().Add(res.RetryAfter))
	}
	rec := e.record(res, number, e.scheduleFor(info.Schedule))
	rec.EntryID = entryID
	h, err := e.attempts.FinishAttempt(ctx, scope, d, rec)
	if err != nil {
		return err
	}
	if !h.Stale {
		e.observeAttempt(scope, d, rec, start, took)
	}
	if rec.Status == core.StatusFailed && !h.Stale {
		// A delivery that gives up is worth an operator's eye; a retry is not.
		e.opts.Logger.Warn("delivery failed", append(deliveryAttrs(scope, d),
			"attempts", number, "response_status", rec.Attempt.ResponseStatus, "fail_code", rec.FailCode, "reason", rec.Reason)...)
	}
	if rec.NextAt != nil {
		e.wakeMover()
	}
	if !h.Stale && rec.Counted && !rec.Succeeded {
		e.checkBreaker(ctx, scope, d.Target, sender, h)
	}
	return nil
}

// record turns a Result into what FinishAttempt writes.
func (e *Engine) record(res Result, number int, schedule []time.Duration) redisstore.AttemptRecord {
	a := res.Attempt
	if a == nil {
		a = &core.Attempt{}
	}
	now := time.Now().UTC()
	a.Number, a.Outcome, a.CreatedAt = number, res.Outcome.String(), now
	rec := redisstore.AttemptRecord{
		Attempt: a, Reason: res.Reason, Counted: res.Outcome != outbound.Skipped, Succeeded: res.Outcome == outbound.Succeeded,
		Is5xx: res.Is5xx, FailCode: res.FailCode, Retention: e.opts.Retention,
		LatencyBkt: redisstore.LatencyBucket(time.Duration(a.LatencyMS * float64(time.Millisecond))),
	}
	switch res.Outcome {
	case outbound.Succeeded:
		rec.Status, rec.Reason = core.StatusSucceeded, ""
	case outbound.Skipped:
		rec.Status = core.StatusSkipped
	case outbound.Retry:
		if delay, ok := nextDelay(schedule, number, res.RetryAfter); ok {
			next := now.Add(delay)
			rec.Status, rec.NextAt, a.NextRetryAt = core.StatusPending, &next, &next
		} else {
			rec.Status, rec.Reason = core.StatusFailed, fmt.Sprintf("%s; no attempts left after %d", res.Reason, number)
		}
	default:
		rec.Status = core.StatusFailed
	}
	return rec
}

// finishWithout ends a delivery as failed without an attempt (its target or
// payload is gone) and acks its entry.
func (e *Engine) finishWithout(ctx context.Context, scope core.Scope, d *core.Delivery, entryID, reason string) error {
	rec := redisstore.AttemptRecord{
		EntryID: entryID, Status: core.StatusFailed, Reason: reason, Retention: e.opts.Retention,
		Attempt: &core.Attempt{Number: d.AttemptCount + 1, Outcome: "failed", Error: reason, CreatedAt: time.Now().UTC()},
	}
	h, err := e.attempts.FinishAttempt(ctx, scope, d, rec)
	if err == nil && !h.Stale {
		e.opts.Observer.Settled(d.Target.Kind, core.StatusFailed)
	}
	return err
}

// observeAttempt tells the Observer of an attempt that started at start,
// took took to send, and was recorded as rec.
func (e *Engine) observeAttempt(scope core.Scope, d *core.Delivery, rec redisstore.AttemptRecord, start time.Time, took time.Duration) {
	seen := AttemptSeen{Scope: scope, Target: d.Target, Outcome: attemptOutcome(rec.Status), Took: took}
	if rec.Attempt != nil {
		seen.Status, seen.Number = rec.Attempt.ResponseStatus, rec.Attempt.Number
		if seen.Number == 1 && !d.CreatedAt.IsZero() {
			seen.FirstLag = max(start.Sub(d.CreatedAt), 0)
		}
	}
	e.opts.Observer.Attempted(seen)
}

func decodeEvent(raw []byte) (*core.Event, error) {
	if len(raw) == 0 {
		return nil, fmt.Errorf("decode event: empty")
	}
	var ev core.Event
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, fmt.Errorf("decode event: %w", err)
	}
	return &ev, nil
}

// deliveryAttrs are the fields every log line about a delivery carries, so
// that an operator can follow one delivery, target or account through the
// logs. None is a secret: ids only, never a URL (it may hold credentials).
func deliveryAttrs(scope core.Scope, d *core.Delivery) []any {
	return []any{"account", scope.AccountID, "livemode", scope.Livemode, "target_kind", d.Target.Kind,
		"target", d.Target.ID, "delivery", d.ID, "event", d.EventID, "event_type", d.EventType}
}

// traceAttempt starts the attempt's span in its event's trace, when the
// delivery carries one, and returns what ends it with the outcome; the
// transform run and the plugin call inside take it as their parent.
func (e *Engine) traceAttempt(ctx context.Context, d *core.Delivery, number int) (context.Context, func(Result)) {
	if d.TraceParent == "" {
		return ctx, func(Result) {}
	}
	ctx, span := e.opts.Tracer.Start(tracing.ContextWith(ctx, d.TraceParent), "attempt "+d.Target.Kind,
		trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
			attribute.String("bellhop.delivery_id", d.ID), attribute.String("bellhop.event_id", d.EventID),
			attribute.String("bellhop.target", d.Target.ID), attribute.Int("bellhop.attempt", number)))
	return ctx, func(res Result) {
		span.SetAttributes(attribute.String("bellhop.outcome", res.Outcome.String()))
		if res.Attempt != nil && res.Attempt.ResponseStatus != 0 {
			span.SetAttributes(attribute.Int("http.response.status_code", res.Attempt.ResponseStatus))
		}
		if res.Outcome == outbound.Failed || res.Outcome == outbound.Retry {
			span.SetStatus(codes.Error, res.Reason)
		}
		span.End()
	}
}

// childSpan starts a span under ctx's, only when ctx is traced (an
// attempt of a traced event): an untraced attempt gets ctx's no-op span,
// which ending does nothing to.
func (e *Engine) childSpan(ctx context.Context, name string, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	if !trace.SpanContextFromContext(ctx).IsSampled() {
		return ctx, trace.SpanFromContext(ctx)
	}
	return e.opts.Tracer.Start(ctx, name, trace.WithAttributes(attrs...))
}

// endSpan records what a step ended with and ends its span.
func endSpan(span trace.Span, result attribute.KeyValue, err error) {
	if !span.IsRecording() {
		return
	}
	span.SetAttributes(result)
	if err != nil {
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}

// growStack grows the calling goroutine's stack to 16 KB or more while it
// holds a frame or two, when copying it costs least: an attempt goes deep
// (the HTTP client, gRPC to a connector's plugin, go-redis's pipeliner),
// and a goroutine that starts with a few KB would grow its stack there,
// copying every frame at each doubling. Under load that was 8% of the
// hub's CPU on the connector path, 3% with it (BENCHMARKS.md, eleventh
// session). CockroachDB's growstack package does the same for the same
// reason.
//
//go:noinline
func growStack() {
	var b [8 << 10]byte
	keep(b[:])
}

// keep is where growStack's frame goes, so that it is not optimised away.
//
//go:noinline
func keep([]byte) {}
