package redistest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// NewCluster returns a Redis Cluster for t under a fresh key prefix,
// cleaned up when t ends, like New: the cluster at REDIS_CLUSTER_URL
// (redis+cluster://host:port?addr=host:port…) when it is set, else one of
// three masters and three replicas that this test binary starts on
// loopback ports the first time it is asked for, and stops when Main
// returns. Without redis-server and redis-cli the test is skipped, except
// under CI=true, where it fails: CI must exercise the cluster.
func NewCluster(t testing.TB) *Redis {
	t.Helper()
	url := os.Getenv("REDIS_CLUSTER_URL")
	if url == "" {
		if !mainRunning {
			t.Fatal("redistest.NewCluster: run this package's tests through redistest.Main (TestMain), which stops the local cluster")
		}
		c, err := startLocal()
		if errors.Is(err, errNoRedis) {
			if os.Getenv("CI") == "true" {
				t.Fatal("redistest: redis-server and redis-cli are needed for the cluster tests: apt-get install -y redis-server")
			}
			t.Skip("redistest: no redis-server/redis-cli for a cluster: apt-get install -y redis-server")
		} else if err != nil {
			t.Fatal(err)
		}
		url = c.url()
	}
	opts, err := parseClusterURL(url)
	if err != nil {
		t.Fatalf("redistest: REDIS_CLUSTER_URL: %v", err)
	}
	client := redis.NewClusterClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		client.Close()
		t.Fatalf("redistest: the cluster at %s does not answer: %v", url, err)
	}
	r := &Redis{Client: client, Prefix: "bhtest:" + randomHex(6) + ":", Real: true, URL: url, Cluster: true}
	t.Cleanup(func() {
		r.deletePrefix()
		client.Close()
	})
	return r
}

// parseClusterURL reads redis+cluster://host:port?addr=host:port… (the
// form the hub's REDIS_URL takes for a cluster).
func parseClusterURL(url string) (*redis.ClusterOptions, error) {
	rest, ok := strings.CutPrefix(url, "redis+cluster://")
	if !ok {
		return nil, fmt.Errorf("%q is not redis+cluster://host:port?addr=host:port…", url)
	}
	return redis.ParseClusterURL("redis://" + rest)
}

// Main runs m's tests and then stops the local cluster, if one was
// started: call it from TestMain as os.Exit(redistest.Main(m)).
func Main(m *testing.M) int {
	mainRunning = true
	code := m.Run()
	if local != nil {
		local.stop()
	}
	return code
}

var (
	mainRunning bool // set by Main: NewCluster may start a local cluster
	localOnce   sync.Once
	local       *localCluster
	localErr    error
	errNoRedis  = errors.New("redis-server or redis-cli is not installed")
)

// startLocal starts the binary's local cluster once; later calls return it.
func startLocal() (*localCluster, error) {
	localOnce.Do(func() {
		for _, bin := range []string{"redis-server", "redis-cli"} {
			if _, err := exec.LookPath(bin); err != nil {
				localErr = errNoRedis
				return
			}
		}
		local, localErr = startLocalCluster(6)
	})
	return local, localErr
}

// Failover makes one master of the cluster hand over to its replica, the
// way an operator does (CLUSTER FAILOVER sent to the replica), and waits
// until the replica reports itself master. It returns both addresses.
// Only for a Redis from NewCluster.
func (r *Redis) Failover(ctx context.Context) (oldMaster, newMaster string, err error) {
	c, ok := r.Client.(*redis.ClusterClient)
	if !ok {
		return "", "", errors.New("redistest: Failover needs a cluster")
	}
	shards, err := c.ClusterShards(ctx).Result()
	if err != nil {
		return "", "", err
	}
	for _, sh := range shards {
		var master, replica string
		for _, n := range sh.Nodes {
			addr := fmt.Sprintf("%s:%d", n.IP, n.Port)
			switch {
			case n.Role == "master" && n.Health == "online":
				master = addr
			case n.Role == "replica" && n.Health != "fail": // Redis 7.0 says "loading" for a replica at offset 0
				replica = addr
			}
		}
		if master == "" || replica == "" {
			continue
		}
		node := redis.NewClient(&redis.Options{Addr: replica, Username: c.Options().Username, Password: c.Options().Password})
		defer node.Close()
		if err := node.Do(ctx, "CLUSTER", "FAILOVER").Err(); err != nil {
			return "", "", fmt.Errorf("CLUSTER FAILOVER on %s: %w", replica, err)
		}
		for ctx.Err() == nil {
			if role, _ := node.Do(ctx, "ROLE").Slice(); len(role) > 0 && role[0] == "master" {
				return master, replica, nil
			}
			time.Sleep(50 * time.Millisecond)
		}
		return "", "", fmt.Errorf("%s did not become master: %w", replica, ctx.Err())
	}
	return "", "", errors.New("redistest: no master with a live replica")
}
