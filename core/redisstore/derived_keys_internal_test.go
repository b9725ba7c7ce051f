package redisstore

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

// TestDerivedKeysFollowTheirOwner holds the names the delivery scripts
// build from the keys they are given: a delivery's attempt list and
// payload after its key, an event's deliveries of earlier releases after
// its index key.
func TestDerivedKeysFollowTheirOwner(t *testing.T) {
	s := New(nil, Options{Prefix: "bh:"})
	for _, scope := range []core.Scope{{AccountID: "acct_1"}, {AccountID: "acct_2", Livemode: true}} {
		dlv := s.deliveryKey(scope, "whd_1")
		for got, want := range map[string]string{
			s.attemptsKey(scope, "whd_1"):        dlv + ":att",
			s.payloadKey(scope, "whd_1"):         dlv + ":p",
			s.eventDeliveriesKey(scope, "evt_1"): s.eventIndexKey(scope, "evt_1") + ":dlv",
		} {
			if got != want {
				t.Errorf("%s, want %s", got, want)
			}
		}
	}
}

// TestHourHashesFollowTheirOwner holds the names the scripts build for
// the hashes of an ended delivery's hour and of an event's index against
// the ones Go gives, for ids of every shape: a script that named another
// would lose what it wrote.
func TestHourHashesFollowTheirOwner(t *testing.T) {
	c := scriptsClient(t)
	s := New(c, Options{Prefix: "bh:"})
	scope := core.Scope{AccountID: "acct_1", Livemode: true}
	names := redis.NewScript(endedBucketLua + eventIndexLua + `
local bucket, field = ended_bucket(ARGV[1], ARGV[3])
return {index_bucket(ARGV[2], ARGV[3]), bucket or '', field or ''}`)
	ids := []string{"evt_1", "evt_sample_Zz09", "evt_" + strings.Repeat("z", 64), "evt__", "whd_" + DeliveryIDHour(time.Now()) + "0123456789abcdef0123"}
	for _, id := range ids {
		got, err := names.Run(context.Background(), c, []string{s.eventIndexKey(scope, "")},
			s.scopeKey(scope, "dlv")+":", s.eventIndexKey(scope, ""), id).StringSlice()
		if err != nil {
			t.Fatal(err)
		}
		if want := s.eventIndexHash(scope, id); got[0] != want {
			t.Errorf("the script's index hash of %s is %s, Go's %s", id, got[0], want)
		}
		bucket, field, _, ok := s.endedBucket(scope, id, time.Now(), time.Hour)
		if ok && (got[1] != bucket || got[2] != field) {
			t.Errorf("the script keeps %s ended in %s %s, Go in %s %s", id, got[1], got[2], bucket, field)
		}
	}
}

// scriptsClient is a client of the Redis at REDIS_URL, else of a
// miniredis, for tests that run script functions against Go's: they only
// compute names and values, so either Redis tells.
func scriptsClient(t *testing.T) *redis.Client {
	opt := &redis.Options{Addr: miniredis.RunT(t).Addr()}
	if url := os.Getenv("REDIS_URL"); url != "" {
		var err error
		if opt, err = redis.ParseURL(url); err != nil {
			t.Fatal(err)
		}
	}
	c := redis.NewClient(opt)
	t.Cleanup(func() { c.Close() })
	return c
}
