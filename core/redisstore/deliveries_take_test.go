package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/redis/go-redis/v9"
)

// TestCreateDeliveryBatchTakes: a Take hands the caller's consumer the new
// entries of the deliveries stream in the same script, oldest first: an
// entry queued earlier and not read yet as a plain entry, and one this call
// queued with its delivery and payload as the caller made them. They are
// pending for that consumer, as a read would leave them. A scope whose
// stream has no worker group yet takes nothing and still stores.
func TestCreateDeliveryBatchTakes(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	scope := newScope(t, s)
	if err := s.EnsureGroups(ctx, s.EventsStreamKey, []core.Scope{scope}); err != nil {
		t.Fatal(err)
	}
	target := core.Target{Kind: core.TargetEndpoint, ID: "whe_take"}
	earlier := &core.Delivery{ID: "whd_earlier", EventID: "evt_1", EventType: "guest.created", Target: target}
	if _, err := s.CreateDeliveries(ctx, scope, []*core.Delivery{earlier}, []byte(`{"n":1}`), "", "", time.Hour); err != nil {
		t.Fatal(err)
	}
	mine := &core.Delivery{ID: "whd_mine", EventID: "evt_2", EventType: "guest.created", Target: target}
	batch := []redisstore.EventDeliveries{{Payload: []byte(`{"n":2}`), Deliveries: []*core.Delivery{mine}}}
	n, taken, err := s.CreateDeliveryBatch(ctx, scope, "", batch, time.Hour, redisstore.Take{Consumer: "hub-1", Count: 5}, "")
	if err != nil || n != 1 {
		t.Fatalf("CreateDeliveryBatch = %d, %v; want 1 created", n, err)
	}
	if len(taken) != 2 {
		t.Fatalf("took %d entries, want the earlier one and this call's", len(taken))
	}
	if taken[0].Values["d"] != "whd_earlier" || taken[0].Loaded != nil {
		t.Errorf("first taken = %+v, want whd_earlier as a plain entry", taken[0])
	}
	c := taken[1].Loaded
	if taken[1].Values["d"] != "whd_mine" || c == nil || c.Delivery != mine || string(c.Payload) != `{"n":2}` {
		t.Errorf("second taken = %+v (created %+v), want whd_mine with the caller's delivery and payload", taken[1], c)
	}
	if mine.Status != core.StatusPending || mine.AttemptCount != 0 {
		t.Errorf("the created delivery reads %s with %d attempts, want pending with none", mine.Status, mine.AttemptCount)
	}
	stream := s.DeliveriesStreamKey(scope)
	for _, en := range taken {
		if en.Stream != stream {
			t.Errorf("entry %s names stream %q, want %q", en.ID, en.Stream, stream)
		}
	}
	pending, err := s.Client().XPendingExt(ctx, &redis.XPendingExtArgs{Stream: stream, Group: redisstore.WorkerGroup, Start: "-", End: "+", Count: 10}).Result()
	if err != nil || len(pending) != 2 || pending[0].Consumer != "hub-1" || pending[1].Consumer != "hub-1" {
		t.Fatalf("pending = %+v, %v; want both entries pending for hub-1", pending, err)
	}
	// Nothing new is left: a second take gets nothing, and neither does a
	// read of the group.
	if _, again, err := s.CreateDeliveryBatch(ctx, scope, "", nil, time.Hour, redisstore.Take{Consumer: "hub-1", Count: 5}, ""); err != nil || len(again) != 0 {
		t.Errorf("second take = %v, %v; want nothing", again, err)
	}

	bare := newScope(t, s) // no groups: the take's read fails inside the script
	other := &core.Delivery{ID: "whd_bare", EventID: "evt_3", Target: target}
	n, taken, err = s.CreateDeliveryBatch(ctx, bare, "", []redisstore.EventDeliveries{{Payload: []byte(`{}`), Deliveries: []*core.Delivery{other}}}, time.Hour, redisstore.Take{Consumer: "hub-1", Count: 5}, "")
	if err != nil || n != 1 || len(taken) != 0 {
		t.Fatalf("take without a group = %d created, %d taken, %v; want 1, none, no error", n, len(taken), err)
	}
	if _, err := s.FindDelivery(ctx, bare, "whd_bare"); err != nil {
		t.Errorf("the delivery of a scope without groups was not stored: %v", err)
	}
}
