package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core/redisstore"
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
	mr.SetTime(start)
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
			mr.SetTime(start.Add(tt.after))
			rl, err := s.AllowRequest(ctx, "key_a", 2)
			if err != nil || rl.Allowed != tt.wantAllowed || rl.Remaining != tt.wantRemaining {
				t.Fatalf("got %+v, %v; want allowed %v remaining %d", rl, err, tt.wantAllowed, tt.wantRemaining)
			}
		})
	}
}
