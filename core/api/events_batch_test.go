package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
)

// batchResult is batchBody as a test reads it: errors decoded strictly.
type batchResult struct {
	Object   string `json:"object"`
	Data     []batchItem
	Created  int `json:"created"`
	Existing int `json:"existing"`
	Failed   int `json:"failed"`
}

// publishBatch posts events to /v1/events/batch, wants 200 and returns the
// decoded answer.
func (a *testAPI) publishBatch(t testing.TB, events []any, opts ...callOpt) (*batchResult, *response) {
	t.Helper()
	r := a.do(t, http.MethodPost, "/v1/events/batch", map[string]any{"events": events}, opts...)
	r.wantStatus(t, http.StatusOK)
	var b batchResult
	r.decode(t, &b)
	if b.Object != "event_batch" || len(b.Data) != len(events) {
		t.Fatalf("answer has object %q and %d results for %d events: %s", b.Object, len(b.Data), len(events), r.Body)
	}
	for i, it := range b.Data {
		if it.Index != i {
			t.Errorf("result %d has index %d", i, it.Index)
		}
	}
	return &b, r
}

// listEventIDs returns the ids of the events of a's key, newest first.
func (a *testAPI) listEventIDs(t testing.TB) []string {
	t.Helper()
	var l listBody[*core.Event]
	a.do(t, http.MethodGet, "/v1/events?limit=100", nil).decode(t, &l)
	ids := make([]string, len(l.Data))
	for i, ev := range l.Data {
		ids[i] = ev.ID
	}
	return ids
}

// wantCounts fails the test unless b counts created, existing and failed.
func (b *batchResult) wantCounts(t testing.TB, created, existing, failed int) {
	t.Helper()
	if b.Created != created || b.Existing != existing || b.Failed != failed {
		t.Errorf("created, existing, failed = %d, %d, %d; want %d, %d, %d", b.Created, b.Existing, b.Failed, created, existing, failed)
	}
}

func TestPublishBatch(t *testing.T) {
	a := newTestAPI(t)
	first := a.sampleEvent(t, "reservation.created")
	withID := a.sampleEvent(t, "guest.checked_in")
	withID["id"] = "evt_frompms_1"
	withID["created_at"] = "2026-04-13T16:22:31+02:00"
	third := a.sampleEvent(t, "payment.failed")
	b, _ := a.publishBatch(t, []any{first, withID, third})
	b.wantCounts(t, 3, 0, 0)
	for i, want := range []string{"reservation.created", "guest.checked_in", "payment.failed"} {
		it := b.Data[i]
		if it.Status != http.StatusCreated || it.Event == nil || it.Event.Type != want || it.Error != nil {
			t.Errorf("result %d = %+v, want 201 with a %s", i, it, want)
		}
	}
	if got := b.Data[1].Event; got.ID != "evt_frompms_1" || got.CreatedAt.Format("2006-01-02T15:04:05Z07:00") != "2026-04-13T14:22:31Z" {
		t.Errorf("event with an id = %s at %s, want evt_frompms_1 at 14:22:31Z", got.ID, got.CreatedAt)
	}
	// Stored in the order sent: the list is newest first.
	want := []string{b.Data[2].Event.ID, "evt_frompms_1", b.Data[0].Event.ID}
	if got := a.listEventIDs(t); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("events stored = %v, want %v", got, want)
	}
	// Each is stored as a single publish stores it.
	got := a.do(t, http.MethodGet, "/v1/events/"+b.Data[0].Event.ID, nil)
	got.wantStatus(t, http.StatusOK)
	var ev core.Event
	got.decode(t, &ev)
	if ev.Type != "reservation.created" || string(ev.Data.Object) != string(b.Data[0].Event.Data.Object) {
		t.Errorf("stored event = %+v, want the batch's first", ev)
	}
}

