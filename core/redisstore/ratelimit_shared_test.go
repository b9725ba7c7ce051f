package redisstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core/redisstore"
)

func TestTakeConnectorRate(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	scope := newScope(t, s)
	const token = "xoxb-secret-token-value"
	perSec := redisstore.Rate{Rate: 1, Period: time.Second, Burst: 3}
	for i := range 3 {
		if wait, err := s.TakeConnectorRate(ctx, scope, "slack", "channel", token+"C1", perSec, 1); err != nil || wait != 0 {
			t.Fatalf("take %d = %v, %v; want taken within the burst", i, wait, err)
		}
	}
	wait, err := s.TakeConnectorRate(ctx, scope, "slack", "channel", token+"C1", perSec, 1)
	if err != nil || wait <= 0 || wait > time.Second {
		t.Fatalf("take past the burst = %v, %v; want a wait of at most 1s", wait, err)
	}
	if wait, err := s.TakeConnectorRate(ctx, scope, "slack", "channel", token+"C2", perSec, 1); err != nil || wait != 0 {
		t.Fatalf("another channel = %v, %v; want its own bucket", wait, err)
	}

	key := s.ConnectorRateKey(scope, "slack", "channel", token+"C1")
	if !strings.Contains(key, "{"+scope.AccountID+"}") || strings.Contains(key, token) {
		t.Fatalf("key %q: want the account's hash tag and no raw token", key)
	}
	keys, err := r.Client.Keys(ctx, "rate:"+r.Prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, k := range keys {
		if strings.Contains(k, "xoxb") {
			t.Fatalf("Redis key %q holds the token", k)
		}
		found = found || k == "rate:"+key
	}
	if !found {
		t.Fatalf("no key rate:%s among %v", key, keys)
	}
}

func TestTakeConnectorRateCostAndMalformed(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	scope := newScope(t, s)
	r := redisstore.Rate{Rate: 9, Period: time.Second, Burst: 10}
	// A cost over the burst could never be met: it is held to the burst.
	if wait, err := s.TakeConnectorRate(ctx, scope, "hubspot", "token", "t", r, 50); err != nil || wait != 0 {
		t.Fatalf("cost over the burst = %v, %v; want taken as the whole burst", wait, err)
	}
	if wait, err := s.TakeConnectorRate(ctx, scope, "hubspot", "token", "t", r, 2); err != nil || wait <= 0 {
		t.Fatalf("after the whole burst = %v, %v; want a wait", wait, err)
	}
	for _, bad := range []redisstore.Rate{{}, {Rate: 1}, {Period: time.Second}} {
		if wait, err := s.TakeConnectorRate(ctx, scope, "x", "y", "z", bad, 1); err != nil || wait != 0 {
			t.Fatalf("malformed %+v = %v, %v; want no limit", bad, wait, err)
		}
	}
}

func TestTakeTargetRate(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	scope := newScope(t, s)
	const perSecond = 5
	for i := range perSecond {
		if wait, err := s.TakeTargetRate(ctx, scope, "whe_1", perSecond); err != nil || wait != 0 {
			t.Fatalf("attempt %d = %v, %v; want a burst of %d", i, wait, err, perSecond)
		}
	}
	// GCRA spaces the next one by 1/perSecond, not to the next second.
	wait, err := s.TakeTargetRate(ctx, scope, "whe_1", perSecond)
	if err != nil || wait <= 0 || wait > time.Second/perSecond {
		t.Fatalf("attempt past the burst = %v, %v; want a wait of at most %v", wait, err, time.Second/perSecond)
	}
}
