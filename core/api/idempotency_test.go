package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
)

// hookedEvents runs before ahead of every publish, single or batch: to
// hold a request in flight, or to fail it.
type hookedEvents struct {
	core.EventService
	before func() error
}

func (h *hookedEvents) PublishEvent(ctx context.Context, scope core.Scope, in core.EventInput) (*core.Event, bool, error) {
	if err := h.before(); err != nil {
		return nil, false, err
	}
	return h.EventService.PublishEvent(ctx, scope, in)
}

func (h *hookedEvents) PublishEvents(ctx context.Context, scope core.Scope, in []core.EventInput) ([]core.PublishResult, error) {
	if err := h.before(); err != nil {
		return nil, err
	}
	return h.EventService.PublishEvents(ctx, scope, in)
}

// hookPublish is a newTestAPI option that installs before.
func hookPublish(before func() error) func(*Config, *Deps) {
	return func(_ *Config, d *Deps) { d.Events = &hookedEvents{EventService: d.Events, before: before} }
}

// countEvents returns how many events key's scope lists.
func (a *testAPI) countEvents(t testing.TB, key string) int {
	t.Helper()
	var l listBody[*core.Event]
	r := a.do(t, http.MethodGet, "/v1/events?limit=100", nil, withKey(key))
	r.wantStatus(t, http.StatusOK)
	r.decode(t, &l)
	return len(l.Data)
}

func TestIdempotencyReplay(t *testing.T) {
	a := newTestAPI(t)
	body := a.sampleEvent(t, "reservation.created")
	key := withHeader("Idempotency-Key", "publish-1")
	first := a.do(t, http.MethodPost, "/v1/events", body, key)
	first.wantStatus(t, http.StatusCreated)
	if first.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("the first response says it is replayed")
	}
	again := a.do(t, http.MethodPost, "/v1/events", body, key)
	again.wantStatus(t, http.StatusCreated)
	if again.Header.Get("Idempotent-Replayed") != "true" || string(again.Body) != string(first.Body) {
		t.Errorf("replay = %s (replayed %q), want the first response %s", again.Body, again.Header.Get("Idempotent-Replayed"), first.Body)
	}
	if again.Header.Get("X-Request-Id") == first.Header.Get("X-Request-Id") {
		t.Errorf("the replay reuses the first request id")
	}
	if n := a.countEvents(t, a.Key); n != 1 {
		t.Errorf("%d events stored, want 1", n)
	}

	other := a.sampleEvent(t, "reservation.created")
	other["property_id"] = "prop_other"
	tests := []struct {
		name      string
		path      string
		body      any
		key       string
		wantType  string
		wantParam string
	}{
		{"same key, other body", "/v1/events", other, "publish-1", typeIdempotency, "Idempotency-Key"},
		{"same key, other path", "/v1/api_keys", map[string]any{"name": "x"}, "publish-1", typeIdempotency, "Idempotency-Key"},
		{"key too long", "/v1/events", body, strings.Repeat("k", 256), typeInvalidRequest, "Idempotency-Key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a.do(t, http.MethodPost, tt.path, tt.body, withHeader("Idempotency-Key", tt.key), badRequest()).
				wantError(t, http.StatusBadRequest, tt.wantType, tt.wantParam)
		})
	}
	if n := a.countEvents(t, a.Key); n != 1 {
		t.Errorf("%d events stored after the refusals, want 1", n)
	}
	// The same key in another account is another key.
	a.do(t, http.MethodPost, "/v1/events", body, key, withKey(a.OtherKey)).wantStatus(t, http.StatusCreated)
	// 255 characters is allowed.
	a.do(t, http.MethodPost, "/v1/events", body, withHeader("Idempotency-Key", strings.Repeat("k", 255))).wantStatus(t, http.StatusCreated)
}

// holdFirstPublish returns a test API whose first publish, single or batch,
// stops before it stores anything: entered is closed when it gets there,
// and it goes on once release is closed.
func holdFirstPublish(t *testing.T) (a *testAPI, entered, release chan struct{}) {
	entered, release = make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	a = newTestAPI(t, hookPublish(func() error {
		if calls.Add(1) == 1 {
			close(entered)
			<-release
		}
		return nil
	}))
	return a, entered, release
}

// TestIdempotencyInFlight: a retry while the first request with the key
// still runs gets 409, and a replay once it has finished. The batch publish
// holds a claim while it runs, as every POST but the single publish does.
func TestIdempotencyInFlight(t *testing.T) {
	a, entered, release := holdFirstPublish(t)
	body := map[string]any{"events": []any{a.sampleEvent(t, "reservation.created")}}
	key := withHeader("Idempotency-Key", "held")
	done := make(chan *response, 1)
	go func() { done <- a.do(t, http.MethodPost, "/v1/events/batch", body, key) }()
	select {
	case <-entered:
	case <-time.After(timeout):
		t.Fatal("the first request never reached the publish")
	}
	d := a.do(t, http.MethodPost, "/v1/events/batch", body, key).wantError(t, http.StatusConflict, typeIdempotency, "")
	close(release)
	if d.Code != "idempotency_key_in_use" {
		t.Errorf("code = %q, want idempotency_key_in_use", d.Code)
	}
	select {
	case first := <-done:
		first.wantStatus(t, http.StatusOK)
	case <-time.After(timeout):
		t.Fatal("the first request never finished")
	}
	again := a.do(t, http.MethodPost, "/v1/events/batch", body, key)
	again.wantStatus(t, http.StatusOK)
	if again.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("the request after the first finished was not a replay")
	}
	if n := a.countEvents(t, a.Key); n != 1 {
		t.Errorf("%d events stored, want 1", n)
	}
}

