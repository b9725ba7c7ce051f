package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/spf13/cobra"
)

// chaosFlags are the settings of bench chaos.
type chaosFlags struct {
	duration    time.Duration
	killEvery   time.Duration
	rate        int
	hostile     bool
	hostileRate int
	pluginDir   string
	drain       time.Duration
}

// normalTenants publish the load whose every acknowledged event must arrive.
const normalTenants = 3

// slackPlugin is the connector plugin chaos kills once.
const slackPlugin = "bellhop-connector-slack"

// newBenchChaosCommand is `bellhop bench chaos`: two hubs on a Redis of its
// own, under a steady load from normal tenants and the worst a hostile one
// can do, while it kills hubs, Redis and a plugin. At the end, every event
// a hub acknowledged must have reached every target: the exit status says
// whether one was lost or a hub died by itself.
func newBenchChaosCommand(getenv func(string) string, stdout io.Writer) *cobra.Command {
	var f chaosFlags
	cmd := &cobra.Command{
		Use:   "chaos",
		Short: "Kill hubs, Redis and a plugin under load (with a hostile tenant); fail if an acknowledged event is lost or a hub crashes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runChaos(cmd.Context(), f, stdout)
		},
	}
	pluginDir := getenv("BELLHOP_PLUGIN_DIR")
	if pluginDir == "" {
		pluginDir = "bin/plugins"
	}
	fs := cmd.Flags()
	fs.DurationVar(&f.duration, "duration", time.Minute, "how long the load and the kills last")
	fs.DurationVar(&f.killEvery, "kill-every", 5*time.Second, "average time between two hub kills (each 50-150% of it)")
	fs.IntVar(&f.rate, "rate", 60, "events per second the normal tenants publish, all together")
	fs.BoolVar(&f.hostile, "hostile", true, "add the hostile tenant (looping scripts, endpoints that never answer)")
	fs.IntVar(&f.hostileRate, "hostile-rate", 5, "events per second the hostile tenant publishes")
	fs.StringVar(&f.pluginDir, "plugin-dir", pluginDir, "folder of the connector plugins (default $BELLHOP_PLUGIN_DIR or bin/plugins; make plugins builds them)")
	fs.DurationVar(&f.drain, "drain", time.Minute, "how long to wait at the end for deliveries still under way")
	return cmd
}

// chaosRun is one run: its processes, tenants and what it did. Only the
// goroutine of runChaos touches it; the publishers keep their own counts.
type chaosRun struct {
	f       chaosFlags
	out     io.Writer
	start   time.Time
	redis   *redisProc
	hubs    []*hubSlot
	rcv     *receiver
	normal  []*tenant
	hostile *tenant
	errors  []string // chaos actions that did not happen as planned
}

func runChaos(ctx context.Context, f chaosFlags, out io.Writer) error {
	dir, err := os.MkdirTemp("", "bellhop-chaos-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	r := &chaosRun{f: f, out: out}
	if err := r.startProcesses(ctx, dir); err != nil {
		return err
	}
	defer r.stopProcesses()
	var hole *blackHole
	if f.hostile {
		if hole, err = startBlackHole(); err != nil {
			return err
		}
		defer hole.close()
	}
	if err := r.setUpTenants(ctx, hole); err != nil {
		return err
	}

	fmt.Fprintf(out, "bellhop bench chaos: 2 hubs, Redis %s (AOF, fsync always), %d normal tenants at %d events/s together, hostile tenant %v, %s\n",
		r.redis.url(), normalTenants, f.rate, f.hostile, f.duration)
	r.start = time.Now()
	var wg sync.WaitGroup
	for _, t := range r.publishers() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rate := f.rate / normalTenants
			if t == r.hostile {
				rate = f.hostileRate
			}
			openLoop(ctx, max(rate, 1), f.duration, t.pub.publish)
		}()
	}
	r.monkey(ctx, r.start.Add(f.duration))
	wg.Wait() // the last events' retries, at most publishPatience
	r.logf("load over; waiting up to %s for deliveries", f.drain)
	drainStart := time.Now()
	for time.Since(drainStart) < f.drain && ctx.Err() == nil && r.tally().lost > 0 {
		time.Sleep(250 * time.Millisecond)
	}
	r.logf("drained in %s", time.Since(drainStart).Round(100*time.Millisecond))
	return r.report()
}

// startProcesses starts Redis and the two hubs, and the receiver.
func (r *chaosRun) startProcesses(ctx context.Context, dir string) error {
	plugin := filepath.Join(r.f.pluginDir, slackPlugin)
	if _, err := os.Stat(plugin); err != nil {
		return fmt.Errorf("bench chaos kills a Slack plugin and needs %s: build the plugins with make plugins, or give --plugin-dir", plugin)
	}
	pluginDir, err := filepath.Abs(r.f.pluginDir)
	if err != nil {
		return err
	}
	if r.redis, err = startRedis(dir, "always"); err != nil {
		return err
	}
	if r.rcv, err = startReceiver(); err != nil {
		return err
	}
	spec := hubSpec{RedisURL: r.redis.url(), Prefix: "bh:", Env: []string{
		"BELLHOP_PLUGIN_DIR=" + pluginDir,
		// Retries come quickly, so that a delivery a kill interrupted is
		// done again within the drain; eight tries span ~20s, longer than
		// Redis is ever down.
		"BELLHOP_RETRY_SCHEDULE=0s,500ms,1s,2s,3s,5s,5s,5s",
		// A killed hub's deliveries are claimed after 2×timeout+5s.
		"BELLHOP_REQUEST_TIMEOUT=2s", "BELLHOP_CONNECT_TIMEOUT=1s"}}
	if err := spec.fill(); err != nil {
		return err
	}
	for _, name := range []string{"A", "B"} {
		s := spec
		if s.Addr, err = freeLoopbackAddr(); err != nil {
			return err
		}
		slot, err := startHubSlot(ctx, name, s, filepath.Join(dir, "hub-"+name+".log"))
		if err != nil {
			return err
		}
		r.hubs = append(r.hubs, slot)
	}
	return nil
}

