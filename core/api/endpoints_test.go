package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/delivery"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/secretbox"
)

// newDeliveryAPI starts the API with a running delivery engine behind the
// endpoint and delivery routes: the same Redis prefix, secrets sealed at
// rest, a compressed retry schedule and short stream waits.
func newDeliveryAPI(t *testing.T) *testAPI {
	t.Helper()
	return newTestAPI(t, func(_ *Config, deps *Deps) {
		plain := deps.Keys.(*redisstore.Store)
		box, err := secretbox.New(secretbox.GenerateKey())
		if err != nil {
			t.Fatal(err)
		}
		store := redisstore.New(plain.Client(), redisstore.Options{Prefix: plain.Prefix(), Sealer: box})
		eng := delivery.New(delivery.Options{
			Store: store, Events: deps.Events, EventTypes: deps.EventTypes,
			Block: 50 * time.Millisecond, MaxIdle: 50 * time.Millisecond, ScopeRefresh: 100 * time.Millisecond,
			DeferDelay: 20 * time.Millisecond, RotationGrace: time.Hour,
			Schedule: []time.Duration{0, 50 * time.Millisecond, 100 * time.Millisecond}, ForceSchedule: true,
		})
		deps.Endpoints, deps.Deliveries = delivery.NewEndpoints(eng, delivery.EndpointOptions{}), eng
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			if err := eng.Run(ctx); err != nil {
				t.Errorf("run engine: %v", err)
			}
		}()
		t.Cleanup(func() { cancel(); <-done })
	})
}

// createEndpoint registers an endpoint with body (url and enabled_events
// default to url and ["*"]) and returns it with its secret.
func (a *testAPI) createEndpoint(t *testing.T, url string, body map[string]any, opts ...callOpt) createdEndpoint {
	t.Helper()
	if body == nil {
		body = map[string]any{}
	}
	if _, ok := body["url"]; !ok {
		body["url"] = url
	}
	if _, ok := body["enabled_events"]; !ok {
		body["enabled_events"] = []string{"*"}
	}
	r := a.do(t, http.MethodPost, "/v1/webhook_endpoints", body, opts...)
	r.wantStatus(t, http.StatusCreated)
	var ep createdEndpoint
	r.decode(t, &ep)
	if !strings.HasPrefix(ep.Secret, core.SecretPrefix) || !strings.HasPrefix(ep.ID, "whe_") {
		t.Fatalf("created endpoint %s: want a whe_ id and a whsec_ secret", r.Body)
	}
	return ep
}

// hookReceiver records every request it gets and answers 200.
type hookReceiver struct {
	*httptest.Server
	mu  sync.Mutex
	got []hook
}

// hook is one request the receiver got.
type hook struct {
	header http.Header
	body   []byte
	event  core.Event
}

func newHookReceiver(t *testing.T) *hookReceiver {
	t.Helper()
	rc := &hookReceiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h := hook{header: r.Header.Clone(), body: body}
		json.Unmarshal(body, &h.event)
		rc.mu.Lock()
		rc.got = append(rc.got, h)
		rc.mu.Unlock()
		io.WriteString(w, "ok")
	}))
	t.Cleanup(rc.Close)
	return rc
}

// hooks returns what the receiver got so far.
func (rc *hookReceiver) hooks() []hook {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]hook(nil), rc.got...)
}

// waitHooks waits, bounded, until the receiver got at least n requests and
// returns them; the test fails if they never come.
func (rc *hookReceiver) waitHooks(t *testing.T, n int) []hook {
	t.Helper()
	pollUntil(t, "the receiver to get a delivery", func() bool { return len(rc.hooks()) >= n })
	return rc.hooks()
}

// pollUntil waits, bounded by timeout, for cond. It is a wait for an outcome,
// not a timing assertion.
func pollUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// max_concurrency is bounded by the hub's maximum (50 by default), and the
// error says what the maximum is.
func TestWebhookEndpointMaxConcurrency(t *testing.T) {
	a := newDeliveryAPI(t)
	ep := a.createEndpoint(t, "http://127.0.0.1:9/hook", map[string]any{"max_concurrency": 50})
	if ep.MaxConcurrency != 50 {
		t.Errorf("max_concurrency = %d, want 50", ep.MaxConcurrency)
	}
	r := a.do(t, http.MethodPost, "/v1/webhook_endpoints/"+ep.ID, map[string]any{"max_concurrency": 51}, badRequest())
	d := r.wantError(t, http.StatusBadRequest, typeInvalidRequest, "max_concurrency")
	if want := "max_concurrency must be between 0 (the default) and 50"; !strings.HasPrefix(d.Message, want) {
		t.Errorf("message = %q, want one starting %q", d.Message, want)
	}
}

