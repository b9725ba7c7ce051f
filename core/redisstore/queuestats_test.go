package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
)

// TestQueueStats: the reading follows the deliveries stream through its
// states (queued and unread, read and pending, acknowledged) and counts the
// retry set, for a scope that has an API key (the scopes the engine
// serves); it reads no key other than those it names.
func TestQueueStats(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	// The embedded Redis (miniredis) answers XINFO GROUPS with every entry
	// of the stream as its lag, read or not: the lag is Redis's to count,
	// and is checked on a real one only.
	lagIs := func(st redisstore.StreamStats, n int64) bool { return !r.Real || st.Lag == n }
	scope := newScope(t, s)
	if _, _, err := s.CreateAPIKey(ctx, scope, "metrics", 0); err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureGroups(ctx, s.EventsStreamKey, []core.Scope{scope}); err != nil {
		t.Fatal(err)
	}
	stats := func() redisstore.QueueStats {
		t.Helper()
		st, err := s.QueueStats(ctx, time.Now())
		if err != nil {
			t.Fatalf("QueueStats: %v", err)
		}
		return st
	}
	if st := stats(); st.Scopes != 1 || st.Deliveries != (redisstore.StreamStats{}) || st.Events != (redisstore.StreamStats{}) || st.Retries != 0 {
		t.Fatalf("empty queue = %+v, want one scope and nothing queued", st)
	}

	target := core.Target{Kind: core.TargetEndpoint, ID: "whe_stats"}
	ds := []*core.Delivery{
		{ID: "whd_1", EventID: "evt_1", EventType: "guest.created", Target: target},
		{ID: "whd_2", EventID: "evt_1", EventType: "guest.created", Target: core.Target{Kind: core.TargetEndpoint, ID: "whe_other"}},
	}
	if _, err := s.CreateDeliveries(ctx, scope, ds, []byte(`{"id":"evt_1"}`), "", "", time.Hour); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond) // so that the oldest entry is measurably old
	st := stats()
	if !lagIs(st.Deliveries, 2) || st.Deliveries.Pending != 0 || st.Deliveries.Oldest <= 0 {
		t.Errorf("two queued = %+v, want lag 2, nothing pending, an age", st.Deliveries)
	}

	entries, err := s.ReadGroup(ctx, redisstore.WorkerGroup, "hub-1", []string{s.DeliveriesStreamKey(scope)}, 1, 0)
	if err != nil || len(entries) != 1 {
		t.Fatalf("ReadGroup = %v, %v", entries, err)
	}
	if st := stats(); !lagIs(st.Deliveries, 1) || st.Deliveries.Pending != 1 {
		t.Errorf("one read = %+v, want lag 1 and 1 pending", st.Deliveries)
	}
	if err := s.DeferDelivery(ctx, scope, entries[0].ID, "whd_1", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if st := stats(); !lagIs(st.Deliveries, 1) || st.Deliveries.Pending != 0 || st.Retries != 1 {
		t.Errorf("one deferred = %+v (retries %d), want lag 1, none pending, 1 scheduled", st.Deliveries, st.Retries)
	}

	// Parked deliveries count until their target's are released. whe_other
	// has no record (a disabled target's record decides; none parks as
	// before).
	if parked, err := s.ParkDelivery(ctx, scope, "", ds[1], "target disabled"); err != nil || !parked {
		t.Fatalf("ParkDelivery = %v, %v", parked, err)
	}
	if st := stats(); st.Parked != 1 {
		t.Errorf("one parked: Parked = %d", st.Parked)
	}
	if n, expired, err := s.ReleaseParked(ctx, scope, "whe_other"); err != nil || n != 1 || expired != 0 {
		t.Fatalf("ReleaseParked = %d queued, %d expired, %v; want 1, 0", n, expired, err)
	}
	if st := stats(); st.Parked != 0 {
		t.Errorf("released: Parked = %d, want 0", st.Parked)
	}

	// Disabled targets count by kind and cause; a target is under one cause.
	for _, m := range []struct{ kind, id, cause string }{
		{core.TargetEndpoint, "whe_a", redisstore.DisabledByBreaker},
		{core.TargetEndpoint, "whe_b", redisstore.DisabledByBreaker},
		{core.TargetEndpoint, "whe_b", redisstore.DisabledByRequest}, // re-disabled by a person
		{core.TargetConnection, "conn_a", redisstore.DisabledByRequest},
		{core.TargetConnection, "conn_b", redisstore.DisabledByBreaker},
		{core.TargetConnection, "conn_b", ""}, // enabled again
	} {
		if err := s.MarkTargetDisabled(ctx, scope, m.kind, m.id, m.cause); err != nil {
			t.Fatal(err)
		}
	}
	want := map[redisstore.DisabledKey]int64{
		{Kind: core.TargetEndpoint, Cause: redisstore.DisabledByBreaker}:   1,
		{Kind: core.TargetEndpoint, Cause: redisstore.DisabledByRequest}:   1,
		{Kind: core.TargetConnection, Cause: redisstore.DisabledByBreaker}: 0,
		{Kind: core.TargetConnection, Cause: redisstore.DisabledByRequest}: 1,
	}
	if got := stats().Disabled; len(got) != len(want) {
		t.Errorf("Disabled = %v, want %v", got, want)
	} else {
		for k, n := range want {
			if got[k] != n {
				t.Errorf("Disabled[%v] = %d, want %d", k, got[k], n)
			}
		}
	}
}

// TestReleaseParkedCountsExpired holds that a delivery whose record expired
// while it was parked is counted as expired on release, not queued, and
// that the one beside it is queued.
func TestReleaseParkedCountsExpired(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	scope := newScope(t, s)
	target := core.Target{Kind: core.TargetEndpoint, ID: "whe_parked"}
	ds := []*core.Delivery{
		{ID: "whd_kept", EventID: "evt_p1", EventType: "guest.created", Target: target},
		{ID: "whd_gone", EventID: "evt_p2", EventType: "guest.created", Target: target},
	}
	if _, err := s.CreateDeliveries(ctx, scope, ds, []byte(`{"id":"evt_p"}`), "", "", time.Hour); err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if parked, err := s.ParkDelivery(ctx, scope, "", d, "target disabled"); err != nil || !parked {
			t.Fatalf("ParkDelivery(%s) = %v, %v", d.ID, parked, err)
		}
	}
	// What its expiry does to a delivery parked past the retention.
	gone := r.Prefix + "{" + scope.AccountID + "}:test:dlv:whd_gone"
	if err := r.Client.Del(ctx, gone, gone+":p").Err(); err != nil {
		t.Fatal(err)
	}
	queued, expired, err := s.ReleaseParked(ctx, scope, target.ID)
	if err != nil || queued != 1 || expired != 1 {
		t.Fatalf("ReleaseParked = %d queued, %d expired, %v; want 1 and 1", queued, expired, err)
	}
	if st, err := s.QueueStats(ctx, time.Now()); err != nil || st.Parked != 0 {
		t.Errorf("after the release Parked = %d, %v; want 0", st.Parked, err)
	}
}