// stopProcesses ends what startProcesses started, hubs first.
func (r *chaosRun) stopProcesses() {
	for _, s := range r.hubs {
		s.stop()
	}
	if r.rcv != nil {
		r.rcv.close()
	}
	if r.redis != nil {
		r.redis.kill()
	}
}

// setUpTenants creates the normal tenants and, with a black hole, the
// hostile one, each with its own account and key.
func (r *chaosRun) setUpTenants(ctx context.Context, hole *blackHole) error {
	rdb, _, err := redisstore.Open(ctx, r.redis.url())
	if err != nil {
		return err
	}
	defer rdb.Close()
	store := redisstore.New(rdb, redisstore.Options{Prefix: "bh:"})
	body, err := r.hubs[0].current().samplePublishBody("reservation.created")
	if err != nil {
		return err
	}
	var bases []string
	for _, s := range r.hubs {
		bases = append(bases, s.current().base)
	}
	for i := range normalTenants {
		t, err := createTenant(ctx, store, fmt.Sprintf("t%d", i+1), bases, body)
		if err != nil {
			return err
		}
		if err := t.setUpNormal(ctx, r.rcv.url); err != nil {
			return fmt.Errorf("tenant %s: %w", t.name, err)
		}
		r.normal = append(r.normal, t)
	}
	if hole == nil {
		return nil
	}
	if r.hostile, err = createTenant(ctx, store, "hostile", bases, body); err != nil {
		return err
	}
	return r.hostile.setUpHostile(ctx, r.rcv.url, hole.url())
}

func (r *chaosRun) publishers() []*tenant {
	if r.hostile != nil {
		return append(r.normal[:len(r.normal):len(r.normal)], r.hostile)
	}
	return r.normal
}

// monkey does the harm until end: kills a random hub every killEvery (from
// half to one and a half of it), kills the Slack plugin of a hub once at a
// third of the run and restarts Redis once at two thirds.
func (r *chaosRun) monkey(ctx context.Context, end time.Time) {
	span := end.Sub(r.start)
	pluginAt, redisAt := r.start.Add(span/3), r.start.Add(2*span/3)
	jitter := func() time.Duration { return r.f.killEvery/2 + rand.N(r.f.killEvery+1) }
	nextKill := r.start.Add(jitter())
	for now := time.Now(); now.Before(end) && ctx.Err() == nil; now = time.Now() {
		switch {
		case !pluginAt.IsZero() && now.After(pluginAt):
			pluginAt = time.Time{}
			r.killPlugin()
		case !redisAt.IsZero() && now.After(redisAt):
			redisAt = time.Time{}
			r.restartRedis()
		case now.After(nextKill):
			nextKill = now.Add(jitter())
			slot := r.hubs[rand.N(len(r.hubs))]
			if pid := slot.kill(); pid != 0 {
				r.logf("kill -9 hub %s (pid %d); it restarts", slot.name, pid)
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// killPlugin kills the Slack plugin of whichever hub runs one (trying for
// up to 10s: a hub may be restarting), then checks that the hub runs a new
// one within 15s.
func (r *chaosRun) killPlugin() {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		for _, s := range r.hubs {
			h := s.current()
			if pid, err := killPlugin(h, slackPlugin); err == nil {
				r.logf("kill -9 the Slack plugin (pid %d) of hub %s", pid, s.name)
				r.checkPluginBack(s, h, pid)
				return
			}
		}
	}
	r.fail("found no running Slack plugin to kill within 10s")
}

// checkPluginBack waits up to 15s for slot s to run a Slack plugin other
// than pid, the one killed under hub h.
func (r *chaosRun) checkPluginBack(s *hubSlot, h *childHub, pid int) {
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		now := s.current()
		if pids := childPids(now.cmd.Process.Pid, slackPlugin); len(pids) > 0 && pids[0] != pid {
			if now != h {
				r.logf("hub %s restarted meanwhile; its new process runs a Slack plugin (pid %d)", s.name, pids[0])
			} else {
				r.logf("hub %s runs a new Slack plugin (pid %d)", s.name, pids[0])
			}
			return
		}
	}
	r.fail("hub %s did not start a new Slack plugin within 15s of the kill", s.name)
}

// restartRedis kills Redis with SIGKILL and starts it again on the same
// port and folder.
func (r *chaosRun) restartRedis() {
	r.logf("kill -9 Redis (pid %d)", r.redis.cmd.Process.Pid)
	r.redis.kill()
	time.Sleep(500 * time.Millisecond) // long enough for every hub to notice
	if err := r.redis.start(); err != nil {
		r.fail("Redis did not come back: %v", err)
		return
	}
	r.logf("Redis is back (pid %d) from its append-only file", r.redis.cmd.Process.Pid)
}

func (r *chaosRun) logf(format string, args ...any) {
	fmt.Fprintf(r.out, "  %6.1fs  %s\n", time.Since(r.start).Seconds(), fmt.Sprintf(format, args...))
}

func (r *chaosRun) fail(format string, args ...any) {
	r.logf("FAILED: "+format, args...)
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
