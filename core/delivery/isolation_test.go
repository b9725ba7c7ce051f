package delivery

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/bellhop/bellhop/core"
)

// A hanging endpoint holds at most its concurrency cap and never starves a
// healthy one: the healthy one receives every event while the hanging one
// is stuck. Counted, not timed.
func TestHangingEndpointDoesNotDelayOthers(t *testing.T) {
	h := newHarness(t)
	opts := h.options()
	opts.Workers = 8
	e := h.start(opts)
	release := make(chan struct{})
	hanging := newReceiver(t, func(int, *http.Request) (int, http.Header) { <-release; return 200, nil })
	defer close(release)
	healthy := newReceiver(t, nil)
	two := 2
	h.endpoint(e, hanging.URL, func(in *core.EndpointInput) { in.MaxConcurrency = &two })
	h.endpoint(e, healthy.URL, nil)
	const n = 40
	for i := range n {
		h.publish(h.scope, "reservation.created", i)
	}
	eventually(t, "the healthy endpoint to get every event", func() bool { return healthy.count() >= n })
	hanging.mu.Lock()
	maxIn := hanging.maxIn
	hanging.mu.Unlock()
	if maxIn > two {
		t.Errorf("the hanging endpoint had %d requests in flight, want at most its cap %d", maxIn, two)
	}
	if got := hanging.count(); got > two {
		t.Errorf("the hanging endpoint got %d requests, want at most %d while it hangs", got, two)
	}
}

func TestBreakerDisablesAfterConsecutiveFailures(t *testing.T) {
	h := newHarness(t)
	opts := h.options()
	opts.BreakerConsecutive = 5
	e := h.start(opts)
	var healthy atomic.Bool
	rc := newReceiver(t, func(int, *http.Request) (int, http.Header) {
		if healthy.Load() {
			return 200, nil
		}
		return 400, nil
	})
	ep, _ := h.endpoint(e, rc.URL, func(in *core.EndpointInput) { in.EnabledEvents = []string{"reservation.created"} })
	for i := range 5 {
		h.publish(h.scope, "reservation.created", i)
	}
	eventually(t, "the endpoint to be disabled", func() bool {
		got, _ := eps(e).FindEndpoint(context.Background(), h.scope, ep.ID)
		return got.Disabled
	})
	got, _ := eps(e).FindEndpoint(context.Background(), h.scope, ep.ID)
	if got.DisabledReason != "5 consecutive failed delivery attempts" {
		t.Errorf("reason = %q", got.DisabledReason)
	}
	if pub := h.events.published(); len(pub) != 1 || pub[0] != "endpoint.disabled" {
		t.Errorf("published %v, want one endpoint.disabled", pub)
	}
	// While disabled, new deliveries park instead of burning attempts.
	parked := h.publish(h.scope, "reservation.created", 99)
	eventually(t, "the new delivery to park", func() bool {
		for _, d := range h.deliveries(e, ep.ID) {
			if d.EventID == parked.ID {
				return d.Status == core.StatusParked && d.AttemptCount == 0
			}
		}
		return false
	})
	before := rc.count()
	healthy.Store(true)
	if _, err := eps(e).EnableEndpoint(context.Background(), h.scope, ep.ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the parked delivery to arrive", func() bool {
		for _, r := range rc.received()[before:] {
			if r.event.ID == parked.ID {
				return true
			}
		}
		return false
	})
}

func TestBreakerDisablesOn5xxRatio(t *testing.T) {
	h := newHarness(t)
	opts := h.options()
	opts.BreakerMinSample = 10
	opts.BreakerConsecutive = 1000
	e := h.start(opts)
	rc := newReceiver(t, func(int, *http.Request) (int, http.Header) { return 502, nil })
	ep, _ := h.endpoint(e, rc.URL, nil)
	for i := range 4 {
		h.publish(h.scope, "reservation.created", i)
	}
	eventually(t, "the endpoint to be disabled", func() bool {
		got, _ := eps(e).FindEndpoint(context.Background(), h.scope, ep.ID)
		return got.Disabled
	})
	got, _ := eps(e).FindEndpoint(context.Background(), h.scope, ep.ID)
	if want := "delivery attempts over the last 5 minutes answered 5xx"; !strings.HasSuffix(got.DisabledReason, want) {
		t.Errorf("reason = %q, want one ending %q", got.DisabledReason, want)
	}
}