// TestIdempotentPublishRace: a single publish settles its key in the step
// that stores the event (core.OnceKey), so it holds no claim while it
// validates. Two requests with one key racing each other store one event:
// the one that reaches the store first answers 201, and the other, finding
// the key's record, replays that answer.
func TestIdempotentPublishRace(t *testing.T) {
	a, entered, release := holdFirstPublish(t)
	body := a.sampleEvent(t, "reservation.created")
	key := withHeader("Idempotency-Key", "raced")
	done := make(chan *response, 1)
	go func() { done <- a.do(t, http.MethodPost, "/v1/events", body, key) }()
	select {
	case <-entered:
	case <-time.After(timeout):
		t.Fatal("the first request never reached the publish")
	}
	second := a.do(t, http.MethodPost, "/v1/events", body, key)
	close(release)
	second.wantStatus(t, http.StatusCreated)
	var first *response
	select {
	case first = <-done:
	case <-time.After(timeout):
		t.Fatal("the first request never finished")
	}
	first.wantStatus(t, http.StatusCreated)
	if string(first.Body) != string(second.Body) {
		t.Errorf("the racing requests answered %s and %s, want the same event", first.Body, second.Body)
	}
	if second.Header.Get("Idempotent-Replayed") != "" || first.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("Idempotent-Replayed: first (stored second) %q, second (stored first) %q; want true and none",
			first.Header.Get("Idempotent-Replayed"), second.Header.Get("Idempotent-Replayed"))
	}
	if n := a.countEvents(t, a.Key); n != 1 {
		t.Errorf("%d events stored, want 1", n)
	}
}

// TestIdempotencyReleasedAfter5xx: a request that failed on the server's
// side does not pin its key to the failure; the retry does the work.
func TestIdempotencyReleasedAfter5xx(t *testing.T) {
	var fail atomic.Bool
	fail.Store(true)
	a := newTestAPI(t, hookPublish(func() error {
		if fail.Load() {
			return errors.New("disk on fire")
		}
		return nil
	}))
	body := a.sampleEvent(t, "reservation.created")
	key := withHeader("Idempotency-Key", "retry-me")
	d := a.do(t, http.MethodPost, "/v1/events", body, key).wantError(t, http.StatusInternalServerError, typeAPI, "")
	if strings.Contains(d.Message, "fire") || d.Message != internalMessage {
		t.Errorf("message = %q, want the generic one", d.Message)
	}
	fail.Store(false)
	r := a.do(t, http.MethodPost, "/v1/events", body, key)
	r.wantStatus(t, http.StatusCreated)
	if r.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("the retry replayed the 500")
	}
}

// lostReply stores the event, then fails as if Redis's reply were lost on
// the way back: the publish answers 503 though the event is stored.
type lostReply struct {
	core.EventService
	lose atomic.Bool
}

func (l *lostReply) PublishEvent(ctx context.Context, scope core.Scope, in core.EventInput) (*core.Event, bool, error) {
	ev, created, err := l.EventService.PublishEvent(ctx, scope, in)
	if err == nil && l.lose.Load() {
		return nil, false, core.Errorf(core.EUNAVAILABLE, "reply lost")
	}
	return ev, created, err
}

// TestIdempotencyRetryFindsStoredEvent: when the first request stored its
// event but could not answer, the retry with the same key answers 201 with
// that very event (the claim's seed names it) instead of publishing another.
func TestIdempotencyRetryFindsStoredEvent(t *testing.T) {
	lost := &lostReply{}
	lost.lose.Store(true)
	a := newTestAPI(t, func(_ *Config, d *Deps) { lost.EventService = d.Events; d.Events = lost })
	body := a.sampleEvent(t, "reservation.created")
	key := withHeader("Idempotency-Key", "stored-then-lost")
	a.do(t, http.MethodPost, "/v1/events", body, key).wantError(t, http.StatusServiceUnavailable, typeAPI, "")
	lost.lose.Store(false)

	r := a.do(t, http.MethodPost, "/v1/events", body, key)
	r.wantStatus(t, http.StatusCreated)
	var ev core.Event
	r.decode(t, &ev)
	var l listBody[*core.Event]
	a.do(t, http.MethodGet, "/v1/events?limit=100", nil).decode(t, &l)
	if len(l.Data) != 1 || l.Data[0].ID != ev.ID {
		t.Fatalf("events stored = %v, want only the retry's answer %s", l.Data, ev.ID)
	}
	// A publish without a key, or with another one, is a new event as ever.
	if other := a.publish(t); other.ID == ev.ID {
		t.Errorf("a publish without a key got the keyed event's id")
	}
}

