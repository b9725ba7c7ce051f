package redisstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/redistest"
	"github.com/redis/go-redis/v9"
)

// TestEventCapDropsOnlyDispatchedEvents: with EventsPerScope set, appends
// drop the oldest events and their index keys, but never one the dispatch
// group has not read and acked; the same on Redis and the embedded one.
func TestEventCapDropsOnlyDispatchedEvents(t *testing.T) {
	const capped = 20
	t.Run("redis", func(t *testing.T) {
		r := redistest.New(t)
		opts := redisstore.Options{Prefix: r.Prefix, EventsPerScope: capped}
		testEventCap(t, redisstore.New(r.Client, opts), r.Client, capped)
	})
	t.Run("embedded", func(t *testing.T) {
		s, _ := newMiniStore(t, redisstore.Options{EventsPerScope: capped})
		testEventCap(t, s, s.Client(), capped)
	})
}

func testEventCap(t *testing.T, s *redisstore.Store, rdb redis.UniversalClient, capped int64) {
	ctx := context.Background()
	scope := core.Scope{AccountID: "acct_capped"}
	stream := s.EventsStreamKey(scope)
	n := 0
	publish := func(count int) {
		t.Helper()
		for range count {
			n++
			if _, _, err := s.AppendEvent(ctx, scope, testEvent(fmt.Sprintf("evt_%03d", n), "t", "p", time.Now())); err != nil {
				t.Fatal(err)
			}
		}
	}
	wantLen := func(what string, want int64) {
		t.Helper()
		if got := rdb.XLen(ctx, stream).Val(); got != want {
			t.Fatalf("%s: %d events in the stream, want %d", what, got, want)
		}
	}
	found := func(i int) bool {
		_, err := s.FindEvent(ctx, scope, fmt.Sprintf("evt_%03d", i))
		if err != nil && core.ErrorCode(err) != core.ENOTFOUND {
			t.Fatal(err)
		}
		return err == nil
	}

	publish(60)
	wantLen("no dispatcher yet", 60)
	if err := s.EnsureGroups(ctx, s.EventsStreamKey, []core.Scope{scope}); err != nil {
		t.Fatal(err)
	}
	publish(1)
	wantLen("a dispatcher that has read nothing", 61)

	read := func() []redis.XMessage {
		t.Helper()
		res, err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: redisstore.DispatchGroup, Consumer: "c", Streams: []string{stream, ">"}, Count: 1000}).Result()
		if err != nil {
			t.Fatal(err)
		}
		return res[0].Messages
	}
	ack := func(msgs []redis.XMessage) {
		t.Helper()
		for _, m := range msgs {
			if err := rdb.XAck(ctx, stream, redisstore.DispatchGroup, m.ID).Err(); err != nil {
				t.Fatal(err)
			}
		}
	}
	msgs := read()
	publish(1)
	wantLen("every event read, none acked", 62)

	ack(msgs[:30])
	publish(1)
	wantLen("the first 30 acked", 33)
	for i := 1; i <= 63; i++ {
		if want := i > 30; found(i) != want {
			t.Errorf("evt_%03d found = %v, want %v", i, !want, want)
		}
		exists := s.EventIndexedForTest(ctx, scope, fmt.Sprintf("evt_%03d", i))
		if want := i > 30; exists != want {
			t.Errorf("evt_%03d index kept = %v, want %v", i, exists, want)
		}
	}

	ack(msgs[30:])
	ack(read())
	publish(1)
	wantLen("everything acked", capped)
	if !found(n) || !found(n-int(capped)+1) || found(n-int(capped)) {
		t.Errorf("after the trim: want the newest %d events kept and no older one", capped)
	}

	// A keyed publish is capped the same way (its script is another).
	ack(read())
	for i := range 2 {
		n++
		once := core.OnceKey{Key: fmt.Sprintf("k%d", i), Fingerprint: "fp", InEvent: true}
		if _, _, err := s.AppendEventOnce(ctx, scope, testEvent(fmt.Sprintf("evt_%03d", n), "t", "p", time.Now()), once); err != nil {
			t.Fatal(err)
		}
		ack(read())
	}
	wantLen("keyed publishes", capped)
}
