package delivery

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/redis/go-redis/v9"
)

// panickySender is the webhook sender, except that it panics on events
// whose data.object.n is 1, as a bug in a sender or a connector client would.
type panickySender struct{ Sender }

func (s panickySender) Send(ctx context.Context, target *TargetInfo, job Job) Result {
	var ev struct {
		Data struct {
			Object struct{ N int } `json:"object"`
		} `json:"data"`
	}
	if json.Unmarshal(job.Payload, &ev) == nil && ev.Data.Object.N == 1 {
		panic("index out of range [3] with length 3")
	}
	return s.Sender.Send(ctx, target, job)
}

func TestPanickingAttemptFailsItsDeliveryAlone(t *testing.T) {
	h := newHarness(t)
	rc := newReceiver(t, nil)
	e := New(h.options())
	endpoints := NewEndpoints(e, EndpointOptions{})
	e.register(core.TargetEndpoint, &panickySender{Sender: endpoints}) // wraps the real sender
	h.run(e)
	ep, _, err := endpoints.CreateEndpoint(context.Background(), h.scope, core.EndpointInput{URL: &rc.URL, EnabledEvents: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}

	for n := range 3 {
		h.publish(h.scope, "reservation.created", n)
	}
	eventually(t, "the two good events", func() bool { return rc.count() == 2 })
	var crashed *core.Delivery
	eventually(t, "the crashed delivery to end", func() bool {
		for _, d := range h.deliveries(e, ep.ID) {
			if d.Status == core.StatusFailed {
				crashed = d
			}
		}
		return crashed != nil
	})
	if want := "the attempt crashed (index out of range [3] with length 3)"; !strings.Contains(crashed.Reason, want) {
		t.Errorf("reason = %q, want it to contain %q", crashed.Reason, want)
	}
	h.publish(h.scope, "reservation.created", 3)
	eventually(t, "the hub to go on delivering", func() bool { return rc.count() == 3 })
}

// An entry handed out over and over (each hub that took it stopped before
// recording its attempt) is failed for good with the reason, not claimed
// around the hubs forever.
func TestEntryThatKeepsStoppingHubsIsFailed(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	rc := newReceiver(t, nil)
	setup := newEngine(h.options()) // not run: only to create the endpoint and dispatch
	ep, _ := h.endpoint(setup, rc.URL, nil)
	h.publish(h.scope, "reservation.created", 0)
	if err := setup.refreshScopes(ctx); err != nil {
		t.Fatal(err)
	}
	evs, err := h.store.ReadGroup(ctx, redisstore.DispatchGroup, "setup", []string{h.store.EventsStreamKey(h.scope)}, 10, 0)
	if err != nil || len(evs) != 1 {
		t.Fatalf("read event: %v %v", evs, err)
	}
	if err := setup.dispatchBatch(ctx, h.scope, evs); err != nil {
		t.Fatal(err)
	}
	// Five hubs take the entry in turn and die holding it.
	stream := h.store.DeliveriesStreamKey(h.scope)
	ds, err := h.store.ReadGroup(ctx, redisstore.WorkerGroup, "dead-1", []string{stream}, 10, 0)
	if err != nil || len(ds) != 1 {
		t.Fatalf("read delivery entry: %v %v", ds, err)
	}
	for i := 2; i <= maxEntryDeliveries; i++ {
		if err := h.r.Client.XClaim(ctx, &redis.XClaimArgs{Stream: stream, Group: redisstore.WorkerGroup, Consumer: "dead", Messages: []string{ds[0].ID}}).Err(); err != nil {
			t.Fatal(err)
		}
	}

	opts := h.options()
	opts.ClaimIdle, opts.ClaimEvery = 10*time.Millisecond, 20*time.Millisecond
	e := h.start(opts)
	var d *core.Delivery
	eventually(t, "the delivery to be failed", func() bool {
		l := h.deliveries(e, ep.ID)
		d = l[0]
		return len(l) == 1 && d.Status == core.StatusFailed
	})
	if want := "stopped 5 times"; !strings.Contains(d.Reason, want) {
		t.Errorf("reason = %q, want it to contain %q", d.Reason, want)
	}
	if rc.count() != 0 {
		t.Errorf("the receiver got %d requests, want none: the entry is not tried again", rc.count())
	}
	if n, err := h.r.Client.XLen(ctx, stream).Result(); err != nil || n != 0 {
		t.Errorf("deliveries stream holds %d entries (%v), want the entry acked and gone", n, err)
	}
}
