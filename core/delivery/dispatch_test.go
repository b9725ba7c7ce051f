package delivery

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/redistest"
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

// TestDispatchKeepsMatchesWhileTrue: the dispatcher keeps an event type's
// subscribers and reads them again only after a target of the scope was
// saved, here by another hub, whose new endpoint gets the very next event.
func TestDispatchKeepsMatchesWhileTrue(t *testing.T) {
	h := newHarness(t)
	var matchReads atomic.Int32
	redistest.Watch(h.r.Client, func(cmd redis.Cmder) {
		if !strings.HasPrefix(cmd.Name(), "eval") {
			return
		}
		for _, a := range cmd.Args() {
			if s, ok := a.(string); ok && strings.Contains(s, ":eps:type:") {
				matchReads.Add(1)
				return
			}
		}
	})
	fake := &fakeConnector{deliver: func(int) (plugins.Result, error) { return plugins.Result{Outcome: plugins.Delivered}, nil }}
	e, _ := h.startWithConnections(h.options(), fakeHost{"fake": fake})
	e.matches.mu.Lock()
	e.matches.keep = time.Hour // however slow the machine, only a save makes it read again
	e.matches.mu.Unlock()
	other := newEngine(h.options()) // another hub's API, not running
	rcv := newReceiver(t, nil)
	first, _ := h.endpoint(e, rcv.URL, func(in *core.EndpointInput) { in.EnabledEvents = []string{"reservation.created"} })

	for i := range 3 {
		h.publish(h.scope, "reservation.created", i)
		eventually(t, "the first endpoint's deliveries", func() bool { return len(h.deliveries(e, first.ID)) == i+1 })
	}
	if n := matchReads.Load(); n != 1 {
		t.Errorf("three events of one type read their subscribers %d times, want once", n)
	}
	subs, kept, ok := e.matches.get(h.scope, "reservation.created")
	if !ok || len(subs) != 1 || subs[0].Target.ID != first.ID {
		t.Fatalf("kept match = %+v (%v), want the first endpoint", subs, ok)
	}

	second, _ := h.endpoint(other, rcv.URL, func(in *core.EndpointInput) { in.EnabledEvents = []string{"*"} })
	ev := h.publish(h.scope, "reservation.created", 3)
	eventually(t, "the new endpoint's delivery", func() bool {
		got := h.deliveries(e, second.ID)
		return len(got) == 1 && got[0].EventID == ev.ID
	})
	if n := len(h.deliveries(e, first.ID)); n != 4 {
		t.Errorf("the first endpoint has %d deliveries, want 4", n)
	}
	if _, now, _ := e.matches.get(h.scope, "reservation.created"); now == kept {
		t.Errorf("the kept match is still of version %s after a save", kept)
	}
}

// TestMatchesKeptForAWhile: a kept match is read again once it is as old
// as the keep, whatever its version says, so that the saves of a hub that
// does not move the version on are seen; a newer version replaces the
// scope's matches, and an unversioned match is not kept.
func TestMatchesKeptForAWhile(t *testing.T) {
	var m matches
	scope := core.Scope{AccountID: "acct_1"}
	subs := []Subscription{{Target: core.Target{Kind: core.TargetEndpoint, ID: "whe_1"}}}
	m.put(scope, "a", subs, "7")
	m.put(scope, "b", subs, "7")
	if got, v, ok := m.get(scope, "a"); !ok || v != "7" || len(got) != 1 {
		t.Fatalf("get = %v, %q, %v; want the kept match at version 7", got, v, ok)
	}
	k := m.byScope[scope].byType["a"]
	k.read = time.Now().Add(-matchKeep)
	m.byScope[scope].byType["a"] = k
	if _, _, ok := m.get(scope, "a"); ok {
		t.Error("a match as old as the keep was still handed out")
	}
	m.put(scope, "c", subs, "8")
	if _, _, ok := m.get(scope, "b"); ok {
		t.Error("a match of version 7 outlived a read at version 8")
	}
	m.put(scope, "d", subs, "")
	if _, _, ok := m.get(scope, "d"); ok {
		t.Error("a match without a version was kept")
	}
}

// countingBatchLoads is countingLoads that also counts LoadDeliveries
// calls and the deliveries they read.
type countingBatchLoads struct {
	countingLoads
	batches, batched atomic.Int32
}

func (c *countingBatchLoads) LoadDeliveries(ctx context.Context, scope core.Scope, ids []string) ([]*redisstore.LoadedDelivery, error) {
	c.batches.Add(1)
	c.batched.Add(int32(len(ids)))
	return c.attemptLog.LoadDeliveries(ctx, scope, ids)
}

// TestWorkersLoadAReadTogether: deliveries queued while no hub ran are
// read from the stream by the next hub's workers and loaded together, in
// one script for the read, not one each, and all delivered.
func TestWorkersLoadAReadTogether(t *testing.T) {
	h := newHarness(t)
	rc := newReceiver(t, nil)
	idle := newEngine(h.options()) // not running: publishes queue
	ep, _ := h.endpoint(idle, rc.URL, nil)
	for i := range 6 {
		ev := h.publish(h.scope, "reservation.created", i)
		d := newDelivery(ev, core.Target{Kind: core.TargetEndpoint, ID: ep.ID}, "")
		if _, err := h.store.CreateDeliveries(context.Background(), h.scope, []*core.Delivery{d}, []byte(`{}`), "", "", time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	e := newEngine(h.options())
	loads := &countingBatchLoads{countingLoads: countingLoads{attemptLog: e.attempts}}
	e.attempts = loads
	h.run(e)
	eventually(t, "the queued deliveries", func() bool {
		n := 0
		for _, d := range h.deliveries(e, ep.ID) {
			if d.Status == core.StatusSucceeded {
				n++
			}
		}
		return n == 6
	})
	if single, batches, batched := loads.loads.Load(), loads.batches.Load(), loads.batched.Load(); single != 0 || batches < 1 || batched < 6 {
		t.Errorf("loads: %d one by one, %d together holding %d; want none alone and all six together", single, batches, batched)
	}
}

// TestKeptMatchesAreBounded: however many event types an account
// publishes, the matches a hub keeps stay within maxKeptMatches.
func TestKeptMatchesAreBounded(t *testing.T) {
	var m matches
	scope := core.Scope{AccountID: "acct_1"}
	for i := range maxKeptMatches + 10 {
		m.put(scope, "custom."+strconv.Itoa(i), nil, "1")
	}
	m.put(core.Scope{AccountID: "acct_2"}, "a", nil, "1")
	held := 0
	for _, sm := range m.byScope {
		held += len(sm.byType)
	}
	if held != m.kept || held > maxKeptMatches {
		t.Fatalf("%d matches held, %d counted; want them equal and at most %d", held, m.kept, maxKeptMatches)
	}
	m.forget(scope)
	m.put(scope, "b", nil, "2") // a new version replaces the scope's matches
	m.put(scope, "c", nil, "3")
	held = 0
	for _, sm := range m.byScope {
		held += len(sm.byType)
	}
	if held != m.kept {
		t.Fatalf("after forget and a new version: %d held, %d counted", held, m.kept)
	}
}
