package delivery

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
)

// recordingObserver is an Observer that keeps what it hears.
type recordingObserver struct {
	mu         sync.Mutex
	attempts   []AttemptSeen
	settled    []string
	dispatched int
	trips      []string
}

func (o *recordingObserver) Attempted(a AttemptSeen) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.attempts = append(o.attempts, a)
}

func (o *recordingObserver) Settled(kind, outcome string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.settled = append(o.settled, kind+" "+outcome)
}

func (o *recordingObserver) Dispatched(events int, lag time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.dispatched += events
}

func (o *recordingObserver) BreakerTripped(kind, rule string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.trips = append(o.trips, kind+" "+rule)
}

func (o *recordingObserver) snapshot() (attempts []AttemptSeen, settled, trips []string, dispatched int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]AttemptSeen(nil), o.attempts...), append([]string(nil), o.settled...), append([]string(nil), o.trips...), o.dispatched
}

// TestObserverHearsAttemptsTripsAndParks: an endpoint that answers 400
// fails five deliveries for good, one attempt each, which trips the
// breaker once; the two deliveries queued after it park without an
// attempt. The Observer hears each, with what the attempt log says.
func TestObserverHearsAttemptsTripsAndParks(t *testing.T) {
	h := newHarness(t)
	obs := &recordingObserver{}
	opts := h.options()
	opts.BreakerConsecutive, opts.Observer = 5, obs
	e := h.start(opts)
	rc := newReceiver(t, func(int, *http.Request) (int, http.Header) { return 400, nil })
	ep, _ := h.endpoint(e, rc.URL, func(in *core.EndpointInput) { in.EnabledEvents = []string{"reservation.created"} })
	for i := range 5 {
		h.publish(h.scope, "reservation.created", i)
	}
	eventually(t, "the breaker to trip", func() bool {
		_, _, trips, _ := obs.snapshot()
		return len(trips) > 0
	})
	for i := range 2 {
		h.publish(h.scope, "reservation.created", 10+i)
	}
	eventually(t, "two deliveries to park", func() bool {
		_, settled, _, _ := obs.snapshot()
		return len(settled) >= 2
	})

	attempts, settled, trips, dispatched := obs.snapshot()
	if len(attempts) != 5 {
		t.Fatalf("heard %d attempts, want 5: %+v", len(attempts), attempts)
	}
	for _, a := range attempts {
		if a.Outcome != AttemptFailed || a.Status != 400 || a.Number != 1 || a.Target != (core.Target{Kind: core.TargetEndpoint, ID: ep.ID}) ||
			a.Scope != h.scope || a.Took <= 0 || a.FirstLag < 0 || !a.Ends() {
			t.Errorf("attempt = %+v, want a first attempt to %s that failed with 400, ending its delivery, timed", a, ep.ID)
		}
	}
	if len(trips) != 1 || trips[0] != core.TargetEndpoint+" "+BreakerConsecutive {
		t.Errorf("trips = %v, want one of the endpoint by consecutive failures", trips)
	}
	if len(settled) != 2 || settled[0] != core.TargetEndpoint+" parked" || settled[1] != core.TargetEndpoint+" parked" {
		t.Errorf("settled = %v, want two endpoint deliveries parked", settled)
	}
	if dispatched < 7 {
		t.Errorf("dispatched %d events, want the 7 published at least", dispatched)
	}
}

// TestAttemptOutcome: a delivery left pending is retrying; the others keep
// their status's name.
func TestAttemptOutcome(t *testing.T) {
	for status, want := range map[string]string{core.StatusPending: AttemptRetrying, core.StatusSucceeded: AttemptSucceeded, core.StatusFailed: AttemptFailed, core.StatusSkipped: AttemptSkipped} {
		if got := attemptOutcome(status); got != want {
			t.Errorf("attemptOutcome(%s) = %s, want %s", status, got, want)
		}
	}
}
