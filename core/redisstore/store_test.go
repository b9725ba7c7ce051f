package redisstore_test

import (
	"context"
	"os"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/redistest"
	"github.com/redis/go-redis/v9"
)

func TestMain(m *testing.M) { os.Exit(redistest.Main(m)) }

// onCluster is true while TestOnCluster runs this package's tests again
// on a Redis Cluster: newStore then hands out the cluster.
var onCluster bool

// testRedis returns the test's Redis: the cluster while onCluster.
func testRedis(t testing.TB) *redistest.Redis {
	t.Helper()
	if onCluster {
		return redistest.NewCluster(t)
	}
	return redistest.New(t)
}

// newStore returns a Store on the test's Redis under the test's own prefix.
func newStore(t testing.TB) (*redisstore.Store, *redistest.Redis) {
	t.Helper()
	r := testRedis(t)
	return redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix}), r
}

// newScope creates an account in s and returns its test-mode scope.
func newScope(t testing.TB, s *redisstore.Store) core.Scope {
	t.Helper()
	a, err := s.CreateAccount(context.Background(), "test")
	if err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	return core.Scope{AccountID: a.ID}
}

func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if got := core.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

// newMiniStore returns a Store on an embedded Redis of its own, whatever
// REDIS_URL says, for tests that move the server's clock.
func newMiniStore(t testing.TB, opts redisstore.Options) (*redisstore.Store, *miniredis.Miniredis) {
	t.Helper()
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { rdb.Close() })
	return redisstore.New(rdb, opts), mr
}
