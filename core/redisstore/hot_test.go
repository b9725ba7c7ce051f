package redisstore

import (
	"testing"

	"github.com/redis/go-redis/v9"
)

// TestHotPicksByDepth: a command goes straight down a connection while at
// most directDepth are in flight, and through the pipeliner beyond; a
// finished command makes room again.
func TestHotPicksByDepth(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:0"}) // never dialled
	defer rdb.Close()
	h, ok := newHot(rdb).(*adaptiveHot)
	if !ok {
		t.Fatal("newHot of a *redis.Client is not the adaptive client")
	}
	for i := 1; i <= directDepth; i++ {
		if h.pick() != hotCmds(h.direct) {
			t.Fatalf("command %d in flight went through the pipeliner", i)
		}
	}
	if h.pick() != hotCmds(h.piped) {
		t.Fatalf("command %d in flight went straight down a connection", directDepth+1)
	}
	h.done()
	h.done()
	if h.pick() != hotCmds(h.direct) {
		t.Fatal("after two replies, a command still went through the pipeliner")
	}
}
