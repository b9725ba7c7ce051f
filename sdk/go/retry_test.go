package bellhop_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	bellhop "github.com/bellhop/bellhop/sdk/go"
)

// fakeHub answers each request with the next of its handlers (the last one
// again once they run out) and records what it was sent.
type fakeHub struct {
	mu       sync.Mutex
	handlers []http.HandlerFunc
	requests []recorded
}

type recorded struct {
	Method, Path, Query, IdempotencyKey, Authorization string
	Body                                               string
}

func (f *fakeHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	n := len(f.requests)
	f.requests = append(f.requests, recorded{r.Method, r.URL.Path, r.URL.RawQuery,
		r.Header.Get("Idempotency-Key"), r.Header.Get("Authorization"), string(body)})
	h := f.handlers[min(n, len(f.handlers)-1)]
	f.mu.Unlock()
	h(w, r)
}

func (f *fakeHub) sent() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.requests...)
}

func startFake(t *testing.T, handlers ...http.HandlerFunc) (*fakeHub, *bellhop.Client) {
	t.Helper()
	return startFakeWith(t, nil, handlers...)
}

// startFakeWith starts a fake hub and a client of it with opts, a backoff
// of 1ms unless they say otherwise.
func startFakeWith(t *testing.T, opts []bellhop.Option, handlers ...http.HandlerFunc) (*fakeHub, *bellhop.Client) {
	t.Helper()
	f := &fakeHub{handlers: handlers}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	opts = append([]bellhop.Option{bellhop.WithBaseURL(srv.URL), bellhop.WithRetryBackoff(time.Millisecond)}, opts...)
	c, err := bellhop.NewClient("bh_test_fake", opts...)
	if err != nil {
		t.Fatal(err)
	}
	return f, c
}

func answer(status int, body string, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// room is the data of the events the fake hub is sent.
var room = bellhop.Custom{Type: "room.cleaned", Object: map[string]any{"room": "101"}}

const (
	eventJSON   = `{"id":"evt_1","type":"reservation.created","created_at":"2026-04-13T14:22:31Z","api_version":"2026-01-15","livemode":false,"property_id":"prop_1","data":{"object":{"id":"res_1"}}}`
	rateLimited = `{"error":{"type":"rate_limit_error","code":"rate_limit_exceeded","message":"Too many requests.","request_id":"req_limited","doc_url":"http://hub/docs/errors#rate_limit_exceeded"}}`
	unavailable = `{"error":{"type":"api_error","message":"Unavailable.","request_id":"req_down","doc_url":"http://hub/docs/errors#api_error"}}`
)

func TestRetryHonoursRetryAfterAndReusesTheIdempotencyKey(t *testing.T) {
	f, c := startFake(t,
		answer(http.StatusTooManyRequests, rateLimited, "Retry-After", "1"),
		answer(http.StatusCreated, eventJSON))
	ev, err := c.Events.Publish(t.Context(), "prop_1", room)
	if err != nil {
		t.Fatal(err)
	}
	sent := f.sent()
	if ev.ID != "evt_1" || len(sent) != 2 {
		t.Fatalf("got %v after %d requests, want evt_1 after 2", ev.ID, len(sent))
	}
	if sent[0].IdempotencyKey == "" || sent[1].IdempotencyKey != sent[0].IdempotencyKey {
		t.Fatalf("Idempotency-Keys %q then %q, want one key reused", sent[0].IdempotencyKey, sent[1].IdempotencyKey)
	}
	if sent[1].Body != sent[0].Body || sent[1].Body == "" {
		t.Fatalf("the retry sent %q after %q", sent[1].Body, sent[0].Body)
	}
	if sent[0].Authorization != "Bearer bh_test_fake" || sent[1].Authorization != sent[0].Authorization {
		t.Fatalf("Authorization %q, %q", sent[0].Authorization, sent[1].Authorization)
	}
}

func TestRetryAfterServerErrorsAndConnectionErrors(t *testing.T) {
	hangUp := func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}
	f, c := startFake(t, hangUp, answer(http.StatusServiceUnavailable, unavailable), answer(http.StatusOK, eventJSON))
	ev, err := c.Events.Publish(t.Context(), "prop_1", room)
	if err != nil {
		t.Fatal(err)
	}
	sent := f.sent()
	if ev.ID != "evt_1" || len(sent) != 3 {
		t.Fatalf("got %v after %d requests, want evt_1 after 3", ev.ID, len(sent))
	}
	for _, r := range sent[1:] {
		if r.IdempotencyKey != sent[0].IdempotencyKey {
			t.Fatalf("Idempotency-Keys %q and %q across retries", sent[0].IdempotencyKey, r.IdempotencyKey)
		}
	}
}

