package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/grpc"

	"github.com/bellhop/bellhop/plugins/plugintest"
)

// otlpCollector is an OTLP/gRPC trace receiver, as an OpenTelemetry
// collector runs one on :4317, keeping the spans it is sent.
type otlpCollector struct {
	coltracepb.UnimplementedTraceServiceServer
	mu    sync.Mutex
	spans []*tracepb.Span
}

func (c *otlpCollector) Export(_ context.Context, req *coltracepb.ExportTraceServiceRequest) (*coltracepb.ExportTraceServiceResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, rs := range req.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			c.spans = append(c.spans, ss.GetSpans()...)
		}
	}
	return &coltracepb.ExportTraceServiceResponse{}, nil
}

// spanByID returns the span with id, or nil.
func (c *otlpCollector) spanByID(id []byte) *tracepb.Span {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.spans {
		if string(s.GetSpanId()) == string(id) {
			return s
		}
	}
	return nil
}

// childOf returns the span named name whose parent is the span parent
// (hex), or nil.
func (c *otlpCollector) childOf(parent, name string) *tracepb.Span {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.spans {
		if s.GetName() == name && hex.EncodeToString(s.GetParentSpanId()) == parent {
			return s
		}
	}
	return nil
}

// spanByHex returns the span whose id is id in hex, or nil.
func (c *otlpCollector) spanByHex(id string) *tracepb.Span {
	b, err := hex.DecodeString(id)
	if err != nil {
		return nil
	}
	return c.spanByID(b)
}

// withChild returns the span named name under parent (hex) that has a
// child named child, or nil.
func (c *otlpCollector) withChild(parent, name, child string) *tracepb.Span {
	c.mu.Lock()
	var candidates []*tracepb.Span
	for _, s := range c.spans {
		if s.GetName() == name && hex.EncodeToString(s.GetParentSpanId()) == parent {
			candidates = append(candidates, s)
		}
	}
	c.mu.Unlock()
	for _, s := range candidates {
		if c.childOf(hex.EncodeToString(s.GetSpanId()), child) != nil {
			return s
		}
	}
	return nil
}

// named returns the first span whose name starts with prefix.
func (c *otlpCollector) named(prefix string) *tracepb.Span {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.spans {
		if strings.HasPrefix(s.GetName(), prefix) {
			return s
		}
	}
	return nil
}

