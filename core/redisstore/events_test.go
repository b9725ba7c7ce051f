package redisstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/redistest"
	"github.com/redis/go-redis/v9"
)

func testEvent(id, typ, property string, created time.Time) *core.Event {
	return &core.Event{
		ID: id, Type: typ, PropertyID: property, CreatedAt: created.UTC(),
		APIVersion: core.APIVersion, Data: core.EventData{Object: json.RawMessage(`{"n":1}`)},
	}
}

func TestAppendEventDedupes(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	scope := newScope(t, s)
	ev := testEvent("evt_1", "reservation.created", "prop_1", time.Unix(1700000000, 0))
	stored, created, err := s.AppendEvent(ctx, scope, ev)
	if err != nil || !created || stored.ID != "evt_1" {
		t.Fatalf("first append = %+v, %v, %v", stored, created, err)
	}
	dup := testEvent("evt_1", "guest.checked_in", "prop_2", time.Now())
	stored, created, err = s.AppendEvent(ctx, scope, dup)
	if err != nil || created {
		t.Fatalf("second append created = %v, %v; want false", created, err)
	}
	if stored.Type != "reservation.created" || !stored.CreatedAt.Equal(ev.CreatedAt) {
		t.Fatalf("second append returned %+v, want the first event", stored)
	}
	n, err := s.Client().XLen(ctx, s.EventsStreamKey(scope)).Result()
	if err != nil || n != 1 {
		t.Fatalf("stream length = %d, %v; want 1", n, err)
	}
}

func TestAppendEventConcurrentSameID(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	scope := newScope(t, s)
	var wg sync.WaitGroup
	var mu sync.Mutex
	createdCount := 0
	for i := range 8 {
		wg.Go(func() {
			_, created, err := s.AppendEvent(ctx, scope, testEvent("evt_race", fmt.Sprint("t", i), "p", time.Now()))
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if created {
				createdCount++
			}
		})
	}
	wg.Wait()
	if createdCount != 1 {
		t.Fatalf("%d appends created the event, want 1", createdCount)
	}
}

func TestFindEvent(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	scope := newScope(t, s)
	ev := testEvent("evt_find", "payment.failed", "prop_1", time.Unix(1700000000, 0))
	if _, _, err := s.AppendEvent(ctx, scope, ev); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindEvent(ctx, scope, "evt_find")
	if err != nil || got.Type != ev.Type || string(got.Data.Object) != `{"n":1}` {
		t.Fatalf("FindEvent = %+v, %v", got, err)
	}
	live := scope
	live.Livemode = true
	tests := []struct {
		name  string
		scope core.Scope
		id    string
	}{
		{"unknown id", scope, "evt_nope"},
		{"other mode", live, "evt_find"},
		{"other account", newScope(t, s), "evt_find"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.FindEvent(ctx, tt.scope, tt.id)
			wantCode(t, err, core.ENOTFOUND)
		})
	}
}