// TestIdempotentPublishIsItsEventsRecord holds that a publish without an
// id under a fresh Idempotency-Key leaves no record: its event, named after
// the key, is the record, so that a retry is answered byte for byte as the
// first was, a retry with other parameters is refused, and the event is
// stored once.
func TestIdempotentPublishIsItsEventsRecord(t *testing.T) {
	a := newTestAPI(t)
	ctx := context.Background()
	key := withHeader("Idempotency-Key", "publish-in-event")
	body := a.sampleEvent(t, "reservation.created")
	first := a.do(t, http.MethodPost, "/v1/events", body, key)
	first.wantStatus(t, http.StatusCreated)
	var ev core.Event
	first.decode(t, &ev)
	k, err := a.Store.Authenticate(ctx, a.Key)
	if err != nil {
		t.Fatal(err)
	}
	if ev.ID != core.KeyedEventID(k.Scope(), "publish-in-event") {
		t.Fatalf("event id %s, want the one named after the key", ev.ID)
	}
	if records := a.Redis.Client.Keys(ctx, a.Redis.Prefix+"*:idem:*").Val(); len(records) != 0 {
		t.Fatalf("idempotency records = %v, want none: the event is the record", records)
	}

	again := a.do(t, http.MethodPost, "/v1/events", body, key)
	again.wantStatus(t, http.StatusCreated)
	if string(again.Body) != string(first.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry = %s (replayed %q), want %s replayed", again.Body, again.Header.Get("Idempotent-Replayed"), first.Body)
	}
	other := a.sampleEvent(t, "reservation.created")
	other["property_id"] = "prop_other"
	refused := a.do(t, http.MethodPost, "/v1/events", other, key)
	refused.wantError(t, http.StatusBadRequest, "idempotency_error", "Idempotency-Key")
	var l listBody[*core.Event]
	a.do(t, http.MethodGet, "/v1/events?limit=100", nil).decode(t, &l)
	if len(l.Data) != 1 || l.Data[0].ID != ev.ID {
		t.Fatalf("events stored = %v, want only %s", l.Data, ev.ID)
	}
	// Another account's publish with the same key is another event.
	theirs := a.do(t, http.MethodPost, "/v1/events", body, key, withKey(a.OtherKey))
	theirs.wantStatus(t, http.StatusCreated)
	var their core.Event
	if theirs.decode(t, &their); their.ID == ev.ID {
		t.Errorf("two accounts publishing under one key both got event %s", ev.ID)
	}
	// The same key on another route was used by this publish.
	a.do(t, http.MethodPost, "/v1/webhook_endpoints", map[string]any{"url": "https://example.com/hook", "enabled_events": []string{"*"}}, key).
		wantError(t, http.StatusBadRequest, "idempotency_error", "Idempotency-Key")
}

// TestIdempotentPublishKeepsAReference holds that the record an idempotent
// publish of an event with its own id leaves names its event instead of
// keeping a second copy of it, that a replay renders that event byte for
// byte as the first answer was, and that once the event is gone the replay
// says so instead of pretending.
func TestIdempotentPublishKeepsAReference(t *testing.T) {
	a := newTestAPI(t)
	ctx := context.Background()
	key := withHeader("Idempotency-Key", "publish-ref")
	body := a.sampleEvent(t, "reservation.created")
	body["id"] = "evt_own_id_1"
	first := a.do(t, http.MethodPost, "/v1/events", body, key)
	first.wantStatus(t, http.StatusCreated)
	var ev core.Event
	first.decode(t, &ev)

	records := a.Redis.Client.Keys(ctx, a.Redis.Prefix+"*:idem:*").Val()
	if len(records) != 1 {
		t.Fatalf("idempotency records = %v, want one", records)
	}
	rec := a.Redis.Client.HGetAll(ctx, records[0]).Val()
	if rec["ref"] != "event:"+ev.ID || rec["body"] != "" {
		t.Fatalf("record = %v, want ref event:%s and no body", rec, ev.ID)
	}
	again := a.do(t, http.MethodPost, "/v1/events", body, key)
	again.wantStatus(t, http.StatusCreated)
	if string(again.Body) != string(first.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay = %s, want %s", again.Body, first.Body)
	}

	// The event aged out (or a cap dropped it): nothing to render.
	events := a.Redis.Client.Keys(ctx, a.Redis.Prefix+"*:events").Val()
	if len(events) == 0 {
		t.Fatal("no events stream to drop")
	}
	a.Redis.Client.Del(ctx, events...)
	gone := a.do(t, http.MethodPost, "/v1/events", body, key)
	gone.wantStatus(t, http.StatusNotFound)
	if !strings.Contains(string(gone.Body), "idempotent_response_gone") || !strings.Contains(string(gone.Body), ev.ID) {
		t.Errorf("replay of a gone event = %s, want idempotent_response_gone naming %s", gone.Body, ev.ID)
	}
}