// TestPublishBatchDuplicates: an id seen before, in an earlier batch, a
// single publish or earlier in the same batch, answers 200 with the stored
// event and stores nothing.
func TestPublishBatchDuplicates(t *testing.T) {
	a := newTestAPI(t)
	event := func(typ, id string) map[string]any {
		e := a.sampleEvent(t, typ)
		e["id"] = id
		return e
	}
	a.do(t, http.MethodPost, "/v1/events", event("guest.checked_in", "evt_single")).wantStatus(t, http.StatusCreated)
	b, _ := a.publishBatch(t, []any{
		event("reservation.created", "evt_twice"),
		event("payment.failed", "evt_twice"), // same id, other content: the first wins
		event("reservation.created", "evt_single"),
	})
	b.wantCounts(t, 1, 2, 0)
	wantStatus := []int{201, 200, 200}
	wantType := []string{"reservation.created", "reservation.created", "guest.checked_in"}
	for i, it := range b.Data {
		if it.Status != wantStatus[i] || it.Event == nil || it.Event.Type != wantType[i] {
			t.Errorf("result %d = %d %+v, want %d with the stored %s", i, it.Status, it.Event, wantStatus[i], wantType[i])
		}
	}
	again, _ := a.publishBatch(t, []any{event("reservation.created", "evt_twice"), event("payment.failed", "evt_new")})
	again.wantCounts(t, 1, 1, 0)
	if again.Data[0].Status != 200 || again.Data[0].Event.ID != "evt_twice" || again.Data[1].Status != 201 {
		t.Errorf("second batch = %+v, want 200 for evt_twice and 201 for evt_new", again.Data)
	}
	if got := a.listEventIDs(t); len(got) != 3 {
		t.Errorf("events stored = %v, want evt_single, evt_twice and evt_new", got)
	}
}

// TestPublishBatchItemErrors: a bad event fails alone, with the error a
// single publish of it gets and a param under events[i]; the others are
// stored.
func TestPublishBatchItemErrors(t *testing.T) {
	a := newTestAPI(t)
	badEmail := a.sampleObject(t, "reservation.created")
	badEmail["guest"].(map[string]any)["email"] = "ada-at-example"
	good := a.sampleEvent(t, "reservation.created")
	items := []struct {
		name      string
		event     any
		wantParam string // "" for an event that is stored
	}{
		{"good", good, ""},
		{"schema violation", map[string]any{"type": "reservation.created", "property_id": "prop_1", "data": map[string]any{"object": badEmail}}, "events[1].data.object.guest.email"},
		{"unknown type", map[string]any{"type": "reservation.teleported", "property_id": "prop_1", "data": map[string]any{"object": map[string]any{}}}, "events[2].type"},
		{"unknown field", json.RawMessage(`{"type":"reservation.created","property_id":"p","data":{"object":{},"objekt":{}}}`), "events[3].data.objekt"},
		{"wrong type", json.RawMessage(`{"type":42,"data":{"object":{}}}`), "events[4].type"},
		{"not an object", 42, "events[5]"},
		{"data.object missing", map[string]any{"type": "reservation.created", "property_id": "p", "data": map[string]any{}}, "events[6].data.object"},
		{"bad created_at", map[string]any{"type": "reservation.created", "property_id": "p", "created_at": "yesterday", "data": map[string]any{"object": map[string]any{}}}, "events[7].created_at"},
		{"bad id", map[string]any{"id": "not-an-evt", "type": "reservation.created", "property_id": "p", "data": map[string]any{"object": map[string]any{}}}, "events[8].id"},
		{"missing property_id", map[string]any{"type": "reservation.created", "data": map[string]any{"object": map[string]any{}}}, "events[9].property_id"},
		{"good too", good, ""},
	}
	events := make([]any, len(items))
	for i, it := range items {
		events[i] = it.event
	}
	b, r := a.publishBatch(t, events, badRequest())
	b.wantCounts(t, 2, 0, len(items)-2)
	for i, it := range items {
		t.Run(it.name, func(t *testing.T) {
			got := b.Data[i]
			if it.wantParam == "" {
				if got.Status != http.StatusCreated || got.Event == nil {
					t.Errorf("result = %+v, want 201 with the event", got)
				}
				return
			}
			if got.Status != http.StatusBadRequest || got.Event != nil || got.Error == nil {
				t.Fatalf("result = %+v, want 400 with an error", got)
			}
			e := got.Error
			if e.Type != typeInvalidRequest || e.Param != it.wantParam || e.Message == "" || strings.Contains(e.Message, "json:") ||
				e.RequestID != r.Header.Get("X-Request-Id") || e.DocURL == "" {
				t.Errorf("error = %+v, want an invalid_request_error for people on %s with the request id", e, it.wantParam)
			}
		})
	}
	// The same message as a single publish of the event gets.
	single := a.do(t, http.MethodPost, "/v1/events", items[1].event, badRequest()).wantError(t, http.StatusBadRequest, typeInvalidRequest, "data.object.guest.email")
	if b.Data[1].Error.Message != single.Message {
		t.Errorf("batch message %q, single publish %q: want the same", b.Data[1].Error.Message, single.Message)
	}
	// A null event decodes without error as a whole batch: still refused alone.
	withNull, _ := a.publishBatch(t, []any{good, nil}, badRequest())
	withNull.wantCounts(t, 1, 0, 1)
	if e := withNull.Data[1].Error; e == nil || e.Param != "events[1]" || !strings.Contains(e.Message, "not null") {
		t.Errorf("null event: %+v, want an error on events[1] saying it is null", e)
	}
	if got := a.listEventIDs(t); len(got) != 3 {
		t.Errorf("%d events stored, want the 3 good ones", len(got))
	}
}