func TestListEvents(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	scope := newScope(t, s)
	base := time.Unix(1700000000, 0)
	// evt_0 … evt_9 in ingest order; even ones are reservations at prop_a,
	// created one minute apart.
	for i := range 10 {
		typ, prop := "reservation.created", "prop_a"
		if i%2 == 1 {
			typ, prop = "guest.checked_in", "prop_b"
		}
		ev := testEvent(fmt.Sprint("evt_", i), typ, prop, base.Add(time.Duration(i)*time.Minute))
		if _, _, err := s.AppendEvent(ctx, scope, ev); err != nil {
			t.Fatal(err)
		}
	}
	at := func(m int) *time.Time { v := base.Add(time.Duration(m) * time.Minute); return &v }
	tests := []struct {
		name     string
		filter   core.EventFilter
		want     string
		wantMore bool
	}{
		{"newest first", core.EventFilter{Page: core.Page{Limit: 3}}, "9,8,7", true},
		{"all", core.EventFilter{Page: core.Page{Limit: 10}}, "9,8,7,6,5,4,3,2,1,0", false},
		{"starting_after", core.EventFilter{Page: core.Page{Limit: 3, StartingAfter: "evt_7"}}, "6,5,4", true},
		{"starting_after end", core.EventFilter{Page: core.Page{Limit: 3, StartingAfter: "evt_2"}}, "1,0", false},
		{"ending_before", core.EventFilter{Page: core.Page{Limit: 3, EndingBefore: "evt_2"}}, "5,4,3", true},
		{"ending_before start", core.EventFilter{Page: core.Page{Limit: 3, EndingBefore: "evt_7"}}, "9,8", false},
		{"type", core.EventFilter{Type: "guest.checked_in", Page: core.Page{Limit: 2}}, "9,7", true},
		{"property", core.EventFilter{PropertyID: "prop_a", Page: core.Page{Limit: 10}}, "8,6,4,2,0", false},
		{"type after", core.EventFilter{Type: "reservation.created", Page: core.Page{Limit: 2, StartingAfter: "evt_6"}}, "4,2", true},
		{"created range", core.EventFilter{CreatedGTE: at(3), CreatedLTE: at(5), Page: core.Page{Limit: 10}}, "5,4,3", false},
		{"created gte", core.EventFilter{CreatedGTE: at(8), Page: core.Page{Limit: 10}}, "9,8", false},
		{"no match", core.EventFilter{Type: "nothing", Page: core.Page{Limit: 10}}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ListEvents(ctx, scope, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, ev := range got.Data {
				ids = append(ids, strings.TrimPrefix(ev.ID, "evt_"))
			}
			if strings.Join(ids, ",") != tt.want || got.HasMore != tt.wantMore {
				t.Fatalf("got %v more %v, want %s more %v", ids, got.HasMore, tt.want, tt.wantMore)
			}
		})
	}
	for _, param := range []string{"starting_after", "ending_before"} {
		page := core.Page{StartingAfter: "evt_nope"}
		if param == "ending_before" {
			page = core.Page{EndingBefore: "evt_nope"}
		}
		_, err := s.ListEvents(ctx, scope, core.EventFilter{Page: page})
		if e, ok := err.(*core.Error); !ok || e.Code != core.EINVALID || e.Param != param {
			t.Fatalf("unknown %s: err = %v, want EINVALID naming it", param, err)
		}
	}
}

// TestEventRetentionTrims runs on an embedded Redis whatever REDIS_URL says,
// because it moves the server's clock past the retention window. Index keys
// have no expiry of their own: the trim deletes each with its entry, at most
// 100 a write, and never one whose entry is still in the window.
func TestEventRetentionTrims(t *testing.T) {
	ctx := context.Background()
	s, mr := newMiniStore(t, redisstore.Options{EventRetention: 72 * time.Hour})
	rdb := s.Client()
	scope := core.Scope{AccountID: "acct_trim"}
	start := time.Now()
	mr.SetTime(start)
	const aged = 250
	for i := range aged {
		if _, _, err := s.AppendEvent(ctx, scope, testEvent(fmt.Sprintf("evt_old%03d", i), "t", "p", start)); err != nil {
			t.Fatal(err)
		}
	}
	if ttl := rdb.PTTL(ctx, s.EventIndexHashForTest(scope, "evt_old000")).Val(); ttl != -1 {
		t.Errorf("an event's index hash has a TTL of %s; want none (each index goes with its entry)", ttl)
	}
	// evt_old001 as an earlier release indexed it, in a key of its own:
	// the trim drops that too.
	if v, err := rdb.HGet(ctx, s.EventIndexHashForTest(scope, "evt_old001"), "evt_old001").Result(); err != nil {
		t.Fatal(err)
	} else {
		rdb.HDel(ctx, s.EventIndexHashForTest(scope, "evt_old001"), "evt_old001")
		rdb.Set(ctx, s.EventIndexKeyForTest(scope, "evt_old001"), v, 0)
	}
	mr.SetTime(start.Add(time.Hour))
	if _, _, err := s.AppendEvent(ctx, scope, testEvent("evt_mid", "t", "p", start)); err != nil {
		t.Fatal(err)
	}
	mr.SetTime(start.Add(72*time.Hour + time.Minute))
	indexed := func() (n int) {
		for i := range aged {
			if s.EventIndexedForTest(ctx, scope, fmt.Sprintf("evt_old%03d", i)) {
				n++
			}
		}
		return n
	}
	for write, left := range []int{150, 50, 0, 0} {
		if _, _, err := s.AppendEvent(ctx, scope, testEvent(fmt.Sprintf("evt_new%d", write), "t", "p", start)); err != nil {
			t.Fatal(err)
		}
		n, err := rdb.XLen(ctx, s.EventsStreamKey(scope)).Result()
		if err != nil || n != int64(left+1+write+1) {
			t.Fatalf("after write %d past the window: stream length %d, %v; want %d aged, evt_mid and %d new", write+1, n, err, left, write+1)
		}
		if got := indexed(); got != left {
			t.Fatalf("after write %d past the window: %d aged events indexed, want %d (each index key goes with its entry)", write+1, got, left)
		}
	}
	_, err := s.FindEvent(ctx, scope, "evt_old000")
	wantCode(t, err, core.ENOTFOUND)
	for _, id := range []string{"evt_mid", "evt_new0", "evt_new3"} {
		if _, err := s.FindEvent(ctx, scope, id); err != nil {
			t.Fatalf("FindEvent(%s), inside the window = %v", id, err)
		}
	}
	// An id whose event aged out is a new event when published again.
	ev, created, err := s.AppendEvent(ctx, scope, testEvent("evt_old007", "t", "p", start))
	if err != nil || !created || ev.ID != "evt_old007" {
		t.Fatalf("republishing an aged-out id = %v, created %v, %v; want a new event", ev, created, err)
	}
}

