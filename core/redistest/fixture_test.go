package redistest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestFixtureRoundTrip dumps one key of each type, a stream with a consumer
// group and a pending entry among them, and loads it under another prefix.
func TestFixtureRoundTrip(t *testing.T) {
	ctx := context.Background()
	r := New(t)
	c, p := r.Client, r.Prefix
	c.Set(ctx, p+"s", "bin\xff", time.Hour)
	c.HSet(ctx, p+"h", "f", "v")
	c.SAdd(ctx, p+"set", "a", "b")
	c.ZAdd(ctx, p+"z", redis.Z{Member: "m", Score: 1.5})
	c.RPush(ctx, p+"l", "1", "2")
	c.XAdd(ctx, &redis.XAddArgs{Stream: p + "x", ID: "5-1", Values: []any{"k", "v1"}})
	c.XAdd(ctx, &redis.XAddArgs{Stream: p + "x", ID: "5-2", Values: []any{"k", "v2"}})
	c.XAdd(ctx, &redis.XAddArgs{Stream: p + "x", ID: "5-3", Values: []any{"k", "v3"}})
	c.XGroupCreate(ctx, p+"x", "g", "0")
	c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: "dead-hub", Streams: []string{p + "x", ">"}, Count: 2})
	c.XAck(ctx, p+"x", "g", "5-1")

	var buf bytes.Buffer
	n, err := DumpPrefix(ctx, c, p, &buf)
	if err != nil || n != 6 {
		t.Fatalf("DumpPrefix = %d, %v", n, err)
	}
	q := p + "copy:"
	if n, err := LoadFixture(ctx, c, q, &buf); err != nil || n != 6 {
		t.Fatalf("LoadFixture = %d, %v", n, err)
	}
	if got := c.Get(ctx, q+"s").Val(); got != "bin\xff" {
		t.Errorf("string = %q", got)
	}
	if ttl := c.PTTL(ctx, q+"s").Val(); ttl <= 0 || ttl > time.Hour {
		t.Errorf("ttl = %s", ttl)
	}
	if got := c.HGet(ctx, q+"h", "f").Val(); got != "v" {
		t.Errorf("hash = %q", got)
	}
	if got := c.ZScore(ctx, q+"z", "m").Val(); got != 1.5 {
		t.Errorf("zset = %v", got)
	}
	if got := c.LRange(ctx, q+"l", 0, -1).Val(); len(got) != 2 || got[1] != "2" {
		t.Errorf("list = %v", got)
	}
	if got := c.SCard(ctx, q+"set").Val(); got != 2 {
		t.Errorf("set = %d members", got)
	}
	groups := c.XInfoGroups(ctx, q+"x").Val()
	if len(groups) != 1 || groups[0].LastDeliveredID != "5-2" {
		t.Fatalf("groups = %+v", groups)
	}
	pend := c.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: q + "x", Group: "g", Start: "-", End: "+", Count: 10}).Val()
	if len(pend) != 1 || pend[0].ID != "5-2" || pend[0].Consumer != "dead-hub" || pend[0].RetryCount != 1 {
		t.Errorf("pending = %+v, want 5-2 held by dead-hub, delivered once", pend)
	}
	// The entry after the last-delivered id is still new to the group.
	got := c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: "new-hub", Streams: []string{q + "x", ">"}}).Val()
	if len(got) != 1 || len(got[0].Messages) != 1 || got[0].Messages[0].ID != "5-3" {
		t.Errorf("new entries = %+v, want 5-3 alone", got)
	}
}
