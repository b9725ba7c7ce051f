package delivery

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
)

// TestEventCapLosesNoEvent: with a per-account event cap far below what
// is published while the dispatcher is behind (its group made, the hub not
// yet running), every event still reaches the endpoint once it runs: the
// cap drops only what the dispatcher has read and acked. Once it has, the
// next append brings the stream down to the cap.
func TestEventCapLosesNoEvent(t *testing.T) {
	const capped, published = 10, 300
	ctx := context.Background()
	h := newHarness(t)
	h.store = redisstore.New(h.r.Client, redisstore.Options{Prefix: h.r.Prefix, Sealer: h.box, EventsPerScope: capped})
	h.events = &fakeEvents{store: h.store}
	rc := newReceiver(t, nil)
	e := newEngine(h.options())
	h.endpoint(e, rc.URL, nil)
	if err := h.store.EnsureGroups(ctx, h.store.EventsStreamKey, []core.Scope{h.scope}); err != nil {
		t.Fatal(err)
	}
	for i := range published {
		h.publish(h.scope, "reservation.created", i)
	}
	h.run(e)
	eventually(t, "every event delivered", func() bool { return rc.count() >= published })
	seen := map[int]bool{}
	for _, r := range rc.received() {
		var n struct{ N int }
		if err := json.Unmarshal(r.event.Data.Object, &n); err != nil {
			t.Fatal(err)
		}
		seen[n.N] = true
	}
	if len(seen) != published {
		t.Errorf("%d distinct events delivered, want %d", len(seen), published)
	}
	h.publish(h.scope, "reservation.created", published) // one more append trims what was dispatched since
	if n := h.r.Client.XLen(ctx, h.store.EventsStreamKey(h.scope)).Val(); n > capped+1 {
		t.Errorf("%d events kept, want at most the cap (%d) and a batch of 1", n, capped)
	}
}
