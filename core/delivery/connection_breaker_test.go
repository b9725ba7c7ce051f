package delivery

import (
	"context"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/catalog"
	"github.com/bellhop/bellhop/plugins"
)

// TestConnectionBreakerPublishesDisabled checks that the circuit breaker
// disables a failing connection and publishes connection.disabled once,
// with an object the catalog's schema accepts.
func TestConnectionBreakerPublishesDisabled(t *testing.T) {
	h := newHarness(t)
	opts := h.options()
	opts.BreakerConsecutive = 3
	got := h.tripBreaker(opts, plugins.Result{Outcome: plugins.Failed, Summary: "channel_not_found"})
	if want := "3 consecutive failed delivery attempts"; got.DisabledReason != want {
		t.Errorf("reason = %q, want %q", got.DisabledReason, want)
	}
	eventually(t, "connection.disabled to be published", func() bool { return len(h.events.published()) > 0 })
	h.events.mu.Lock()
	types, objects := h.events.types, h.events.objects
	h.events.mu.Unlock()
	if len(types) != 1 || types[0] != "connection.disabled" {
		t.Fatalf("published %v, want one connection.disabled", types)
	}
	cat, err := catalog.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := cat.ValidateObject(context.Background(), h.scope, "connection.disabled", objects[0]); err != nil {
		t.Errorf("connection.disabled object %s: %v", objects[0], err)
	}
}

// TestConnectionBreakerCounts5xx checks that a connector that reports its
// service's 5xx answers trips the 5xx ratio of the breaker, as a webhook
// receiver's do.
func TestConnectionBreakerCounts5xx(t *testing.T) {
	h := newHarness(t)
	opts := h.options()
	opts.BreakerConsecutive, opts.BreakerMinSample = 100, 3
	got := h.tripBreaker(opts, plugins.Result{Outcome: plugins.Retry, Status: 503, Summary: "service unavailable"})
	if !strings.Contains(got.DisabledReason, "answered 5xx") {
		t.Errorf("reason = %q, want the 5xx ratio", got.DisabledReason)
	}
	// The attempt log shows the service's status, as it shows a receiver's.
	ds, err := h.store.ListDeliveries(context.Background(), h.scope, got.ID, core.DeliveryFilter{Page: core.Page{Limit: 1}})
	if err != nil || len(ds.Data) == 0 || ds.Data[0].LastStatus != 503 {
		t.Errorf("deliveries %+v (%v), want the last one's status 503", ds.Data, err)
	}
}

// tripBreaker runs a connection whose every delivery ends as res,
// publishes three events, waits until the breaker disables it and returns
// it as stored then.
func (h *harness) tripBreaker(opts Options, res plugins.Result) *core.Connection {
	h.t.Helper()
	fc := &fakeConnector{deliver: func(int) (plugins.Result, error) { return res, nil }}
	_, conns := h.startWithConnections(opts, fakeHost{"fake": fc})
	c := h.connection(conns, "fake", map[string]any{"channel": "#desk", "token": fakeToken})
	for i := range 3 {
		h.publish(h.scope, "reservation.created", i)
	}
	var got *core.Connection
	eventually(h.t, "the connection to be disabled", func() bool {
		var err error
		got, err = conns.FindConnection(context.Background(), h.scope, c.ID)
		return err == nil && got.Disabled
	})
	return got
}
