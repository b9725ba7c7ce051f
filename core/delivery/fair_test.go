package delivery

import (
	"context"
	"math"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/outbound"
)

// An account at its budget waits in its own line and is then refused; the
// other accounts keep getting slots, and a freed slot goes to the waiter.
func TestFairShareBudget(t *testing.T) {
	f := newFairShare(2, 8)
	for range 2 {
		if !f.acquire("acct_b", 0) {
			t.Fatal("could not take a slot under the budget")
		}
	}
	if f.acquire("acct_b", time.Millisecond) {
		t.Error("an account over its budget got a slot")
	}
	if !f.acquire("acct_d", 0) {
		t.Error("another account got no slot while the first was at its budget")
	}
	got := make(chan bool)
	go func() { got <- f.acquire("acct_b", time.Hour) }()
	eventually(t, "the third attempt to wait in line", func() bool { return f.sending.waiting("acct_b") == 1 })
	f.release("acct_b")
	if !<-got {
		t.Error("the waiter did not get the freed slot")
	}
	f.release("acct_b")
	f.release("acct_b")
	f.release("acct_d")
	if len(f.sending.targets) != 0 {
		t.Errorf("idle accounts are still tracked: %v", f.sending.targets)
	}
}

// An account holding its share of the entries in hand is full; the others
// are not, and it has room again as soon as one of its entries is done.
func TestFairShareEntriesInHand(t *testing.T) {
	f := newFairShare(2, 8)
	for range f.holdCap {
		if f.full("acct_b") {
			t.Fatal("full before holding its share")
		}
		f.hold("acct_b")
	}
	if !f.full("acct_b") {
		t.Error("not full while holding its share")
	}
	if f.full("acct_d") {
		t.Error("another account is full")
	}
	f.drop("acct_b")
	if f.full("acct_b") {
		t.Error("still full after an entry was done")
	}
	select {
	case <-f.room:
	default:
		t.Error("no signal that the account has room again")
	}
	for range f.holdCap - 1 {
		f.drop("acct_b")
	}
	if len(f.inHand) != 0 {
		t.Errorf("idle accounts are still counted: %v", f.inHand)
	}
}

// A target's cap is held to the hub's maximum and to half its account's
// budget, and an account's targets together hold at most its budget.
func TestAcquireSlotsCaps(t *testing.T) {
	e := newEngine(Options{Workers: 16, MaxEndpointConcurrency: 50, DeferDelay: time.Millisecond})
	if got := e.opts.AccountConcurrency; got != 4 {
		t.Fatalf("default AccountConcurrency = %d, want a quarter of 16 workers", got)
	}
	tests := []struct {
		name           string
		maxConcurrency int
		want           int // slots one target gets
	}{
		{name: "the default, over half the budget", maxConcurrency: 0, want: 2},
		{name: "its own cap", maxConcurrency: 1, want: 1},
		{name: "over the maximum", maxConcurrency: 100, want: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var releases []func()
			for {
				release, ok := e.acquireSlots("acct_b", "whe_1", tt.maxConcurrency)
				if !ok {
					break
				}
				releases = append(releases, release)
			}
			if len(releases) != tt.want {
				t.Errorf("got %d slots, want %d", len(releases), tt.want)
			}
			for _, r := range releases {
				r()
				r() // a second call frees nothing more
			}
		})
	}
	var releases []func()
	for _, target := range []string{"whe_1", "whe_2", "whe_3"} {
		for {
			release, ok := e.acquireSlots("acct_b", target, 50)
			if !ok {
				break
			}
			releases = append(releases, release)
		}
	}
	if len(releases) != 4 {
		t.Errorf("three targets of one account got %d slots, want its budget of 4", len(releases))
	}
	if _, ok := e.acquireSlots("acct_d", "whe_4", 0); !ok {
		t.Error("another account got no slot")
	}
}

// The scenario of issue 8: account B points two endpoints with a high
// max_concurrency at a receiver that never answers and publishes many
// events; account D publishes to a healthy endpoint meanwhile. D's
// deliveries all arrive, promptly, while B's still hang, and none of B's
// is lost or failed for its budget. The p99 bound is the one timed
// assertion, asked for by the issue; -v prints D's p50 and p99 (the figures
// in BENCHMARKS.md).
func TestHangingAccountDoesNotStarveOthers(t *testing.T) {
	if testing.Short() {
		t.Skip("publishes for a few seconds")
	}
	for _, withB := range []bool{true, false} {
		name := map[bool]string{true: "with B hanging", false: "without B"}[withB]
		t.Run(name, func(t *testing.T) {
			p50, p99 := fairScenario(t, withB)
			t.Logf("%s: D's publish-to-receipt p50 %s, p99 %s", name, p50.Round(10*time.Microsecond), p99.Round(10*time.Microsecond))
			if p99 >= time.Second {
				t.Errorf("D's p99 publish-to-receipt is %s, want under 1s", p99)
			}
		})
	}
}

