package redisstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/redistest"
)

// TestOnCluster runs the storage tests whose scripts and multi-key
// commands a cluster could refuse (CROSSSLOT) on a real Redis Cluster:
// events, deliveries and attempts (parked, deferred, retried), keys and
// scopes, idempotency, rate limits, the activity log, scripts, event types
// and connections, reads across slots, console users and sessions, account
// settings, health samples and the queue's metrics reading. Tests that move
// miniredis's clock stay single-Redis.
func TestOnCluster(t *testing.T) {
	redistest.NewCluster(t) // skips here, once, when no cluster can be had
	onCluster = true
	defer func() { onCluster = false }()
	for _, tc := range []struct {
		name string
		test func(*testing.T)
	}{
		{"AppendEventDedupes", TestAppendEventDedupes},
		{"AppendEventConcurrentSameID", TestAppendEventConcurrentSameID},
		{"AppendEvents", TestAppendEvents},
		{"EventCapDropsOnlyDispatchedEvents", TestEventCapDropsOnlyDispatchedEvents},
		{"EventEntryRebuildsTheEnvelope", TestEventEntryRebuildsTheEnvelope},
		{"FindEvent", TestFindEvent},
		{"ListEvents", TestListEvents},
		{"FinishAttemptHealth", TestFinishAttemptHealth},
		{"QueueStats", TestQueueStats},
		{"Idempotency", TestIdempotency},
		{"IdempotencyClaimOfDeadHub", TestIdempotencyClaimOfDeadHub},
		{"IdempotencyClaimOfLiveHub", TestIdempotencyClaimOfLiveHub},
		{"AllowRequest", TestAllowRequest},
		{"CreateAndAuthenticate", TestCreateAndAuthenticate},
		{"Revoke", TestRevoke},
		{"EnsureAPIKey", TestEnsureAPIKey},
		{"ListAPIKeysPages", TestListAPIKeysPages},
		{"ActivityPages", TestActivityPages},
		{"ScriptVersions", TestScriptVersions},
		{"CustomEventTypes", TestCustomEventTypes},
		{"ConnectionIndexAndList", TestConnectionIndexAndList},
		{"ParkReleaseDeferAndRetry", TestParkReleaseDeferAndRetry},
		{"ReadGroupAcrossSlots", TestReadGroupAcrossSlots},
		{"Sessions", TestSessions},
		{"UserRecords", TestUserRecords},
		{"FindAndUpdateAccount", TestFindAndUpdateAccount},
		{"UpdateAccountConcurrent", TestUpdateAccountConcurrent},
		{"HealthBuckets", TestHealthBuckets},
		{"HealthTrim", TestHealthTrim},
		{"HealthRecorder", TestHealthRecorder},
		{"AlertQueue", TestAlertQueue},
		{"StaleMatchWritesNothing", TestStaleMatchWritesNothing},
	} {
		t.Run(tc.name, tc.test)
	}
}

// TestReadGroupAcrossSlots reads the deliveries streams of many accounts
// (on a cluster, many slots) in one ReadGroup: every entry comes back, an
// idle read returns empty after its block, and an entry added to one
// stream later is read by the next call.
func TestReadGroupAcrossSlots(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	var scopes []core.Scope
	var streams []string
	for range 20 {
		scopes = append(scopes, newScope(t, s))
		streams = append(streams, s.DeliveriesStreamKey(scopes[len(scopes)-1]))
	}
	if err := s.EnsureGroups(ctx, s.EventsStreamKey, scopes); err != nil {
		t.Fatal(err)
	}
	add := func(i int, id string) {
		d := &core.Delivery{ID: id, EventID: "evt_" + id, Target: core.Target{Kind: core.TargetEndpoint, ID: "ep_1"}}
		if _, err := s.CreateDeliveries(ctx, scopes[i], []*core.Delivery{d}, []byte(`{}`), "", "", time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	for i := range scopes {
		add(i, fmt.Sprintf("whd_%d", i))
	}
	seen := map[string]bool{}
	for len(seen) < len(scopes) {
		got, err := s.ReadGroup(ctx, redisstore.WorkerGroup, "c1", streams, 10, 50*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		} else if len(got) == 0 {
			t.Fatalf("read %d of %d entries, then nothing", len(seen), len(scopes))
		}
		for _, en := range got {
			if seen[en.Stream] {
				t.Fatalf("%s read twice", en.Stream)
			}
			seen[en.Stream] = true
		}
	}
	start := time.Now()
	if got, err := s.ReadGroup(ctx, redisstore.WorkerGroup, "c1", streams, 10, 50*time.Millisecond); err != nil || len(got) != 0 {
		t.Fatalf("idle read = %v, %v; want nothing", got, err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("an idle read took %v", d)
	}
	add(7, "whd_late")
	deadline := time.Now().Add(2 * time.Second)
	for {
		got, err := s.ReadGroup(ctx, redisstore.WorkerGroup, "c1", streams, 10, 50*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 1 && got[0].Stream == streams[7] {
			return
		} else if len(got) > 0 || time.Now().After(deadline) {
			t.Fatalf("after a late entry read %v", got)
		}
	}
}

// TestParkReleaseDeferAndRetry runs the scripts that move a delivery
// between the deliveries stream, the retry set and a target's parked set
// (ReleaseParked builds its delivery keys inside the script, in the
// scope's slot): each delivery comes back on the stream exactly once.
func TestParkReleaseDeferAndRetry(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	scope := newScope(t, s)
	if err := s.EnsureGroups(ctx, s.EventsStreamKey, []core.Scope{scope}); err != nil {
		t.Fatal(err)
	}
	stream := []string{s.DeliveriesStreamKey(scope)}
	target := core.Target{Kind: core.TargetEndpoint, ID: "ep_park"}
	parked := &core.Delivery{ID: "whd_parked", EventID: "evt_1", Target: target}
	deferred := &core.Delivery{ID: "whd_deferred", EventID: "evt_2", Target: target}
	if _, err := s.CreateDeliveries(ctx, scope, []*core.Delivery{parked, deferred}, []byte(`{}`), "", "", time.Hour); err != nil {
		t.Fatal(err)
	}
	read := func() map[string]string { // delivery id → entry id
		got, err := s.ReadGroup(ctx, redisstore.WorkerGroup, "c1", stream, 10, 10*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, en := range got {
			out[en.Values["d"].(string)] = en.ID
		}
		return out
	}
	entries := read()
	if _, err := s.ParkDelivery(ctx, scope, entries[parked.ID], parked, "target disabled"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeferDelivery(ctx, scope, entries[deferred.ID], deferred.ID, time.Now().Add(-time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if n, expired, err := s.ReleaseParked(ctx, scope, target.ID); err != nil || n != 1 || expired != 0 {
		t.Fatalf("ReleaseParked = %d queued, %d expired, %v; want 1, 0", n, expired, err)
	}
	if n, _, err := s.MoveDueRetries(ctx, scope, time.Now(), 10); err != nil || n != 1 {
		t.Fatalf("MoveDueRetries = %d, %v; want 1", n, err)
	}
	if again := read(); len(again) != 2 || again[parked.ID] == "" || again[deferred.ID] == "" {
		t.Fatalf("read again %v, want both deliveries once", again)
	}
}