func TestWebhookEndpointBadInput(t *testing.T) {
	a := newDeliveryAPI(t)
	ep := a.createEndpoint(t, "http://127.0.0.1:9/hook", nil)
	live := a.createEndpoint(t, "https://hooks.example.com/in", nil, withKey(a.LiveKey))
	ev := a.publish(t)
	base := "/v1/webhook_endpoints/" + ep.ID
	create := func(fields map[string]any) map[string]any {
		b := map[string]any{"url": "https://hooks.example.com/in", "enabled_events": []string{"*"}}
		for k, v := range fields {
			b[k] = v
		}
		return b
	}
	delays := make([]string, core.MaxRetryAttempts+1)
	for i := range delays {
		delays[i] = "1s"
	}
	now := time.Now().UTC()
	cases := []struct {
		name   string
		method string
		path   string
		body   any
		key    string // default a.Key
		status int
		param  string
	}{
		{"url not http", "POST", "/v1/webhook_endpoints", create(map[string]any{"url": "ftp://hooks.example.com/in"}), "", 400, "url"},
		{"url relative", "POST", "/v1/webhook_endpoints", create(map[string]any{"url": "/in"}), "", 400, "url"},
		{"url missing", "POST", "/v1/webhook_endpoints", map[string]any{"enabled_events": []string{"*"}}, "", 400, "url"},
		{"live url needs https", "POST", "/v1/webhook_endpoints", create(map[string]any{"url": "http://hooks.example.com/in"}), a.LiveKey, 400, "url"},
		{"live url loopback", "POST", "/v1/webhook_endpoints", create(map[string]any{"url": "https://127.0.0.1/in"}), a.LiveKey, 400, "url"},
		{"live url localhost", "POST", "/v1/webhook_endpoints", create(map[string]any{"url": "https://localhost:8443/in"}), a.LiveKey, 400, "url"},
		{"live url private", "POST", "/v1/webhook_endpoints", create(map[string]any{"url": "https://10.1.2.3/in"}), a.LiveKey, 400, "url"},
		{"live url metadata", "POST", "/v1/webhook_endpoints", create(map[string]any{"url": "https://169.254.169.254/latest"}), a.LiveKey, 400, "url"},
		{"live url ipv6 loopback", "POST", "/v1/webhook_endpoints", create(map[string]any{"url": "https://[::1]/in"}), a.LiveKey, 400, "url"},
		{"update live url to internal", "POST", "/v1/webhook_endpoints/" + live.ID, map[string]any{"url": "https://192.168.0.1/in"}, a.LiveKey, 400, "url"},
		{"live url percent-encoded host", "POST", "/v1/webhook_endpoints", create(map[string]any{"url": "https://127.0.0.1%2509:18501/"}), a.LiveKey, 400, "url"},
		{"url percent-encoded host", "POST", "/v1/webhook_endpoints", create(map[string]any{"url": "https://hooks%2Eexample.com/in"}), "", 400, "url"},
		{"update live url to a percent-encoded host", "POST", "/v1/webhook_endpoints/" + live.ID, map[string]any{"url": "https://10.0.0.1%25eth0/in"}, a.LiveKey, 400, "url"},
		{"unknown event type", "POST", "/v1/webhook_endpoints", create(map[string]any{"enabled_events": []string{"reservation.exploded"}}), "", 400, "enabled_events"},
		{"empty enabled_events", "POST", "/v1/webhook_endpoints", create(map[string]any{"enabled_events": []string{}}), "", 400, "enabled_events"},
		{"enabled_events missing", "POST", "/v1/webhook_endpoints", map[string]any{"url": "https://hooks.example.com/in"}, "", 400, "enabled_events"},
		{"unknown retry preset", "POST", "/v1/webhook_endpoints", create(map[string]any{"retry_schedule": "hourly"}), "", 400, "retry_schedule"},
		{"retry delay not a duration", "POST", "/v1/webhook_endpoints", create(map[string]any{"retry_schedule": []string{"0s", "soon"}}), "", 400, "retry_schedule"},
		{"too many retry delays", "POST", "/v1/webhook_endpoints", create(map[string]any{"retry_schedule": delays}), "", 400, "retry_schedule"},
		{"retry schedule wrong type", "POST", "/v1/webhook_endpoints", create(map[string]any{"retry_schedule": map[string]any{"x": 1}}), "", 400, "retry_schedule"},
		{"negative rate_limit", "POST", "/v1/webhook_endpoints", create(map[string]any{"rate_limit": -1}), "", 400, "rate_limit"},
		{"rate_limit not a number", "POST", "/v1/webhook_endpoints", create(map[string]any{"rate_limit": "fast"}), "", 400, "rate_limit"},
		{"max_concurrency over the maximum", "POST", "/v1/webhook_endpoints", create(map[string]any{"max_concurrency": 51}), "", 400, "max_concurrency"},
		{"negative max_concurrency", "POST", "/v1/webhook_endpoints", create(map[string]any{"max_concurrency": -1}), "", 400, "max_concurrency"},
		{"update max_concurrency over the maximum", "POST", base, map[string]any{"max_concurrency": 100}, "", 400, "max_concurrency"},
		{"reserved signature header", "POST", "/v1/webhook_endpoints", create(map[string]any{"headers": map[string]string{"Bellhop-Signature": "x"}}), "", 400, "headers"},
		{"reserved standard header", "POST", "/v1/webhook_endpoints", create(map[string]any{"headers": map[string]string{"webhook-signature": "x"}}), "", 400, "headers"},
		{"reserved content type", "POST", "/v1/webhook_endpoints", create(map[string]any{"headers": map[string]string{"Content-Type": "text/plain"}}), "", 400, "headers"},
		{"reserved host", "POST", "/v1/webhook_endpoints", create(map[string]any{"headers": map[string]string{"Host": "evil.example"}}), "", 400, "headers"},
		{"unknown field", "POST", "/v1/webhook_endpoints", create(map[string]any{"secret": "whsec_mine"}), "", 400, "secret"},
		{"update bad url", "POST", base, map[string]any{"url": "mailto:ops@example.com"}, "", 400, "url"},
		{"update empty enabled_events", "POST", base, map[string]any{"enabled_events": []string{}}, "", 400, "enabled_events"},
		{"rotate grace zero", "POST", base + "/rotate_secret", map[string]any{"grace_period": 0}, "", 400, "grace_period"},
		{"test without event_type", "POST", base + "/test", map[string]any{}, "", 400, "event_type"},
		{"test unknown event type", "POST", base + "/test", map[string]any{"event_type": "nope.nothing"}, "", 400, "event_type"},
		{"deliveries bad status", "GET", base + "/deliveries?status=lost", nil, "", 400, "status"},
		{"deliveries bad time", "GET", base + "/deliveries?created%5Bgte%5D=yesterday", nil, "", 400, "created[gte]"},
		{"replay without event_id", "POST", base + "/replay", map[string]any{}, "", 400, "event_id"},
		{"replay unknown event", "POST", base + "/replay", map[string]any{"event_id": "evt_neverpublished"}, "", 404, ""},
		{"replay live key on test event", "POST", base + "/replay", map[string]any{"event_id": ev.ID}, a.LiveKey, 404, ""},
		{"backfill since after until", "POST", base + "/backfill", map[string]any{"since": now.Format(time.RFC3339), "until": now.Add(-time.Hour).Format(time.RFC3339)}, "", 400, "until"},
		{"backfill beyond retention", "POST", base + "/backfill", map[string]any{"since": now.Add(-100 * time.Hour).Format(time.RFC3339)}, "", 400, "since"},
		{"backfill without since", "POST", base + "/backfill", map[string]any{"until": now.Format(time.RFC3339)}, "", 400, "since"},
		{"backfill bad since", "POST", base + "/backfill", map[string]any{"since": "last tuesday"}, "", 400, "since"},
		{"backfill unknown type", "POST", base + "/backfill", map[string]any{"since": now.Add(-time.Hour).Format(time.RFC3339), "event_types": []string{"nope.nothing"}}, "", 400, "event_types"},
		{"unknown endpoint", "GET", "/v1/webhook_endpoints/whe_nosuchendpoint", nil, "", 404, ""},
		{"unknown delivery", "GET", "/v1/deliveries/whd_nosuchdelivery", nil, "", 404, ""},
		{"unknown backfill", "GET", "/v1/backfills/bf_nosuchbackfill", nil, "", 404, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := []callOpt{}
			if tc.key != "" {
				opts = append(opts, withKey(tc.key))
			}
			if tc.status == http.StatusBadRequest {
				opts = append(opts, badRequest())
			}
			r := a.do(t, tc.method, tc.path, tc.body, opts...)
			d := r.wantError(t, tc.status, typeInvalidRequest, tc.param)
			if tc.status == http.StatusNotFound && d.Code != "resource_missing" {
				t.Errorf("code = %q, want resource_missing", d.Code)
			}
		})
	}
}
