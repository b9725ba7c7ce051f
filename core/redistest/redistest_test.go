package redistest

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
)

func TestCleanupDeletesOnlyItsPrefix(t *testing.T) {
	ctx := context.Background()
	r := New(t)
	outside := "bhtest:outside:" + randomHex(4)
	for _, k := range []string{r.Prefix + "a", r.Prefix + "{acct_1}:b", outside} {
		if err := r.Client.Set(ctx, k, "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	defer r.Client.Del(ctx, outside)

	r.deletePrefix()

	if n := r.Client.Exists(ctx, r.Prefix+"a", r.Prefix+"{acct_1}:b").Val(); n != 0 {
		t.Errorf("%d keys under the prefix survived", n)
	}
	if n := r.Client.Exists(ctx, outside).Val(); n != 1 {
		t.Errorf("a key outside the prefix was deleted")
	}
}

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// The cluster's cleanup finds the test's keys on every master, and the
// cluster survives a failover.
func TestClusterCleansUpEveryMasterAndFailsOver(t *testing.T) {
	ctx := context.Background()
	r := NewCluster(t)
	c := r.Client.(*redis.ClusterClient)
	masters := map[string]bool{}
	var keys []string
	for i := range 30 {
		k := fmt.Sprintf("%s{acct_%d}:k", r.Prefix, i)
		if err := r.Client.Set(ctx, k, "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
		m, err := c.MasterForKey(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		masters[m.Options().Addr] = true
		keys = append(keys, k)
	}
	if len(masters) < 3 {
		t.Fatalf("30 accounts landed on %d masters, want 3", len(masters))
	}
	from, to, err := r.Failover(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("failed over %s to %s", from, to)
	r.deletePrefix()
	for _, k := range keys {
		if n := r.Client.Exists(ctx, k).Val(); n != 0 {
			t.Fatalf("%s survived the cleanup", k)
		}
	}
}