// TestRetentionReachingBefore1970 appends with windows longer than the time
// since 1970 (found by the upgrade test's 100-year retention): the trim's
// MINID would be negative, which XADD refuses, and every publish failed.
func TestRetentionReachingBefore1970(t *testing.T) {
	ctx := context.Background()
	r := redistest.New(t)
	century := 100 * 365 * 24 * time.Hour
	s := redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix, EventRetention: century, ActivityRetention: century})
	scope := core.Scope{AccountID: "acct_long"}
	if _, _, err := s.AppendEvent(ctx, scope, testEvent("evt_1", "t", "p", time.Now())); err != nil {
		t.Fatalf("AppendEvent = %v", err)
	}
	if err := s.RecordActivity(ctx, scope, &core.Activity{ID: core.NewRequestID(time.Now())}); err != nil {
		t.Fatalf("RecordActivity = %v", err)
	}
}

// TestLegacyIndexKeysReadWhileMarked: a hub starting on a store marks, once,
// every scope it holds as one that may keep event index keys of earlier
// releases, for an event retention; while marked, a publish repeating such
// an event's id finds it. Once the mark is gone a publish no longer reads
// those keys (every event they name has aged out), and a second start does
// not mark again.
func TestLegacyIndexKeysReadWhileMarked(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	scope := newScope(t, s)
	plant := func(id string) {
		t.Helper()
		envelope := `{"id":"` + id + `","type":"guest.updated","created_at":"2026-11-30T10:00:00Z","api_version":"2026-01-15","livemode":false,"property_id":"prop_1","data":{"object":{"n":1}}}`
		sid, err := r.Client.XAdd(ctx, &redis.XAddArgs{Stream: s.EventsStreamKey(scope), Values: []any{"type", "guest.updated", "event", envelope}}).Result()
		if err != nil {
			t.Fatal(err)
		}
		r.Client.Set(ctx, s.EventIndexKeyForTest(scope, id), sid, 0)
	}
	publish := func(id string) bool {
		t.Helper()
		_, created, err := s.AppendEvent(ctx, scope, testEvent(id, "guest.updated", "prop_1", time.Now()))
		if err != nil {
			t.Fatal(err)
		}
		return created
	}
	plant("evt_old1")
	r.Client.SAdd(ctx, r.Prefix+"scopes", scope.AccountID+":"+scope.Mode())
	if err := s.MarkLegacyEventIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	mark := r.Prefix + "{" + scope.AccountID + "}:test:evt:idx:legacy"
	if ttl := r.Client.PTTL(ctx, mark).Val(); ttl < 71*time.Hour || ttl > 72*time.Hour {
		t.Errorf("the scope's mark expires in %s, want the event retention (72h)", ttl)
	}
	if publish("evt_old1") {
		t.Error("a publish of an id an earlier release indexed in a key stored it again while the scope is marked")
	}
	r.Client.Del(ctx, mark) // as its expiry does, one event retention later
	if err := s.MarkLegacyEventIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	if n := r.Client.Exists(ctx, mark).Val(); n != 0 {
		t.Error("a second start marked the scope again")
	}
	plant("evt_old2")
	if !publish("evt_old2") {
		t.Error("a publish read an index key of an earlier release in a scope no longer marked")
	}
}
