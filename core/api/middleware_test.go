package api

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/bellhop/bellhop/core"
)

func TestCORS(t *testing.T) {
	const allowed = "https://dashboard.example"
	tests := []struct {
		name      string
		origins   []string
		method    string
		origin    string
		wantAllow string
		wantCode  int
	}{
		{"off by default", nil, http.MethodGet, allowed, "", 200},
		{"allowed origin", []string{allowed}, http.MethodGet, allowed, allowed, 200},
		{"other origin", []string{allowed}, http.MethodGet, "https://evil.example", "", 200},
		{"preflight, allowed", []string{allowed}, http.MethodOptions, allowed, allowed, 204},
		{"preflight, off", nil, http.MethodOptions, allowed, "", 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newTestAPI(t, func(c *Config, _ *Deps) { c.CORSOrigins = tt.origins })
			opts := []callOpt{withHeader("Origin", tt.origin)}
			if tt.method == http.MethodOptions {
				opts = append(opts, withHeader("Access-Control-Request-Method", "POST"), notInSpec())
			}
			var r *response
			if tt.wantCode == 204 {
				r = a.rawDo(t, tt.method, "/v1/events", opts...)
			} else {
				r = a.do(t, tt.method, "/v1/events", nil, opts...)
			}
			if r.Status != tt.wantCode {
				t.Fatalf("status = %d, want %d", r.Status, tt.wantCode)
			}
			if got := r.Header.Get("Access-Control-Allow-Origin"); got != tt.wantAllow {
				t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, tt.wantAllow)
			}
			for name := range r.Header {
				if tt.wantAllow == "" && strings.HasPrefix(name, "Access-Control-") {
					t.Errorf("CORS header %s sent", name)
				}
			}
		})
	}
}

// rawDo sends a request whose response has no body and is not in the spec
// (a CORS preflight), checking only the request id.
func (a *testAPI) rawDo(t testing.TB, method, path string, opts ...callOpt) *response {
	t.Helper()
	var o callOpts
	for _, opt := range opts {
		opt(&o)
	}
	res, err := http.DefaultClient.Do(a.newRequest(t, method, path, nil, o))
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	res.Body.Close()
	if !strings.HasPrefix(res.Header.Get("X-Request-Id"), "req_") {
		t.Errorf("no request id")
	}
	return &response{Status: res.StatusCode, Header: res.Header}
}

func TestRoutingErrors(t *testing.T) {
	a := newTestAPI(t)
	tests := []struct {
		name, method, path string
		wantStatus         int
		wantCode           string
	}{
		{"unknown path", http.MethodGet, "/v1/nothing-here", 404, "resource_missing"},
		{"unknown root path", http.MethodGet, "/favicon.ico", 404, "resource_missing"},
		{"wrong method", http.MethodPut, "/v1/events", 405, "method_not_allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := a.do(t, tt.method, tt.path, nil, notInSpec())
			r.wantStatus(t, tt.wantStatus)
			if d := r.errorDetail(t); d.Code != tt.wantCode || d.Type != typeInvalidRequest {
				t.Errorf("error = %+v, want %s", d, tt.wantCode)
			}
		})
	}
}

// lockedBuffer is a log sink the server and the test can share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestObservability: a log line for a failed request without the key, an activity
// entry per authenticated request, and metrics by route template.
func TestObservability(t *testing.T) {
	logs := &lockedBuffer{}
	a := newTestAPI(t, func(_ *Config, d *Deps) { d.Logger = slog.New(slog.NewJSONHandler(logs, nil)) })
	miss := a.do(t, http.MethodGet, "/v1/events/evt_missing", nil)
	miss.wantStatus(t, http.StatusNotFound)
	missID := miss.Header.Get("X-Request-Id")

	r := a.do(t, http.MethodGet, "/v1/activity?limit=1", nil)
	r.wantStatus(t, http.StatusOK)
	var l listBody[*core.Activity]
	r.decode(t, &l)
	if len(l.Data) != 1 {
		t.Fatalf("activity lists %d requests, want 1", len(l.Data))
	}
	got := l.Data[0]
	if got.ID != missID || got.Method != "GET" || got.Path != "/v1/events/evt_missing" || got.Status != 404 || got.KeyID == "" || got.ClientIP == "" {
		t.Errorf("activity = %+v, want the 404 %s", got, missID)
	}

	m := a.do(t, http.MethodGet, "/metrics", nil, withoutKey())
	m.wantStatus(t, http.StatusOK)
	want := `bellhop_http_requests_total{method="GET",route="/v1/events/:id",status="404"} 1`
	if !strings.Contains(string(m.Body), want) {
		t.Errorf("metrics lack %s", want)
	}
	if !strings.Contains(string(m.Body), `bellhop_http_request_duration_seconds_bucket{method="GET",route="/v1/events/:id"`) {
		t.Errorf("metrics lack the latency histogram")
	}

	out := logs.String()
	if !strings.Contains(out, missID) || !strings.Contains(out, `"status":404`) {
		t.Errorf("no log line for %s:\n%s", missID, out)
	}
	if strings.Contains(out, a.Key) || strings.Contains(out, "Bearer") {
		t.Errorf("the log shows the API key:\n%s", out)
	}
}

func TestPanicRecovery(t *testing.T) {
	logs := &lockedBuffer{}
	a := newTestAPI(t,
		func(_ *Config, d *Deps) { d.Logger = slog.New(slog.NewTextHandler(logs, nil)) },
		hookPublish(func() error { panic("secret stack detail") }))
	r := a.do(t, http.MethodPost, "/v1/events", a.sampleEvent(t, "reservation.created"))
	d := r.wantError(t, http.StatusInternalServerError, typeAPI, "")
	if d.Message != internalMessage || strings.Contains(string(r.Body), "secret") {
		t.Errorf("the 500 shows %s", r.Body)
	}
	if !strings.Contains(logs.String(), "secret stack detail") || !strings.Contains(logs.String(), d.RequestID) {
		t.Errorf("the log lacks the panic and its request id")
	}
	a.do(t, http.MethodGet, "/healthz", nil, withoutKey()).wantStatus(t, http.StatusOK)
}
