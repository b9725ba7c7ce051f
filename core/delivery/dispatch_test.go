package delivery

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/plugins"
)

// TestDispatchToBothKinds: one event goes to an endpoint and a connection
// subscribed to it, read together (Store.MatchTargets), and to neither
// target of another type.
func TestDispatchToBothKinds(t *testing.T) {
	h := newHarness(t)
	fake := &fakeConnector{deliver: func(int) (plugins.Result, error) { return plugins.Result{Outcome: plugins.Delivered}, nil }}
	e, conns := h.startWithConnections(h.options(), fakeHost{"fake": fake})
	rcv := newReceiver(t, nil)
	ep, _ := h.endpoint(e, rcv.URL, func(in *core.EndpointInput) { in.EnabledEvents = []string{"reservation.created"} })
	c := h.connection(conns, "fake", map[string]any{"channel": "#general", "token": fakeToken})
	h.publish(h.scope, "guest.checked_in", 1) // neither target's type
	ev := h.publish(h.scope, "reservation.created", 2)
	ds := h.finished(conns, c.ID, 1)
	if len(ds) != 1 || ds[0].EventID != ev.ID || ds[0].Status != core.StatusSucceeded {
		t.Fatalf("connection deliveries = %+v, want one succeeded of %s", ds, ev.ID)
	}
	eventually(t, "the endpoint's delivery", func() bool {
		got := h.deliveries(e, ep.ID)
		return len(got) == 1 && got[0].EventID == ev.ID && got[0].Status == core.StatusSucceeded
	})
}

// countingLoads is the store's attemptLog, counting LoadDelivery calls.
type countingLoads struct {
	attemptLog
	loads atomic.Int32
}

func (c *countingLoads) LoadDelivery(ctx context.Context, scope core.Scope, id string) (*core.Delivery, []byte, error) {
	c.loads.Add(1)
	return c.attemptLog.LoadDelivery(ctx, scope, id)
}

// TestDispatcherHandsItsDeliveriesToItsWorkers: a running hub's dispatcher
// takes the deliveries it makes for its own workers in the same script
// (redisstore.Take), so an event at a low rate is delivered without a
// read of the deliveries stream or of the delivery it just stored, and a
// retry, queued by the retry mover, is read as ever.
func TestDispatcherHandsItsDeliveriesToItsWorkers(t *testing.T) {
	h := newHarness(t)
	opts := h.options()
	e := newEngine(opts)
	loads := &countingLoads{attemptLog: e.attempts}
	e.attempts = loads
	h.run(e)
	rc := newReceiver(t, func(n int, _ *http.Request) (int, http.Header) {
		if n == 2 {
			return http.StatusServiceUnavailable, nil // the second event's first attempt: retried
		}
		return http.StatusOK, nil
	})
	ep, _ := h.endpoint(e, rc.URL, nil)
	h.publish(h.scope, "reservation.created", 1)
	eventually(t, "the first delivery", func() bool {
		l := h.deliveries(e, ep.ID)
		return len(l) == 1 && l[0].Status == core.StatusSucceeded
	})
	if n := loads.loads.Load(); n != 0 {
		t.Errorf("the worker read %d deliveries back; want none, the dispatcher handed it over", n)
	}
	h.publish(h.scope, "reservation.created", 2)
	eventually(t, "the retried delivery", func() bool {
		l := h.deliveries(e, ep.ID)
		return len(l) == 2 && l[0].Status == core.StatusSucceeded && l[0].AttemptCount == 2
	})
	if n := loads.loads.Load(); n != 1 {
		t.Errorf("the worker read %d deliveries back; want one, the retry", n)
	}
}
