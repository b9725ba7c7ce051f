package redisstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
)

// TestAppendEvents appends a batch in one call: events are added in order,
// an id already stored or met earlier in the batch returns the stored event
// and adds nothing, and each is found afterwards as AppendEvent's are.
func TestAppendEvents(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	scope := newScope(t, s)
	at := time.Unix(1700000000, 0)
	old := testEvent("evt_old", "guest.checked_in", "prop_1", at)
	if _, _, err := s.AppendEvent(ctx, scope, old); err != nil {
		t.Fatal(err)
	}
	batch := []*core.Event{
		testEvent("evt_a", "reservation.created", "prop_1", at),
		testEvent("evt_old", "payment.failed", "prop_2", at), // stored before
		testEvent("evt_b", "reservation.updated", "prop_1", at),
		testEvent("evt_a", "payment.failed", "prop_3", at), // earlier in this batch
	}
	stored, created, err := s.AppendEvents(ctx, scope, batch)
	if err != nil {
		t.Fatal(err)
	}
	wantCreated := []bool{true, false, true, false}
	wantType := []string{"reservation.created", "guest.checked_in", "reservation.updated", "reservation.created"}
	if len(stored) != len(batch) || len(created) != len(batch) {
		t.Fatalf("%d stored and %d created for %d events", len(stored), len(created), len(batch))
	}
	for i := range batch {
		if created[i] != wantCreated[i] || stored[i].Type != wantType[i] {
			t.Errorf("event %d: created %v, stored %s; want %v, %s", i, created[i], stored[i].Type, wantCreated[i], wantType[i])
		}
	}
	entries, err := s.Client().XRange(ctx, s.EventsStreamKey(scope), "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range entries {
		ev, err := redisstore.DecodeEvent(e)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, ev.ID)
	}
	if got := strings.Join(ids, ","); got != "evt_old,evt_a,evt_b" {
		t.Errorf("stream holds %s, want evt_old,evt_a,evt_b", got)
	}
	for _, id := range []string{"evt_a", "evt_b"} {
		if got, err := s.FindEvent(ctx, scope, id); err != nil || got.ID != id {
			t.Errorf("FindEvent(%s) = %+v, %v", id, got, err)
		}
	}
}

// TestAppendEventsRefuses: an empty batch is no call; an event without an id
// refuses the whole batch before anything is stored.
func TestAppendEventsRefuses(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	scope := newScope(t, s)
	if stored, created, err := s.AppendEvents(ctx, scope, nil); err != nil || stored != nil || created != nil {
		t.Errorf("empty batch = %v, %v, %v; want nothing", stored, created, err)
	}
	_, _, err := s.AppendEvents(ctx, scope, []*core.Event{
		testEvent("evt_first", "reservation.created", "p", time.Now()),
		testEvent("", "reservation.created", "p", time.Now()),
	})
	wantCode(t, err, core.EINVALID)
	if n, err := s.Client().XLen(ctx, s.EventsStreamKey(scope)).Result(); err != nil || n != 0 {
		t.Errorf("stream length = %d, %v; want 0", n, err)
	}
}

// BenchmarkAppendEvents appends batches of 500 events, the most POST
// /v1/events/batch sends in one call, and reports events/s, to set beside
// BenchmarkAppendEvent's publishes/s.
func BenchmarkAppendEvents(b *testing.B) {
	ctx := context.Background()
	s, r := newStore(b)
	b.Logf("real Redis: %v", r.Real)
	scope := newScope(b, s)
	n := 0
	start := time.Now()
	for b.Loop() {
		batch := make([]*core.Event, 500)
		for i := range batch {
			n++
			batch[i] = testEvent(fmt.Sprint("evt_batch", n), "reservation.created", "prop_1", time.Now())
		}
		if _, _, err := s.AppendEvents(ctx, scope, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "events/s")
}
