package delivery

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// A hub dies in the middle of a load (its Redis connection is cut, so it
// acks nothing more); another hub claims what it left and every event
// reaches the endpoint at least once. Duplicates are allowed and reported.
func TestCrashedEngineLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("slow end-to-end test")
	}
	h := newHarness(t)
	crashStore, crashClient := h.crashableStore()
	opts1 := h.options()
	opts1.Store, opts1.Consumer = crashStore, "hub-1"
	e1 := newEngine(opts1)
	ctx1, cancel1 := context.WithCancel(context.Background())
	done1 := make(chan struct{})
	go func() { defer close(done1); e1.Run(ctx1) }()

	rc := newReceiver(t, func(int, *http.Request) (int, http.Header) {
		time.Sleep(2 * time.Millisecond) // keep some attempts in flight at the crash
		return 200, nil
	})
	h.endpoint(e1, rc.URL, nil)
	const n = 300
	want := map[string]bool{}
	for i := range n {
		want[h.publish(h.scope, "reservation.created", i).ID] = true
	}
	eventually(t, "the first hub to be mid-load", func() bool { return rc.count() >= 30 })
	crashClient.Close() // kill -9, as far as Redis can tell
	cancel1()
	<-done1
	atCrash := rc.count()

	opts2 := h.options()
	opts2.Consumer, opts2.ClaimIdle, opts2.ClaimEvery = "hub-2", 300*time.Millisecond, 100*time.Millisecond
	h.start(opts2)
	eventually(t, "every event at least once", func() bool {
		seen := map[string]bool{}
		for _, r := range rc.received() {
			seen[r.event.ID] = true
		}
		for id := range want {
			if !seen[id] {
				return false
			}
		}
		return true
	})
	counts := map[string]int{}
	for _, r := range rc.received() {
		counts[r.event.ID]++
	}
	dups := 0
	for _, c := range counts {
		dups += c - 1
	}
	t.Logf("%d events, %d received before the crash, %d deliveries in all, %d duplicates", n, atCrash, rc.count(), dups)
	if len(counts) != n {
		t.Errorf("received %d distinct events, want %d", len(counts), n)
	}
}
