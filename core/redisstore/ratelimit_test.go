package redisstore_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/redistest"
)

func TestAllowRequest(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	if mr := r.Miniredis(); mr != nil {
		mr.SetTime(time.Now()) // freeze the clock so that nothing refills
	}
	keyID := "key_" + r.Prefix // unique per test run
	const limit = 5
	for i := range limit {
		rl, err := s.AllowRequest(ctx, keyID, limit)
		if err != nil {
			t.Fatal(err)
		}
		if !rl.Allowed || rl.Limit != limit || rl.Remaining != limit-1-i {
			t.Fatalf("request %d: %+v, want allowed with %d remaining", i, rl, limit-1-i)
		}
		if !rl.Reset.After(time.Now().Add(-time.Second)) {
			t.Fatalf("request %d: reset %v is in the past", i, rl.Reset)
		}
	}
	rl, err := s.AllowRequest(ctx, keyID, limit)
	if err != nil {
		t.Fatal(err)
	}
	// One request every 12 s; a real server's clock moves a little.
	if rl.Allowed || rl.Remaining != 0 || rl.RetryAfter <= 11*time.Second || rl.RetryAfter > 12*time.Second {
		t.Fatalf("request over the limit: %+v, want denied with retry-after ≈12s", rl)
	}
	if other, err := s.AllowRequest(ctx, keyID+"x", limit); err != nil || !other.Allowed {
		t.Fatalf("another key = %+v, %v; want allowed", other, err)
	}
	// redis_rate puts "rate:" before the key: the prefix is inside it, and
	// the key expires by itself once the burst is full again.
	key := "rate:" + r.Prefix + "ratelimit:" + keyID
	if ttl, err := r.Client.PTTL(ctx, key).Result(); err != nil || ttl <= 0 || ttl > time.Minute {
		t.Fatalf("rate limit key %s: TTL %v (%v), want one of at most a minute", key, ttl, err)
	}
}

func TestAllowRequestRefills(t *testing.T) {
	ctx := context.Background()
	s, mr := newMiniStore(t, redisstore.Options{})
	start := time.Now()
	now := start
	mr.SetTime(start)
	s.SetLeaseClockForTest(func() time.Time { return now }) // a kept denial ends on the same clock
	for range 2 {
		if rl, err := s.AllowRequest(ctx, "key_a", 2); err != nil || !rl.Allowed {
			t.Fatalf("within the burst: %+v, %v", rl, err)
		}
	}
	tests := []struct {
		name          string
		after         time.Duration
		wantAllowed   bool
		wantRemaining int
	}{
		{"spent", 0, false, 0},
		{"not yet", 29 * time.Second, false, 0},
		{"one interval", 30 * time.Second, true, 0},
		{"full again", 2 * time.Minute, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now = start.Add(tt.after)
			mr.SetTime(now)
			rl, err := s.AllowRequest(ctx, "key_a", 2)
			if err != nil || rl.Allowed != tt.wantAllowed || rl.Remaining != tt.wantRemaining {
				t.Fatalf("got %+v, %v; want allowed %v remaining %d", rl, err, tt.wantAllowed, tt.wantRemaining)
			}
		})
	}
}

