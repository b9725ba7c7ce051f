package delivery

import (
	"context"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
)

// TestBackfillResumesOnAnotherHub starts a backfill on one engine, stops
// that engine half-way as if its hub died, and checks that a second engine
// claims the backfill once its lease expires and completes it: every event
// delivered exactly once, in original order.
func TestBackfillResumesOnAnotherHub(t *testing.T) {
	h := newHarness(t)
	opts := h.options()
	opts.BackfillLease = 300 * time.Millisecond
	opts.ClaimIdle, opts.ClaimEvery = 200*time.Millisecond, 50*time.Millisecond
	opts.Consumer = "hub-1"
	since := time.Now().Add(-time.Minute)
	const n = 30
	var want []string
	for i := range n {
		want = append(want, h.publish(h.scope, "reservation.created", i).ID)
	}
	rc := newReceiver(t, nil)
	rate := 20 // 1.5 s for the whole window: time enough to stop half-way
	first := newEngine(opts)
	ctx1, stop1 := context.WithCancel(context.Background())
	done1 := make(chan struct{})
	go func() { defer close(done1); first.Run(ctx1) }()
	t.Cleanup(func() { stop1(); <-done1 })
	ep, _ := h.endpoint(first, rc.URL, func(in *core.EndpointInput) {
		in.RateLimit, in.EnabledEvents = &rate, []string{"guest.created"} // only the backfill sends to it
	})
	b, err := first.StartBackfill(context.Background(), h.scope, core.Target{Kind: core.TargetEndpoint, ID: ep.ID}, core.BackfillInput{Since: since, Until: time.Now().Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "a third of the backfill", func() bool { return rc.count() >= n/3 })
	stop1()
	<-done1
	stopped := rc.count()
	if stopped >= n {
		t.Fatalf("the first hub delivered all %d before it stopped; the test proves nothing", stopped)
	}
	got, err := first.FindBackfill(context.Background(), h.scope, b.ID)
	if err != nil || got.Status != "running" {
		t.Fatalf("backfill after its hub stopped: %+v, %v; want running", got, err)
	}

	opts.Consumer = "hub-2"
	second := h.start(opts)
	eventually(t, "the backfill to complete on the second hub", func() bool {
		got, err := second.FindBackfill(context.Background(), h.scope, b.ID)
		return err == nil && got.Status == "completed"
	})
	eventually(t, "every backfilled event", func() bool { return rc.count() >= n })
	time.Sleep(300 * time.Millisecond) // a duplicate would land by now
	recv := rc.received()
	if len(recv) != n {
		t.Fatalf("receiver got %d deliveries, want %d (each event once)", len(recv), n)
	}
	for i, r := range recv {
		if r.event.ID != want[i] {
			t.Errorf("delivery %d is %s, want %s (original order)", i, r.event.ID, want[i])
		}
	}
	if got, _ := second.FindBackfill(context.Background(), h.scope, b.ID); got.Queued != n {
		t.Errorf("queued = %d, want %d", got.Queued, n)
	}
}
