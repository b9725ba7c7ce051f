package redisstore_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/bellhop/bellhop/core"
)

// TestTraceParentTravelsOnlyWhenTraced: an event published inside a
// sampled span keeps the span's traceparent in its stream entry, and a
// delivery made with one keeps it in its record; untraced ones store no
// field at all, so tracing off costs no memory.
func TestTraceParentTravelsOnlyWhenTraced(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	scope := newScope(t, s)
	traced := trace.ContextWithSpanContext(ctx, trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{0x4b, 0xf9, 1}, SpanID: trace.SpanID{0x0f, 2}, TraceFlags: trace.FlagsSampled}))
	const want = "00-4bf90100000000000000000000000000-0f02000000000000-01"

	for _, c := range []struct {
		ctx context.Context
		id  string
		tp  string
	}{{ctx, "evt_untraced", ""}, {traced, "evt_traced", want}} {
		ev := &core.Event{ID: c.id, Type: "guest.created", CreatedAt: time.Now().UTC(), PropertyID: "prop_1",
			Data: core.EventData{Object: json.RawMessage(`{}`)}}
		if _, _, err := s.AppendEvent(c.ctx, scope, ev); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := r.Client.XRange(ctx, s.EventsStreamKey(scope), "-", "+").Result()
	if err != nil || len(entries) != 2 {
		t.Fatalf("stream: %v %v", entries, err)
	}
	if tp, ok := entries[0].Values["tp"]; ok {
		t.Errorf("the untraced event's entry has tp %v", tp)
	}
	if tp := entries[1].Values["tp"]; tp != want {
		t.Errorf("the traced event's entry has tp %v, want %s", tp, want)
	}

	for _, tp := range []string{"", want} {
		d := &core.Delivery{ID: "whd_tp" + tp[:min(len(tp), 2)], EventID: "evt_traced", EventType: "guest.created",
			Target: core.Target{Kind: core.TargetEndpoint, ID: "whe_tp"}, TraceParent: tp}
		if _, err := s.CreateDeliveries(ctx, scope, []*core.Delivery{d}, []byte(`{"id":"evt_traced"}`), "", "", time.Hour); err != nil {
			t.Fatal(err)
		}
		got, _, err := s.LoadDelivery(ctx, scope, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.TraceParent != tp {
			t.Errorf("delivery made with traceparent %q loads with %q", tp, got.TraceParent)
		}
	}
}
