package delivery

import (
	"context"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
)

// fakeAttempts is an attemptLog holding one delivery in memory and keeping
// what FinishAttempt is asked to write. Any other method panics (the
// embedded interface is nil): the code under test must not need it.
type fakeAttempts struct {
	attemptLog
	d        *core.Delivery
	finished []redisstore.AttemptRecord
}

func (f *fakeAttempts) LoadDelivery(_ context.Context, _ core.Scope, id string) (*core.Delivery, []byte, error) {
	if f.d == nil || f.d.ID != id {
		return nil, nil, core.NotFound("delivery", id)
	}
	return f.d, []byte(`{}`), nil
}

func (f *fakeAttempts) FinishAttempt(_ context.Context, _ core.Scope, _ *core.Delivery, r redisstore.AttemptRecord) (redisstore.Health, error) {
	f.finished = append(f.finished, r)
	return redisstore.Health{}, nil
}

// fakeQueue is a queue that only acks, keeping the entries it acked.
type fakeQueue struct {
	queue
	acked []string
}

func (q *fakeQueue) AckDelivery(_ context.Context, _ core.Scope, entryID string) error {
	q.acked = append(q.acked, entryID)
	return nil
}

// TestEntryEndsThroughTheSeams runs the worker's handling of an entry that
// cannot be attempted against an in-memory queue and attemptLog, no Redis:
// what it acks and what it records go through those two interfaces only.
func TestEntryEndsThroughTheSeams(t *testing.T) {
	pending := &core.Delivery{ID: "dlv_1", Status: core.StatusPending, AttemptCount: 2, Target: core.Target{Kind: "nope", ID: "x_1"}}
	done := &core.Delivery{ID: "dlv_1", Status: core.StatusSucceeded, Target: core.Target{Kind: "nope", ID: "x_1"}}
	for _, tc := range []struct {
		name       string
		d          *core.Delivery
		deliveries int    // times the entry was handed out
		wantReason string // "" : acked without a record
	}{
		{name: "no sender for the kind", d: pending, deliveries: 1, wantReason: "no sender for target kind nope"},
		{name: "stopped its hubs too often", d: pending, deliveries: maxEntryDeliveries + 1, wantReason: "stopped 5 times"},
		{name: "delivery gone", d: nil, deliveries: 1},
		{name: "already ended", d: done, deliveries: maxEntryDeliveries + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := New(Options{})
			log, q := &fakeAttempts{d: tc.d}, &fakeQueue{}
			e.attempts, e.queue = log, q
			en := redisstore.StreamEntry{ID: "1-0", Values: map[string]any{"d": "dlv_1"}, Deliveries: tc.deliveries}
			if err := e.processSafely(context.Background(), core.Scope{AccountID: "acct_1"}, en); err != nil {
				t.Fatal(err)
			}
			if tc.wantReason == "" {
				if len(log.finished) != 0 || len(q.acked) != 1 || q.acked[0] != en.ID {
					t.Fatalf("finished %d, acked %v; want acked [%s] only", len(log.finished), q.acked, en.ID)
				}
				return
			}
			if len(log.finished) != 1 || len(q.acked) != 0 {
				t.Fatalf("finished %d, acked %v; want one FinishAttempt (which acks), no separate ack", len(log.finished), q.acked)
			}
			got := log.finished[0]
			if got.Status != core.StatusFailed || got.EntryID != en.ID || got.Attempt.Number != 3 || !strings.Contains(got.Reason, tc.wantReason) {
				t.Errorf("recorded %s for entry %s, attempt %d, reason %q; want failed, %s, 3, reason containing %q",
					got.Status, got.EntryID, got.Attempt.Number, got.Reason, en.ID, tc.wantReason)
			}
		})
	}
}
