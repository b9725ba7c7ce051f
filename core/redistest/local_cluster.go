package redistest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// localCluster is a Redis Cluster of redis-server processes on loopback
// ports, in a temporary directory, without persistence.
type localCluster struct {
	dir   string
	ports []int
	procs []*exec.Cmd
}

// startLocalCluster starts n redis-server processes in cluster mode, joins
// them as n/2 masters with a replica each, and waits until every node says
// cluster_state:ok and knows every replica, and every replica is in sync:
// a test may fail a master over at once. A failure stops what was started.
func startLocalCluster(n int) (*localCluster, error) {
	dir, err := os.MkdirTemp("", "redistest-cluster-")
	if err != nil {
		return nil, err
	}
	c := &localCluster{dir: dir}
	if err := c.start(n); err != nil {
		c.stop()
		return nil, fmt.Errorf("redistest: start a local Redis Cluster: %w", err)
	}
	return c, nil
}

func (c *localCluster) start(n int) error {
	var addrs []string
	for range n {
		port, err := freeClusterPort(c.ports)
		if err != nil {
			return err
		}
		p := strconv.Itoa(port)
		cmd := exec.Command("redis-server", "--port", p, "--bind", "127.0.0.1", "--dir", c.dir,
			"--cluster-enabled", "yes", "--cluster-config-file", "nodes-"+p+".conf", "--cluster-node-timeout", "3000",
			"--appendonly", "no", "--save", "", "--daemonize", "no", "--repl-diskless-sync-delay", "0", "--logfile", "redis-"+p+".log")
		cmd.SysProcAttr = procAttr()
		if err := cmd.Start(); err != nil {
			return err
		}
		c.ports, c.procs = append(c.ports, port), append(c.procs, cmd)
		addrs = append(addrs, "127.0.0.1:"+p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, a := range addrs {
		if err := waitFor(ctx, a, func(cl *redis.Client) bool { return cl.Ping(ctx).Err() == nil }); err != nil {
			return err
		}
	}
	args := append(append([]string{"--cluster", "create"}, addrs...), "--cluster-replicas", "1", "--cluster-yes")
	if out, err := exec.CommandContext(ctx, "redis-cli", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("redis-cli --cluster create: %v\n%s", err, out)
	}
	for _, a := range addrs {
		err := waitFor(ctx, a, func(cl *redis.Client) bool {
			info, _ := cl.ClusterInfo(ctx).Result()
			nodes, _ := cl.ClusterNodes(ctx).Result()
			repl, _ := cl.Info(ctx, "replication").Result()
			return strings.Contains(info, "cluster_state:ok") && strings.Count(nodes, "slave") == n/2 &&
				(strings.Contains(repl, "role:master") || strings.Contains(repl, "master_link_status:up"))
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// waitFor polls the node at addr until ok says yes or ctx ends.
func waitFor(ctx context.Context, addr string, ok func(*redis.Client) bool) error {
	cl := redis.NewClient(&redis.Options{Addr: addr})
	defer cl.Close()
	for !ok(cl) {
		select {
		case <-ctx.Done():
			return fmt.Errorf("node %s: %w", addr, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil
}

// url names the cluster as the hub's REDIS_URL does.
func (c *localCluster) url() string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "redis+cluster://127.0.0.1:%d", c.ports[0])
	for i, p := range c.ports[1:] {
		sep := "&"
		if i == 0 {
			sep = "?"
		}
		fmt.Fprintf(&b, "%saddr=127.0.0.1:%d", sep, p)
	}
	return b.String()
}

// stop kills the servers and removes their directory.
func (c *localCluster) stop() {
	for _, p := range c.procs {
		p.Process.Kill()
		p.Wait()
	}
	os.RemoveAll(c.dir)
}

// freeClusterPort returns a free loopback port whose cluster bus port
// (port+10000) is free too, other than taken.
func freeClusterPort(taken []int) (int, error) {
	for range 50 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		if port+10000 > 65535 || slices.Contains(taken, port) || slices.Contains(taken, port+10000) || slices.Contains(taken, port-10000) {
			continue
		}
		bus, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port+10000))
		if err != nil {
			continue
		}
		bus.Close()
		return port, nil
	}
	return 0, fmt.Errorf("no free port pair (p, p+10000) found")
}
