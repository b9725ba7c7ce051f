package console

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
)

// Fixtures of the delivery pages' tests (home, events, event types,
// endpoints, the inspector, backfills), made through the core services.

// receiver is an HTTP server answering every POST with status, keeping the
// headers of the requests it got.
type receiver struct {
	URL     string
	mu      sync.Mutex
	headers []http.Header
}

func newReceiver(t *testing.T, status int) *receiver {
	r := &receiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.headers = append(r.headers, req.Header.Clone())
		r.mu.Unlock()
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"received":true}`))
	}))
	t.Cleanup(srv.Close)
	r.URL = srv.URL + "/hook"
	return r
}

// newEndpoint subscribes an endpoint at u to every event; one attempt
// only, so a failing receiver fails the delivery at once.
func newEndpoint(t *testing.T, h *harness, u string, headers map[string]string) *core.Endpoint {
	t.Helper()
	ep, _, err := h.deps.Endpoints.CreateEndpoint(context.Background(), h.scope, core.EndpointInput{
		URL: &u, EnabledEvents: []string{"*"}, Headers: headers,
		RetrySchedule: &core.RetrySchedule{Delays: []time.Duration{0}}})
	if err != nil {
		t.Fatalf("CreateEndpoint: %v", err)
	}
	return ep
}

// xssType registers a custom event type whose description and sample hold
// markup, and returns its name.
func xssType(t *testing.T, h *harness) string {
	t.Helper()
	et := &core.EventType{Type: "test.xss_probe", Description: "Probe " + xss,
		Schema: json.RawMessage(`{"type":"object"}`), Sample: json.RawMessage(`{"name":` + strconvQuote(xss) + `}`)}
	if err := h.deps.EventTypes.CreateEventType(context.Background(), h.scope, et); err != nil {
		t.Fatalf("CreateEventType: %v", err)
	}
	return et.Type
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// publish publishes an event of typ whose object holds xss.
func publish(t *testing.T, h *harness, typ string) *core.Event {
	t.Helper()
	ev, _, err := h.deps.Events.PublishEvent(context.Background(), h.scope, core.EventInput{
		Type: typ, PropertyID: "prop_1", Object: json.RawMessage(`{"name":` + strconvQuote(xss) + `}`)})
	if err != nil {
		t.Fatalf("PublishEvent: %v", err)
	}
	return ev
}

// waitDelivery waits until the event's delivery to target has ended (or
// has had an attempt) and returns it.
func waitDelivery(t *testing.T, h *harness, eventID string, target core.Target) *core.Delivery {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		l, err := h.deps.Deliveries.ListEventDeliveries(context.Background(), h.scope, eventID, core.Page{Limit: 100})
		if err != nil {
			t.Fatalf("ListEventDeliveries: %v", err)
		}
		for _, d := range l.Data {
			if d.Target == target && d.AttemptCount > 0 && d.Status != core.StatusPending {
				return d
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no ended delivery of %s to %s", eventID, target.ID)
	return nil
}

func endpointTarget(ep *core.Endpoint) core.Target {
	return core.Target{Kind: core.TargetEndpoint, ID: ep.ID}
}

// wantStatus fails unless got is want.
func wantStatus(t *testing.T, what string, got, want int, body string) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: status %d, want %d; body:\n%s", what, got, want, trimBody(body))
	}
}

func trimBody(b string) string {
	if i := strings.Index(b, `<main`); i >= 0 {
		b = b[i:]
	}
	if len(b) > 3000 {
		b = b[:3000] + "…"
	}
	return b
}

func wantContains(t *testing.T, what, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(body, s) {
			t.Errorf("%s: page lacks %q", what, s)
		}
	}
}

func wantLacks(t *testing.T, what, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(body, s) {
			t.Errorf("%s: page shows %q", what, s)
		}
	}
}

var secretPattern = regexp.MustCompile(core.SecretPrefix + `[A-Za-z0-9+/=_-]{20,}`)

func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}