// TestOneTracePerEvent publishes an event inside a caller's trace and
// follows it into an OTLP collector: the publish request, the dispatch that
// made the deliveries (across the events stream), the endpoint's attempt
// (across the deliveries stream) and the transform run inside it, each the
// child of the one before, all in the caller's trace; and the connection's
// attempt, under the same dispatch, with its plugin call. Only an endpoint
// that opted in (propagate_trace) is sent a traceparent. The webhook itself carries no
// traceparent: a receiver is not told about the hub's traces.
func TestOneTracePerEvent(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	collector := &otlpCollector{}
	srv := grpc.NewServer()
	coltracepb.RegisterTraceServiceServer(srv, collector)
	go srv.Serve(ln)
	t.Cleanup(srv.Stop)
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "50") // export every 50 ms rather than every 5 s

	pluginDir := t.TempDir()
	if _, err := plugintest.Build(pluginDir, "github.com/bellhop/bellhop/examples/connector-echo", "bellhop-connector-echo"); err != nil {
		t.Fatal(err)
	}
	h := startHub(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://" + ln.Addr().String(), "BELLHOP_PLUGIN_DIR": pluginDir})
	var mu sync.Mutex
	var received, optedIn http.Header
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if r.URL.Path == "/traced" {
			optedIn = r.Header.Clone()
		} else {
			received = r.Header.Clone()
		}
		mu.Unlock()
	}))
	defer rc.Close()

	decode := func(code int, body string, want int) map[string]any {
		t.Helper()
		if code != want {
			t.Fatalf("%d, want %d: %s", code, want, body)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	code, body := h.do(t, "POST", "/v1/scripts", `{"name":"as is","source":"function transform(event) { return event; }"}`)
	script := decode(code, body, http.StatusCreated)
	code, body = h.do(t, "POST", "/v1/webhook_endpoints", `{"url":"`+rc.URL+`/hooks","enabled_events":["reservation.created"],"transform_script_id":"`+script["id"].(string)+`"}`)
	decode(code, body, http.StatusCreated)
	code, body = h.do(t, "POST", "/v1/webhook_endpoints", `{"url":"`+rc.URL+`/traced","enabled_events":["reservation.created"],"propagate_trace":true}`)
	if traced := decode(code, body, http.StatusCreated); traced["propagate_trace"] != true {
		t.Fatalf("propagate_trace not kept: %s", body)
	}
	code, body = h.do(t, "POST", "/v1/connections", `{"connector":"echo","name":"echo","enabled_events":["reservation.created"],"config":{"greeting":"hello"},"transform_script_id":"`+script["id"].(string)+`"}`)
	decode(code, body, http.StatusCreated)

	sample := reservationSample(t, h)
	const callerTrace, callerSpan = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	req, _ := http.NewRequest("POST", h.base+"/v1/events", strings.NewReader(`{"type":"reservation.created","property_id":"prop_1","data":{"object":`+sample+`}}`))
	req.Header.Set("Authorization", "Bearer "+testBootstrapKey)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("traceparent", "00-"+callerTrace+"-"+callerSpan+"-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("publish: %v %v", resp, err)
	}
	resp.Body.Close()

	// Follow the chain down from the caller's span, each step the child of
	// the one before (two endpoints and a connection have attempts and
	// transforms of their own; the chain is the scripted endpoint's), as
	// the spans reach the collector.
	names := []string{"POST /v1/events", "dispatch reservation.created", "attempt webhook_endpoint", "transform"}
	chain := func() ([]*tracepb.Span, string) {
		var out []*tracepb.Span
		parent := callerSpan
		for i, n := range names {
			s := collector.childOf(parent, n)
			if n == "attempt webhook_endpoint" {
				s = collector.withChild(parent, n, names[i+1])
			}
			if s == nil {
				return nil, n
			}
			out = append(out, s)
			parent = hex.EncodeToString(s.GetSpanId())
		}
		return out, ""
	}
	var spans []*tracepb.Span
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var missing string
		if spans, missing = chain(); missing == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q span under the one before it reached the collector", missing)
		}
	}
	for i, s := range spans {
		if got := hex.EncodeToString(s.GetTraceId()); got != callerTrace {
			t.Errorf("%s: trace %s, want the caller's %s", names[i], got, callerTrace)
		}
	}
	// The connection's attempt is the dispatch's child too, with the plugin
	// call inside it.
	dispatch, deliver := collector.named("dispatch"), collector.named("plugin Deliver")
	for deadline := time.Now().Add(30 * time.Second); deliver == nil; deliver = collector.named("plugin Deliver") {
		if time.Now().After(deadline) {
			collector.mu.Lock()
			var got []string
			for _, s := range collector.spans {
				got = append(got, s.GetName())
			}
			collector.mu.Unlock()
			t.Fatalf("no plugin Deliver span reached the collector; it has %q", got)
		}
		time.Sleep(50 * time.Millisecond)
	}
	attempt := collector.spanByID(deliver.GetParentSpanId())
	if attempt == nil || attempt.GetName() != "attempt connection" || hex.EncodeToString(attempt.GetParentSpanId()) != hex.EncodeToString(dispatch.GetSpanId()) {
		t.Errorf("plugin Deliver's parent is %v, want the connection's attempt under the dispatch", attempt)
	}
	mu.Lock()
	defer mu.Unlock()
	if received == nil {
		t.Fatal("the receiver got nothing")
	}
	if tp := received.Get("traceparent"); tp != "" {
		t.Errorf("the webhook carried traceparent %q, though its endpoint did not opt in", tp)
	}
	// The endpoint that opted in hears of its attempt's span.
	for deadline := time.Now().Add(30 * time.Second); optedIn == nil; {
		mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatal("the opted-in endpoint got nothing")
		}
		time.Sleep(50 * time.Millisecond)
		mu.Lock()
	}
	tp := strings.Split(optedIn.Get("traceparent"), "-")
	if len(tp) != 4 || tp[1] != callerTrace {
		t.Fatalf("the opted-in endpoint got traceparent %q, want one in trace %s", optedIn.Get("traceparent"), callerTrace)
	}
	if s := collector.spanByHex(tp[2]); s != nil && s.GetName() != "attempt webhook_endpoint" {
		t.Errorf("its traceparent names the span %q, want its attempt's", s.GetName())
	}
}