// TestPublishBatchRejects: a batch that is malformed as a whole is refused
// with the param at fault and stores nothing.
func TestPublishBatchRejects(t *testing.T) {
	a := newTestAPI(t)
	small := a.sampleEvent(t, "reservation.created")
	many := make([]any, MaxBatchEvents+1)
	for i := range many {
		many[i] = small
	}
	big := `{"events":[{"type":"reservation.created","property_id":"p","data":{"object":{"x":"` + strings.Repeat("a", DefaultBatchBodyLimit) + `"}}}]}`
	tests := []struct {
		name       string
		body       any
		wantStatus int
		wantParam  string
	}{
		{"events missing", `{}`, 400, "events"},
		{"events null", `{"events":null}`, 400, "events"},
		{"events empty", `{"events":[]}`, 400, "events"},
		{"events not a list", `{"events":{"type":"reservation.created"}}`, 400, "events"},
		{"too many events", map[string]any{"events": many}, 400, "events"},
		{"unknown field", `{"events":[],"dry_run":true}`, 400, "dry_run"},
		{"bad JSON", `{"events":[{"type":`, 400, ""},
		{"empty body", ``, 400, ""},
		{"body over the limit", big, 413, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := a.do(t, http.MethodPost, "/v1/events/batch", tt.body, badRequest())
			d := r.wantError(t, tt.wantStatus, typeInvalidRequest, tt.wantParam)
			if d.Message == "" || strings.Contains(d.Message, "json:") {
				t.Errorf("message %q is not for people", d.Message)
			}
		})
	}
	// 500 is allowed, and a body over the single publish's limit too.
	full := make([]any, MaxBatchEvents)
	for i := range full {
		e := a.sampleEvent(t, "reservation.created")
		e["id"] = fmt.Sprintf("evt_full_%d", i)
		e["property_id"] = "prop_" + strings.Repeat("p", 59) // the longest allowed, for a body over 256 KiB
		e["created_at"] = "2026-04-13T16:22:31+02:00"
		full[i] = e
	}
	if body := encodeBody(t, map[string]any{"events": full}); len(body) <= DefaultBodyLimit {
		t.Fatalf("a full batch is %d bytes: the test wants one over the single publish's limit", len(body))
	}
	b, _ := a.publishBatch(t, full)
	b.wantCounts(t, MaxBatchEvents, 0, 0)
	if got := a.countEventsWith(t, "evt_full_"); got != MaxBatchEvents {
		t.Errorf("%d events stored, want %d", got, MaxBatchEvents)
	}
}

// countEventsWith pages through the events of a's key and counts those
// whose id starts with prefix.
func (a *testAPI) countEventsWith(t testing.TB, prefix string) int {
	t.Helper()
	n, after := 0, ""
	for {
		var l listBody[*core.Event]
		a.do(t, http.MethodGet, "/v1/events?limit=100&starting_after="+after, nil).decode(t, &l)
		for _, ev := range l.Data {
			if strings.HasPrefix(ev.ID, prefix) {
				n++
			}
		}
		if !l.HasMore {
			return n
		}
		after = l.Data[len(l.Data)-1].ID
	}
}