const (
	scenarioEventsB = 300
	scenarioEventsD = 200
	scenarioPace    = 5 * time.Millisecond // between D's events: 200 a second
)

// fairScenario runs the scenario with the engine's default workers and
// budgets, and returns D's publish-to-receipt p50 and p99.
func fairScenario(t *testing.T, withB bool) (p50, p99 time.Duration) {
	h := newHarness(t)
	scopeD, scopeB := h.scope, core.Scope{AccountID: "acct_" + randomID("")[:10]}
	opts := h.options()
	opts.Scopes = func(context.Context) ([]core.Scope, error) { return []core.Scope{scopeD, scopeB}, nil }
	// The default, so that B's deferred entries go round through Redis as
	// often as they would in production.
	opts.DeferDelay = 200 * time.Millisecond
	// Longer than the measurement, so B's attempts still hang when it ends;
	// short enough to bound the test should the release below be missed.
	opts.TestHTTP = outbound.New(outbound.Options{Timeout: time.Minute})
	e := h.start(opts)

	release := make(chan struct{})
	defer close(release) // before the receivers and the engine stop
	hanging := newReceiver(t, func(int, *http.Request) (int, http.Header) { <-release; return 200, nil })
	healthy := newReceiver(t, nil)
	var bEndpoints []string
	if withB {
		most := e.opts.MaxEndpointConcurrency
		for range 2 {
			url := hanging.URL
			ep, _, err := eps(e).CreateEndpoint(context.Background(), scopeB, core.EndpointInput{URL: &url, EnabledEvents: []string{"*"}, MaxConcurrency: &most})
			if err != nil {
				t.Fatal(err)
			}
			bEndpoints = append(bEndpoints, ep.ID)
		}
		for i := range scenarioEventsB {
			h.publish(scopeB, "reservation.created", i)
		}
		eventually(t, "B to use its whole budget", func() bool { return hanging.count() >= e.opts.AccountConcurrency })
	}
	h.endpoint(e, healthy.URL, nil)

	published := make(map[string]time.Time, scenarioEventsD)
	for i := range scenarioEventsD {
		start := time.Now()
		ev := h.publish(scopeD, "reservation.created", i)
		published[ev.ID] = start
		time.Sleep(scenarioPace)
	}
	eventually(t, "D's deliveries to arrive", func() bool { return healthy.count() >= scenarioEventsD })
	var lat []time.Duration
	for _, r := range healthy.received() {
		lat = append(lat, r.at.Sub(published[r.event.ID]))
	}
	slices.Sort(lat)
	p50, p99 = percentile(lat, 0.50), percentile(lat, 0.99)

	if withB {
		h.checkHeldBack(e, scopeB, bEndpoints, hanging)
	}
	return p50, p99
}

// checkHeldBack checks that B's endpoints still hang within B's budget, are
// not disabled, and that every delivery of B's is there and still pending:
// waiting, deferred or retrying, none failed or lost.
func (h *harness) checkHeldBack(e *Engine, scopeB core.Scope, endpoints []string, hanging *receiver) {
	t := h.t
	t.Helper()
	hanging.mu.Lock()
	inFlight, maxIn := hanging.inFlight, hanging.maxIn
	hanging.mu.Unlock()
	if inFlight == 0 || maxIn > e.opts.AccountConcurrency {
		t.Errorf("B had %d requests in flight (at most %d), want some and at most its budget %d", inFlight, maxIn, e.opts.AccountConcurrency)
	}
	var all []*core.Delivery
	eventually(t, "every delivery of B's to be created", func() bool {
		all = nil
		for _, id := range endpoints {
			all = append(all, h.deliveriesIn(e, scopeB, id)...)
		}
		return len(all) >= len(endpoints)*scenarioEventsB
	})
	for _, d := range all {
		if d.Status != core.StatusPending {
			t.Errorf("B's delivery %s is %s, want pending", d.ID, d.Status)
		}
	}
	for _, id := range endpoints {
		ep, err := eps(e).FindEndpoint(context.Background(), scopeB, id)
		if err != nil {
			t.Fatal(err)
		}
		if ep.Disabled {
			t.Errorf("B's endpoint %s was disabled: %s", id, ep.DisabledReason)
		}
	}
}

// percentile returns the q-th percentile of sorted, by nearest rank.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