func TestRetriesAreBounded(t *testing.T) {
	f, c := startFakeWith(t, []bellhop.Option{bellhop.WithMaxRetries(2)}, answer(http.StatusInternalServerError, unavailable))
	_, err := c.Events.Get(t.Context(), "evt_1")
	var apiErr *bellhop.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 || apiErr.RequestID != "req_down" {
		t.Fatalf("after the retries: %v", err)
	}
	if n := len(f.sent()); n != 3 {
		t.Fatalf("%d requests with 2 retries, want 3", n)
	}
}

func TestNoRetry(t *testing.T) {
	t.Run("on a 4xx", func(t *testing.T) {
		f, c := startFake(t, answer(http.StatusNotFound, `{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such event.","request_id":"req_1","doc_url":"x"}}`))
		_, err := c.Events.Get(t.Context(), "evt_1")
		var apiErr *bellhop.Error
		if !errors.As(err, &apiErr) || apiErr.Code != "resource_missing" || len(f.sent()) != 1 {
			t.Fatalf("%v after %d requests", err, len(f.sent()))
		}
	})
	t.Run("when Retry-After is beyond the bound", func(t *testing.T) {
		// The backoff alone (1ms) would retry: only Retry-After stops it.
		f, c := startFakeWith(t, []bellhop.Option{bellhop.WithMaxRetryWait(500 * time.Millisecond)},
			answer(http.StatusTooManyRequests, rateLimited, "Retry-After", "1"))
		_, err := c.Events.Get(t.Context(), "evt_1")
		var apiErr *bellhop.Error
		if !errors.As(err, &apiErr) || apiErr.Type != "rate_limit_error" || apiErr.StatusCode != 429 || len(f.sent()) != 1 {
			t.Fatalf("%v after %d requests", err, len(f.sent()))
		}
	})
	t.Run("once the context is done", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		f, c := startFake(t, func(w http.ResponseWriter, r *http.Request) {
			cancel() // the caller gives up while the client waits to retry
			answer(http.StatusTooManyRequests, rateLimited, "Retry-After", "20")(w, r)
		})
		_, err := c.Events.Get(ctx, "evt_1")
		if !errors.Is(err, context.Canceled) || len(f.sent()) != 1 {
			t.Fatalf("%v after %d requests", err, len(f.sent()))
		}
	})
}

func TestErrorWithoutTheAPIsBody(t *testing.T) {
	_, c := startFake(t, answer(http.StatusBadGateway, "<html>bad gateway</html>", "X-Request-Id", "req_proxy"))
	_, err := c.Events.Get(t.Context(), "evt_1")
	var apiErr *bellhop.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 502 || apiErr.Type != "api_error" || apiErr.RequestID != "req_proxy" {
		t.Fatalf("a proxy's page: %#v", err)
	}
}

func TestUnsetParamsAreNotSent(t *testing.T) {
	f, c := startFake(t, answer(http.StatusOK, `{"object":"list","data":[],"has_more":false,"url":"/v1/events"}`))
	for _, err := range c.Events.List(t.Context(), &bellhop.ListEventsParams{Type: "reservation.created"}) {
		t.Fatal(err)
	}
	if q := f.sent()[0].Query; q != "type=reservation.created" {
		t.Fatalf("query %q, want only type", q)
	}
}