// TestPublishBatchCountsOnce: a batch takes one request from the rate
// limit and is one record of the activity log, however many events it has.
func TestPublishBatchCountsOnce(t *testing.T) {
	// Ten a minute refill one every 6 s: the two batches are counted, not
	// a refill between them on a slow box (at the default 3,000 a minute,
	// one comes back every 20 ms).
	a := newTestAPI(t, func(c *Config, _ *Deps) { c.RateLimit = 10 })
	events := []any{a.sampleEvent(t, "reservation.created"), a.sampleEvent(t, "reservation.created"), a.sampleEvent(t, "reservation.created")}
	_, first := a.publishBatch(t, events)
	_, second := a.publishBatch(t, events)
	before, _ := strconv.Atoi(first.Header.Get("X-RateLimit-Remaining"))
	after, _ := strconv.Atoi(second.Header.Get("X-RateLimit-Remaining"))
	if before-after != 1 {
		t.Errorf("X-RateLimit-Remaining went from %d to %d over a batch of %d, want one less", before, after, len(events))
	}
	var l listBody[*core.Activity]
	a.do(t, http.MethodGet, "/v1/activity?limit=100", nil).decode(t, &l)
	batches := 0
	for _, act := range l.Data {
		if act.Path == "/v1/events/batch" {
			batches++
		}
	}
	if batches != 2 {
		t.Errorf("activity has %d records of /v1/events/batch, want one per request (2)", batches)
	}
}

func TestPublishBatchIdempotentReplay(t *testing.T) {
	a := newTestAPI(t)
	withID := a.sampleEvent(t, "reservation.created")
	withID["id"] = "evt_keyed"
	events := []any{a.sampleEvent(t, "reservation.created"), withID, map[string]any{"type": "nope.nope", "property_id": "p", "data": map[string]any{"object": map[string]any{}}}}
	key := withHeader("Idempotency-Key", "batch-1")
	b, first := a.publishBatch(t, events, key)
	b.wantCounts(t, 2, 0, 1)
	if id := b.Data[0].Event.ID; !strings.HasPrefix(id, "evt_") || !strings.HasSuffix(id, "_0") {
		t.Errorf("keyed event without an id is %s, want evt_<seed>_0", id)
	}
	// The record names the events rather than keeping the answer: the
	// replay renders them again, byte for byte.
	records := a.Redis.Client.Keys(context.Background(), a.Redis.Prefix+"*:idem:*").Val()
	if len(records) != 1 {
		t.Fatalf("idempotency records = %v, want one", records)
	}
	rec := a.Redis.Client.HGetAll(context.Background(), records[0]).Val()
	if !strings.HasPrefix(rec["ref"], "batch:") || rec["body"] != "" || len(rec["ref"]) > len(first.Body)/2 {
		t.Errorf("record = %v, want a batch: reference, no body, well under the answer's %d bytes", rec, len(first.Body))
	}
	_, again := a.publishBatch(t, events, key)
	if again.Header.Get("Idempotent-Replayed") != "true" || string(again.Body) != string(first.Body) {
		t.Errorf("replay = %s (replayed %q), want the first answer %s", again.Body, again.Header.Get("Idempotent-Replayed"), first.Body)
	}
	if got := a.listEventIDs(t); len(got) != 2 {
		t.Errorf("events stored = %v, want the first answer's 2", got)
	}
	// The same key with other events is refused, as for any request.
	a.do(t, http.MethodPost, "/v1/events/batch", map[string]any{"events": events[:1]}, key).
		wantError(t, http.StatusBadRequest, typeIdempotency, "Idempotency-Key")
}

// lostBatchReply stores the batch, then fails as if Redis's reply were lost
// on the way back: the request answers 503 though the events are stored.
type lostBatchReply struct {
	core.EventService
	lose atomic.Bool
}

func (l *lostBatchReply) PublishEvents(ctx context.Context, scope core.Scope, in []core.EventInput) ([]core.PublishResult, error) {
	res, err := l.EventService.PublishEvents(ctx, scope, in)
	if err == nil && l.lose.Load() {
		return nil, core.Errorf(core.EUNAVAILABLE, "reply lost")
	}
	return res, err
}

