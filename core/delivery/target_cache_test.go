package delivery

import (
	"context"
	"testing"
	"time"
)

// TestStaleDisabledLookupIsForgotten: a hub whose cached lookup still says
// disabled after another hub enabled the target parks the delivery, the
// store queues it again (the target is enabled), and the hub forgets the
// stale lookup: the delivery is sent at once, after one round of parking,
// not parked and queued again in a loop until the cache expires.
func TestStaleDisabledLookupIsForgotten(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	opts := h.options()
	opts.TargetCacheTTL = time.Hour // a stale lookup would outlive the test
	rc := newReceiver(t, nil)
	other := newEngine(opts) // the hub that enables the endpoint; it does not deliver
	ep, _ := h.endpoint(other, rc.URL, nil)
	if _, err := eps(other).DisableEndpoint(ctx, h.scope, ep.ID, "maintenance"); err != nil {
		t.Fatal(err)
	}

	e := newEngine(opts)
	if info, err := eps(e).Lookup(ctx, h.scope, ep.ID); err != nil || !info.Disabled {
		t.Fatalf("lookup = %+v, %v; want it disabled (and cached)", info, err)
	}
	if _, err := eps(other).EnableEndpoint(ctx, h.scope, ep.ID); err != nil {
		t.Fatal(err)
	}
	h.run(e)
	h.publish(h.scope, "reservation.created", 1)
	eventually(t, "the delivery to the endpoint another hub enabled", func() bool { return rc.count() == 1 })

	info, err := h.r.Client.XInfoStream(ctx, h.store.DeliveriesStreamKey(h.scope)).Result()
	if err != nil {
		t.Fatal(err)
	}
	// Queued by the dispatcher, then once more by the park script that
	// found the target enabled: a loop would have queued it thousands of times.
	if info.EntriesAdded > 3 {
		t.Errorf("the delivery was queued %d times, want it queued again once or twice", info.EntriesAdded)
	}
}
