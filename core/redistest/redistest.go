// Package redistest gives tests a Redis to talk to: the real one at REDIS_URL
// when it is set and answers, otherwise an embedded miniredis, so that
// `make test` passes on a machine with only Go and CI still exercises a real
// server.
//
// Every call hands out a fresh key prefix and deletes the keys under it when
// the test ends, so tests never depend on, or leave behind, what the shared
// Redis holds.
//
// NewCluster gives a test a Redis Cluster instead (see cluster.go): the one
// at REDIS_CLUSTER_URL, or six local redis-server processes started once
// per test binary. A package that uses it runs its tests through Main.
//
// DumpPrefix and LoadFixture write the keys under a prefix to a fixture file
// and back, for tests that start from data an older Bellhop wrote
// (cmd/bellhop/testdata/upgrade).
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/redis/go-redis/v9"
)

// Redis is a client for one test plus the key prefix the test owns.
type Redis struct {
	Client  redis.UniversalClient // a *redis.ClusterClient from NewCluster, else a *redis.Client
	Prefix  string                // e.g. "bhtest:3f9c…:"; end every key the test writes under it
	Real    bool                  // true when talking to a real server (REDIS_URL, or a cluster)
	URL     string                // a URL that reaches the same server (for a subprocess)
	Cluster bool                  // true when Client is a Redis Cluster
	mini    *miniredis.Miniredis
}

// New returns a Redis for t, cleaned up when t ends.
func New(t testing.TB) *Redis {
	t.Helper()
	r := &Redis{Prefix: "bhtest:" + randomHex(6) + ":"}
	if url := os.Getenv("REDIS_URL"); url != "" {
		if c, err := dial(url); err == nil {
			r.Client, r.Real, r.URL = c, true, url
		} else {
			t.Logf("redistest: REDIS_URL %q does not answer (%v); using embedded Redis", url, err)
		}
	}
	if r.Client == nil {
		r.mini = miniredis.RunT(t)
		r.URL = "redis://" + r.mini.Addr()
		r.Client = redis.NewClient(&redis.Options{Addr: r.mini.Addr()})
	}
	t.Cleanup(func() {
		r.deletePrefix()
		r.Client.Close()
	})
	return r
}

// Miniredis returns the embedded server, or nil when the test runs against a
// real one. Tests that need to fast-forward time use it and skip only that
// part on a real server.
func (r *Redis) Miniredis() *miniredis.Miniredis { return r.mini }

func dial(url string) (*redis.Client, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, err
	}
	c := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// deletePrefix deletes the test's keys, on every master of a cluster.
func (r *Redis) deletePrefix() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	redisstore.DeletePrefix(ctx, r.Client, r.Prefix)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