// TestPublishBatchRetryFindsStoredEvents: when the first request stored its
// events but could not answer, the retry with the same key answers 201 for
// each with the very events stored (their ids derive from the key's seed
// and the index) and stores nothing twice.
func TestPublishBatchRetryFindsStoredEvents(t *testing.T) {
	lost := &lostBatchReply{}
	lost.lose.Store(true)
	a := newTestAPI(t, func(_ *Config, d *Deps) { lost.EventService = d.Events; d.Events = lost })
	withID := a.sampleEvent(t, "guest.checked_in")
	withID["id"] = "evt_pms_7"
	events := []any{a.sampleEvent(t, "reservation.created"), withID, a.sampleEvent(t, "payment.failed")}
	key := withHeader("Idempotency-Key", "batch-stored-then-lost")
	a.do(t, http.MethodPost, "/v1/events/batch", map[string]any{"events": events}, key).wantError(t, http.StatusServiceUnavailable, typeAPI, "")
	stored := a.listEventIDs(t)
	if len(stored) != 3 {
		t.Fatalf("the lost request stored %v, want 3 events", stored)
	}
	lost.lose.Store(false)

	b, r := a.publishBatch(t, events, key)
	if r.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("the retry replayed the 503")
	}
	b.wantCounts(t, 2, 1, 0) // the publisher's own id was found, as a single publish finds it
	answered := []string{b.Data[2].Event.ID, b.Data[1].Event.ID, b.Data[0].Event.ID}
	if got := a.listEventIDs(t); strings.Join(got, ",") != strings.Join(stored, ",") || strings.Join(answered, ",") != strings.Join(stored, ",") {
		t.Errorf("after the retry events = %v and the answer names %v, want only the first request's %v", got, answered, stored)
	}
	// Without a key, the same events are new events as ever.
	plain, _ := a.publishBatch(t, events[:1])
	if plain.Data[0].Event.ID == b.Data[0].Event.ID {
		t.Errorf("a batch without a key got the keyed event's id")
	}
}

// countingBatches records how many PublishEvents calls ran at once at most.
// Each holds its turn a moment, so that calls free to overlap do.
type countingBatches struct {
	core.EventService
	running, most atomic.Int32
}

func (c *countingBatches) PublishEvents(ctx context.Context, scope core.Scope, in []core.EventInput) ([]core.PublishResult, error) {
	n := c.running.Add(1)
	defer c.running.Add(-1)
	for m := c.most.Load(); n > m && !c.most.CompareAndSwap(m, n); m = c.most.Load() {
	}
	time.Sleep(20 * time.Millisecond) // a hold, not a wait for a condition: it gives concurrent calls the chance to overlap
	return c.EventService.PublishEvents(ctx, scope, in)
}

// TestPublishBatchTakesTurns: no more batches run at once than
// Config.BatchConcurrency; the others wait their turn and are answered.
func TestPublishBatchTakesTurns(t *testing.T) {
	counting := &countingBatches{}
	a := newTestAPI(t, func(c *Config, d *Deps) {
		c.BatchConcurrency = 1
		counting.EventService = d.Events
		d.Events = counting
	})
	events := []any{a.sampleEvent(t, "reservation.created")}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { a.publishBatch(t, events) })
	}
	wg.Wait()
	if most := counting.most.Load(); most != 1 {
		t.Errorf("%d batches ran at once, want 1", most)
	}
	if got := a.listEventIDs(t); len(got) != 4 {
		t.Errorf("%d events stored, want 4", len(got))
	}
}

// TestBatchBodyAppendJSON holds the batch answer written by hand to what
// json.Marshal writes for it: events with characters JSON escapes, an item
// with an error, and counts.
func TestBatchBodyAppendJSON(t *testing.T) {
	at := time.Date(2026, 12, 2, 11, 37, 4, 0, time.UTC)
	items := []batchItem{
		{Index: 0, Status: http.StatusCreated, Event: &core.Event{ID: "evt_1", Type: "reservation.created", CreatedAt: at,
			APIVersion: core.APIVersion, PropertyID: "prop_<1>&\u2028", Data: core.EventData{Object: mustCompact(t, `{"guest": "Zoë \"Z\" <z@x>", "n": [1, 2.5]}`)}}},
		{Index: 1, Status: http.StatusBadRequest, Error: &errorDetail{Type: "invalid_request_error", Code: "parameter_invalid",
			Message: "events[1].data.object.guest: must be <a string>.", Param: "events[1].data.object.guest"}},
		{Index: 2, Status: http.StatusOK, Event: &core.Event{ID: "evt_2", Type: "x", CreatedAt: at, APIVersion: core.APIVersion, Livemode: true}},
	}
	body := tally(items)
	want, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	if got := body.appendJSON(nil); string(got) != string(want) {
		t.Fatalf("appendJSON = %s\njson.Marshal = %s", got, want)
	}
	if empty := tally([]batchItem{}); string(empty.appendJSON(nil)) != mustMarshal(t, empty) {
		t.Fatalf("an empty batch: appendJSON = %s, json.Marshal = %s", empty.appendJSON(nil), mustMarshal(t, empty))
	}
}

func mustCompact(t *testing.T, object string) json.RawMessage {
	b, err := core.CompactObject(json.RawMessage(object))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustMarshal(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