// TestAllowRequestLeases: two hubs on one Redis serve a busy key. They
// take its requests several at a time, so Redis is asked a small share of
// the time, and together they let through exactly the key's limit, never
// more; once it is spent, asking again costs Redis nothing until the time
// it named.
func TestAllowRequestLeases(t *testing.T) {
	ctx := context.Background()
	mr := miniredis.RunT(t)
	start := time.Now()
	now := start
	mr.SetTime(start) // nothing refills: the limit is what can pass
	var scripts atomic.Int64
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	redistest.Watch(rdb, func(cmd redis.Cmder) {
		if strings.HasPrefix(cmd.Name(), "eval") {
			scripts.Add(1)
		}
	})
	t.Cleanup(func() { rdb.Close() })
	hubs := []*redisstore.Store{redisstore.New(rdb, redisstore.Options{}), redisstore.New(rdb, redisstore.Options{})}
	for _, h := range hubs {
		h.SetLeaseClockForTest(func() time.Time { return now })
	}

	const limit = 30_000 // a lease holds at most 100; the last 500 go one by one
	allowed, lastRemaining := 0, limit
	for i := 0; ; i++ {
		rl, err := hubs[i%2].AllowRequest(ctx, "key_busy", limit)
		if err != nil {
			t.Fatal(err)
		}
		if !rl.Allowed {
			break
		}
		allowed++
		if rl.Remaining < 0 || rl.Remaining >= limit {
			t.Fatalf("request %d: remaining %d, want 0..%d", i, rl.Remaining, limit-1)
		}
		lastRemaining = rl.Remaining
		if allowed > limit {
			t.Fatalf("%d requests allowed, over the limit of %d", allowed, limit)
		}
	}
	// The first hub to be denied may leave the other a few requests it
	// holds; they pass, and then it is denied too.
	for _, h := range hubs {
		for {
			rl, err := h.AllowRequest(ctx, "key_busy", limit)
			if err != nil {
				t.Fatal(err)
			}
			if !rl.Allowed {
				if rl.Remaining != 0 || rl.RetryAfter <= 0 || rl.RetryAfter > 2*time.Millisecond {
					t.Fatalf("denied: %+v, want nothing remaining and a retry after ≈2ms (one request's interval)", rl)
				}
				break
			}
			allowed++
		}
	}
	if allowed != limit {
		t.Fatalf("%d requests allowed over two hubs with Redis's clock stopped, want the limit %d", allowed, limit)
	}
	if lastRemaining > 1 {
		t.Errorf("the last request allowed said %d remain", lastRemaining)
	}
	asked := scripts.Load()
	if asked > limit/20 {
		t.Errorf("Redis was asked %d times for %d requests, want a lease to serve many", asked, limit)
	}
	for range 10 {
		if rl, _ := hubs[0].AllowRequest(ctx, "key_busy", limit); rl.Allowed {
			t.Fatal("allowed after the limit was spent")
		}
	}
	if more := scripts.Load() - asked; more != 0 {
		t.Errorf("denied requests asked Redis %d more times before the time it named", more)
	}
	now = now.Add(time.Second) // the denial has run out (Redis's clock has not: still none)
	if rl, _ := hubs[0].AllowRequest(ctx, "key_busy", limit); rl.Allowed || scripts.Load() != asked+1 {
		t.Errorf("after the kept denial: %+v, Redis asked %d times more; want denied by Redis", rl, scripts.Load()-asked)
	}
	t.Logf("%d requests, Redis asked %d times", allowed, asked)
}

// TestAllowRequestLeaseEnds: requests a hub took and did not spend within
// the lease's time are not spent later, and a key with little left is
// counted one request at a time.
func TestAllowRequestLeaseEnds(t *testing.T) {
	ctx := context.Background()
	s, mr := newMiniStore(t, redisstore.Options{})
	now := time.Now()
	mr.SetTime(now)
	s.SetLeaseClockForTest(func() time.Time { return now })
	const limit = 6_000 // leases of up to 20
	var rl core.RateLimit
	for range 40 {
		rl, _ = s.AllowRequest(ctx, "key_a", limit)
	}
	held := rl.Remaining
	now = now.Add(time.Second)
	rl, err := s.AllowRequest(ctx, "key_a", limit)
	if err != nil || !rl.Allowed {
		t.Fatalf("after the lease ended: %+v, %v", rl, err)
	}
	// Redis counted what the ended lease took: what remains is below what
	// the hub said it held, by the unspent requests it dropped.
	if rl.Remaining >= held-1 {
		t.Errorf("remaining %d after a lease ended, want below %d: the unspent requests are dropped, not spent", rl.Remaining, held-1)
	}
}

// TestAllowRequestLeasesConcurrently: many requests at once on two hubs
// let through no more than the limit, and within two leases of each hub
// of it: a denial drops what a hub still held, and what a take in flight
// brings back after it.
func TestAllowRequestLeasesConcurrently(t *testing.T) {
	ctx := context.Background()
	mr := miniredis.RunT(t)
	now := time.Now()
	mr.SetTime(now)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { rdb.Close() })
	hubs := []*redisstore.Store{redisstore.New(rdb, redisstore.Options{}), redisstore.New(rdb, redisstore.Options{})}
	for _, h := range hubs {
		h.SetLeaseClockForTest(func() time.Time { return now })
	}
	const limit = 30_000 // leases of up to 100
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for {
				rl, err := hubs[g%2].AllowRequest(ctx, "key_busy", limit)
				if err != nil {
					t.Error(err)
					return
				}
				if !rl.Allowed {
					return
				}
				allowed.Add(1)
			}
		})
	}
	wg.Wait()
	if n := allowed.Load(); n > limit || n < limit-2*2*100 {
		t.Fatalf("%d requests allowed of a limit of %d, want at most it and at least it less two leases a hub", n, limit)
	}
}
