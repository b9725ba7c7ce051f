package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/spf13/cobra"
)

// deliverFlags are the settings of bench deliver.
type deliverFlags struct {
	benchFlags
	events, endpoints  int
	rate, steady, hubs int
	ceilingN           int // signed POSTs in the ceiling
	cpuProfile         string
	profilePhase       string // throughput, latency or steady
	profileSeconds     int
	event, target      string
	pluginDir          string
	ceiling, idemKeys  bool
	ownRedis           bool
}

func newBenchDeliverCommand(getenv func(string) string, stdout io.Writer) *cobra.Command {
	f := &deliverFlags{}
	cmd := &cobra.Command{
		Use:   "deliver",
		Short: "Publish to endpoints or connections on a local receiver: deliveries/s, CPU and Redis bytes per delivery, latency, each beside the ceiling",
		Long: `Publish events to endpoints or connector connections on a local receiver
and measure, for each phase, what issue 12's targets count:

  ceiling      bare signed POSTs from this process to the same receiver
               (as bench ceiling): the box's own limit, measured first
  throughput   --events from --workers publishers as fast as they go:
               deliveries/s, CPU per 1,000 deliveries (hub + Redis),
               Redis commands per 1,000 deliveries and bytes sent to
               Redis per delivery, and Redis used_memory growth per
               delivery
  latency      --rate events/s for --duration: publish-to-receipt p50/p99
  steady       --steady events/s for --duration: the idle cost, CPU per
               1,000 deliveries when nothing can be batched

Redis CPU is INFO cpu's, its commands and bytes INFO stats' and
used_memory the whole server's: against a Redis other programs use, they
count those programs too (the line on the keys under the run's own
prefix does not; --own-redis avoids it). Commands and bytes do not move
with the machine's load, as CPU does: they tell two builds apart on a
busy box.
--cpu-profile takes a CPU profile of hub 1 during --profile-phase.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runBenchDeliver(cmd.Context(), f, stdout) },
	}
	f.add(cmd, getenv, 32)
	pluginDir := getenv("BELLHOP_PLUGIN_DIR")
	if pluginDir == "" {
		pluginDir = "bin/plugins"
	}
	fs := cmd.Flags()
	fs.IntVar(&f.events, "events", 20000, "events in the throughput phase")
	fs.IntVar(&f.endpoints, "endpoints", 1, "targets subscribed to every event")
	fs.IntVar(&f.rate, "rate", 1000, "events per second in the latency phase")
	fs.IntVar(&f.steady, "steady", 200, "events per second in the steady phase (0: no steady phase)")
	fs.IntVar(&f.hubs, "hubs", 1, "hubs sharing the work through one Redis (publishes go round robin)")
	fs.StringVar(&f.event, "event", "custom", "custom (a permissive custom type, ~100-byte events) or a catalog type such as reservation.created (its sample)")
	fs.StringVar(&f.target, "target", "endpoint", "endpoint (signed webhooks) or connection (the no-op recorder connector plugin)")
	fs.StringVar(&f.pluginDir, "plugin-dir", pluginDir, "folder holding bellhop-connector-recorder for --target connection; without one it is built (default $BELLHOP_PLUGIN_DIR or bin/plugins)")
	fs.BoolVar(&f.ceiling, "ceiling", true, "measure the ceiling first and print every figure beside it")
	fs.IntVar(&f.ceilingN, "ceiling-requests", 20000, "signed POSTs the ceiling sends")
	fs.StringVar(&f.cpuProfile, "cpu-profile", "", "write a CPU profile of hub 1, taken through its hidden --pprof-addr during --profile-phase, to this file")
	fs.StringVar(&f.profilePhase, "profile-phase", "throughput", "the phase --cpu-profile is taken in: throughput, latency or steady (where the idle cost is)")
	fs.IntVar(&f.profileSeconds, "profile-seconds", 5, "length of the --cpu-profile")
	fs.BoolVar(&f.ownRedis, "own-redis", false, "run a redis-server of this run's own (AOF, appendfsync everysec, in a temporary folder) instead of --redis-url, so that Redis's CPU and used_memory are this run's alone")
	fs.BoolVar(&f.idemKeys, "idempotency-keys", true, "send a fresh Idempotency-Key with every publish, as a careful producer does (its record counts in the memory figure)")
	return cmd
}

func (f *deliverFlags) check() error {
	switch {
	case f.hubs < 1:
		return fmt.Errorf("--hubs must be at least 1")
	case f.events < 1 || f.endpoints < 1 || f.workers < 1 || f.rate < 1 || f.ceilingN < 1:
		return fmt.Errorf("--events, --endpoints, --workers, --rate and --ceiling-requests must be at least 1")
	case f.cpuProfile != "" && f.profileSeconds < 1:
		return fmt.Errorf("--profile-seconds must be at least 1")
	case f.profilePhase != "throughput" && f.profilePhase != "latency" && f.profilePhase != "steady":
		return fmt.Errorf("--profile-phase %q: must be throughput, latency or steady", f.profilePhase)
	case f.cpuProfile != "" && f.profilePhase == "steady" && f.steady == 0:
		return fmt.Errorf("--profile-phase steady needs a steady phase (--steady above 0)")
	case f.steady < 0:
		return fmt.Errorf("--steady must be 0 (no steady phase) or more")
	case f.target != "endpoint" && f.target != "connection":
		return fmt.Errorf("--target %q: must be endpoint or connection", f.target)
	}
	return nil
}

func runBenchDeliver(ctx context.Context, f *deliverFlags, stdout io.Writer) error {
	if err := f.check(); err != nil {
		return err
	}
	if f.ownRedis {
		stop, err := f.startOwnRedis()
		if err != nil {
			return err
		}
		defer stop()
	}
	r, err := startDeliverRun(ctx, f, stdout)
	if err != nil {
		return err
	}
	defer r.close()
	if f.ceiling {
		r.ceil = runCeiling(ctx, r.rcv, f.workers, f.ceilingN)
		fmt.Fprintln(stdout, r.ceil.line())
	}
	if err := r.hubsAlive("the ceiling"); err != nil {
		return err
	}
	r.throughput(ctx)
	if err := r.hubsAlive("the throughput phase"); err != nil {
		return err
	}
	r.openPhase(ctx, "latency", f.rate)
	if f.steady > 0 {
		r.openPhase(ctx, "steady", f.steady)
	}
	r.hubMemory()
	return r.hubsAlive("the run")
}

// startOwnRedis starts the redis-server of --own-redis and points the run
// at it; stop kills it and removes its folder.
func (f *deliverFlags) startOwnRedis() (stop func(), err error) {
	dir, err := os.MkdirTemp("", "bellhop-bench-redis")
	if err != nil {
		return nil, err
	}
	rp, err := startRedis(dir, "everysec")
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	f.redisURL = rp.url()
	return func() { rp.kill(); os.RemoveAll(dir) }, nil
}

// hubsAlive fails the run if a hub ended by itself during when, or stopped
// answering (a hub told to stop closes its listener at once but may take
// seconds to drain and exit): its figures would be of a hub that is not there.
func (r *deliverRun) hubsAlive(when string) error {
	for i, h := range r.group.hubs {
		if h.crashed() {
			return fmt.Errorf("hub %d (pid %d) ended during %s: %v", i+1, h.cmd.Process.Pid, when, h.cmd.ProcessState)
		}
		resp, err := http.Get(h.base + "/healthz")
		if err != nil {
			return fmt.Errorf("hub %d (pid %d) stopped answering during %s: %v", i+1, h.cmd.Process.Pid, when, err)
		}
		resp.Body.Close()
	}
	return nil
}

// deliverRun is one bench deliver: its receiver, hubs, targets and meters.
type deliverRun struct {
	f       *deliverFlags
	out     io.Writer
	rcv     *receiver
	group   *hubGroup
	targets []benchTarget
	body    []byte
	ceil    *ceilingResult // nil without --ceiling
	profile *hubProfile    // nil without --cpu-profile
	cpu     *cpuMeter
	rdb     *redis.Client // nil when the Redis URL is not one server's (a cluster)
	nonce   string        // this run's Idempotency-Key prefix
	turn    atomic.Uint64
	seq     atomic.Uint64
	undo    []func()
}

// startDeliverRun starts the receiver and the hubs, registers the event
// type and creates the targets.
func startDeliverRun(ctx context.Context, f *deliverFlags, stdout io.Writer) (*deliverRun, error) {
	r := &deliverRun{f: f, out: stdout, nonce: "bench-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "-"}
	started := false
	defer func() { // undo what was started when a later step fails
		if !started {
			r.close()
		}
	}()
	var err error
	if r.rcv, err = startReceiver(); err != nil {
		return nil, err
	}
	r.undo = append(r.undo, r.rcv.close)
	spec := hubSpec{RedisURL: f.redisURL, Env: []string{"BELLHOP_RETRY_SCHEDULE=0s,1s,2s,5s"}}
	if f.ownRedis {
		// Nothing else uses this Redis: the keys take the hub's default
		// prefix, so that bytes per delivery count production's key names,
		// not a 21-character benchmark prefix on every key.
		spec.Prefix = "bh:"
	}
	plugin := ""
	if f.target == "connection" {
		dir, cleanup, err := recorderPluginDir(f.pluginDir)
		if err != nil {
			return nil, err
		}
		r.undo = append(r.undo, cleanup)
		spec.Env = append(spec.Env, "BELLHOP_PLUGIN_DIR="+dir)
		plugin = recorderPlugin
	}
	if f.cpuProfile != "" {
		// Every hub gets this address; only the first binds it (the others
		// warn and run on), so the profile is hub 1's.
		addr, err := freeLoopbackAddr()
		if err != nil {
			return nil, err
		}
		spec.Env = append(spec.Env, "BELLHOP_PPROF_ADDR="+addr)
		r.profile = &hubProfile{addr: addr, file: f.cpuProfile, seconds: f.profileSeconds}
	}
	if r.group, err = startHubGroup(ctx, spec, f.hubs); err != nil {
		return nil, err
	}
	r.undo = append(r.undo, r.group.stop)
	hub := r.group.hubs[0].benchAPI
	var typ string
	if r.body, typ, err = benchPublishBody(ctx, hub, f.event); err != nil {
		return nil, err
	}
	if r.targets, err = createTargets(ctx, hub, f.target, f.endpoints, typ, r.rcv.url); err != nil {
		return nil, err
	}
	r.cpu = newCPUMeter(r.group.hubs, plugin, f.redisURL)
	r.undo = append(r.undo, r.cpu.close)
	if opts, err := redis.ParseURL(f.redisURL); err == nil {
		r.rdb = redis.NewClient(opts)
		r.undo = append(r.undo, func() { r.rdb.Close() })
	}
	fmt.Fprintf(stdout, "bellhop bench deliver: %d hub(s) (first pid %d), Redis %s, %d %ss of %s events on one local receiver, %d publishers\n",
		f.hubs, r.group.hubs[0].cmd.Process.Pid, redactURL(f.redisURL), f.endpoints, f.target, typ, f.workers)
	started = true
	return r, nil
}

// close undoes what startDeliverRun did, last first: the hubs stop (and
// their keys go) before the receiver does.
func (r *deliverRun) close() {
	for i := len(r.undo) - 1; i >= 0; i-- {
		r.undo[i]()
	}
}

// publish posts one event to the next hub, round robin as a load balancer
// would, and notes when, so the receiver can time its delivery.
func (r *deliverRun) publish(ctx context.Context) error {
	var ev struct{ ID string }
	start := time.Now()
	to := r.group.hubs[r.turn.Add(1)%uint64(len(r.group.hubs))]
	var h http.Header
	if r.f.idemKeys {
		h = http.Header{"Idempotency-Key": {r.nonce + strconv.FormatUint(r.seq.Add(1), 10)}}
	}
	if err := to.callWith(ctx, http.MethodPost, "/v1/events", r.body, http.StatusCreated, &ev, h); err != nil {
		return err
	}
	r.rcv.published(ev.ID, start)
	return nil
}

// throughput publishes --events as fast as --workers can, times until
// every delivery is in, and measures the CPU and Redis memory they cost.
// The CPU is read once every attempt is recorded, so the tail of the work
// after the last receipt counts too.
func (r *deliverRun) throughput(ctx context.Context) {
	before, memErr := r.redisMemory(ctx)
	r.rcv.reset(len(r.targets))
	cpu0 := r.cpu.read(ctx)
	defer r.profileDuring(ctx, "throughput")()
	start := time.Now()
	tp := burst(ctx, r.f.workers, r.f.events, r.publish)
	want := int(tp.ok) * len(r.targets)
	got := r.rcv.wait(ctx, want, 2*time.Minute)
	took := time.Since(start)
	recorded, recErr := waitRecorded(ctx, r.group.hubs[0].benchAPI, r.targets, want, time.Minute)
	cpu := r.cpu.read(ctx).sub(cpu0)
	fmt.Fprintf(r.out, "throughput: %d events × %d %ss = %d deliveries in %s: %s (%d publish errors, %d lost, %d duplicates)\n",
		tp.ok, len(r.targets), r.f.target, got, took.Round(time.Millisecond), rateVsCeiling(float64(got)/took.Seconds(), "deliveries", r.ceil),
		tp.errors, want-got, r.rcv.duplicates.Load())
	tp.reportFirstError(r.out)
	fmt.Fprintln(r.out, cpuLine("throughput", cpu, int64(got), r.ceil))
	fmt.Fprintln(r.out, commandsLine("throughput", cpu, int64(got)))
	if recErr != nil || recorded < want {
		fmt.Fprintf(r.out, "  only %d of %d attempts recorded within a minute (%v): the figures below miss the rest\n", recorded, want, recErr)
	}
	if memErr != nil {
		fmt.Fprintf(r.out, "throughput redis memory: unknown (%v)\n", memErr)
		return
	}
	settled := waitMemorySettled(ctx, r.rdb, 10*time.Second)
	after, err := r.redisMemory(ctx)
	if err != nil {
		fmt.Fprintf(r.out, "throughput redis memory: unknown (%v)\n", err)
		return
	}
	fmt.Fprintln(r.out, bytesLine("throughput", before, after, int64(got)))
	fmt.Fprintf(r.out, "  (read after %d attempts were recorded and used_memory %s, before the run's keys are deleted: it counts everything the run leaves, events, deliveries, attempts, indexes, activity and idempotency records, at the default retention)\n",
		recorded, settled)
}

// profileDuring starts the --cpu-profile when phase is --profile-phase and
// returns what ends the phase's share of it: waiting for the profile and
// printing where it went.
func (r *deliverRun) profileDuring(ctx context.Context, phase string) func() {
	if r.profile == nil || r.f.profilePhase != phase {
		return func() {}
	}
	r.profile.start(ctx, phase)
	return func() { fmt.Fprintln(r.out, r.profile.wait()) }
}

// redisMemory measures Redis and the run's keys in it.
func (r *deliverRun) redisMemory(ctx context.Context) (redisMemory, error) {
	if r.rdb == nil {
		return redisMemory{}, fmt.Errorf("measured on a single Redis only")
	}
	return readRedisMemory(ctx, r.rdb, r.group.pfx)
}

// openPhase publishes at a fixed rate for --duration, whatever the
// latency, and reports publish-to-receipt latency and the CPU per delivery
// at that rate.
func (r *deliverRun) openPhase(ctx context.Context, label string, rate int) {
	r.rcv.reset(len(r.targets))
	cpu0 := r.cpu.read(ctx)
	defer r.profileDuring(ctx, label)()
	s := openLoop(ctx, rate, r.f.duration, r.publish)
	want := int(s.ok) * len(r.targets)
	got := r.rcv.wait(ctx, want, time.Minute)
	cpu := r.cpu.read(ctx).sub(cpu0)
	p := r.rcv.latencies()
	fmt.Fprintf(r.out, "%s at %d events/s: publish-to-receipt p50 %s, p99 %s, max %s over %d deliveries (%d publish errors, %d lost)\n",
		label, rate, p.pct(50), p.pct(99), p.pct(100), len(p.lat), s.errors, want-got)
	s.reportFirstError(r.out)
	fmt.Fprintln(r.out, cpuLine(label, cpu, int64(got), r.ceil))
	fmt.Fprintln(r.out, commandsLine(label, cpu, int64(got)))
}

// hubMemory prints each hub's resident memory and the highest peak.
func (r *deliverRun) hubMemory() {
	var peak int64
	for i, h := range r.group.hubs {
		fmt.Fprintf(r.out, "hub %d memory: %s\n", i+1, h.memory())
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", h.cmd.Process.Pid)); err == nil {
			if hwm, err := parseProcStatusKB(b, "VmHWM"); err == nil {
				peak = max(peak, hwm)
			}
		}
	}
	fmt.Fprintf(r.out, "hub peak rss: %.1f MB\n", float64(peak)/(1<<20))
}

// burst runs op n times in all from workers, each sending one after the
// other, and returns when the last has finished. The ops run on ctx, not on
// the loop's context that ends it, so that no request is cut off.
func burst(ctx context.Context, workers, n int, op func(context.Context) error) *samples {
	loop, stop := context.WithCancel(ctx)
	defer stop()
	return closedLoop(loop, workers, time.Duration(1<<62), limitOps(n, stop, func(context.Context) error { return op(ctx) }))
}

// limitOps lets op run n times in all, then calls stop and makes the loop
// end (each worker's last call returns errStop, which samples do not count).
func limitOps(n int, stop context.CancelFunc, op func(context.Context) error) func(context.Context) error {
	var left atomic.Int64
	left.Store(int64(n))
	return func(ctx context.Context) error {
		if left.Add(-1) < 0 {
			stop()
			return errStop
		}
		return op(ctx)
	}
}

var errStop = fmt.Errorf("phase complete")

// receiver is a local webhook receiver that notes when each delivery lands.
// It answers a Slack chat.postMessage too (a Slack connection whose
// api_base_url points here, with a script that puts the event id in the
// message text), so that connector deliveries are counted the same way.
type receiver struct {
	srv        *http.Server
	url        string
	mu         sync.Mutex
	sent       map[string]time.Time   // event id → publish start
	early      map[string][]time.Time // event id → receipts that beat the publisher's answer
	seen       map[string]int         // event id + path → receipts
	firstAt    map[string]time.Time   // event id + path → first receipt
	lat        *samples
	count      atomic.Int64
	duplicates atomic.Int64
	notify     chan struct{}
}

func startReceiver() (*receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &receiver{url: "http://" + ln.Addr().String(), notify: make(chan struct{}, 1)}
	r.reset(1)
	r.srv = &http.Server{Handler: http.HandlerFunc(r.serve)}
	go r.srv.Serve(ln)
	return r, nil
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	now := time.Now()
	var id string
	if strings.HasSuffix(req.URL.Path, "/chat.postMessage") {
		id = req.PostFormValue("text")
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"ok":true,"channel":"C0BENCH","ts":"%d.000100"}`, now.Unix())
	} else {
		var ev struct{ ID string }
		body, _ := io.ReadAll(req.Body)
		json.Unmarshal(body, &ev)
		id = ev.ID
		w.WriteHeader(http.StatusOK)
	}
	r.mu.Lock()
	key := id + req.URL.Path
	r.seen[key]++
	first := r.seen[key] == 1
	if !first {
		r.duplicates.Add(1)
	} else {
		r.firstAt[key] = now
		if t, ok := r.sent[id]; ok {
			r.lat.add(now.Sub(t), nil)
		} else {
			r.early[id] = append(r.early[id], now)
		}
	}
	r.mu.Unlock()
	if first {
		r.count.Add(1)
		select {
		case r.notify <- struct{}{}:
		default:
		}
	}
}

// receipt returns when the first delivery of event id reached path, and
// how many did.
func (r *receiver) receipt(id, path string) (time.Time, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.firstAt[id+path], r.seen[id+path]
}

func (r *receiver) published(id string, at time.Time) {
	r.mu.Lock()
	r.sent[id] = at
	// On a busy box a delivery can land before the publisher has read the
	// answer that names its event: time it now, or the fastest go uncounted.
	for _, got := range r.early[id] {
		r.lat.add(got.Sub(at), nil)
	}
	delete(r.early, id)
	r.mu.Unlock()
}

func (r *receiver) reset(int) {
	r.mu.Lock()
	r.sent, r.seen, r.firstAt, r.lat = map[string]time.Time{}, map[string]int{}, map[string]time.Time{}, &samples{}
	r.early = map[string][]time.Time{}
	r.mu.Unlock()
	r.count.Store(0)
}

// wait returns once n distinct deliveries arrived, or at the timeout.
func (r *receiver) wait(ctx context.Context, n int, timeout time.Duration) int {
	deadline := time.After(timeout)
	for int(r.count.Load()) < n {
		select {
		case <-r.notify:
		case <-deadline:
			return int(r.count.Load())
		case <-ctx.Done():
			return int(r.count.Load())
		}
	}
	return int(r.count.Load())
}

func (r *receiver) latencies() *samples {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lat
}

func (r *receiver) close() { r.srv.Close() }

// hubGroup is several child hubs on one Redis prefix, sharing the work
// through its consumer groups as hubs behind a load balancer do.
type hubGroup struct {
	hubs          []*childHub
	redisURL, pfx string
}

// startHubGroup starts n hubs with spec's settings on one fresh prefix; stop
// ends them all and deletes the prefix's keys.
func startHubGroup(ctx context.Context, spec hubSpec, n int) (*hubGroup, error) {
	if err := spec.fill(); err != nil {
		return nil, err
	}
	g := &hubGroup{redisURL: spec.RedisURL, pfx: spec.Prefix}
	for range n {
		s := spec
		s.Addr = "" // each its own port
		if err := s.fill(); err != nil {
			g.stop()
			return nil, err
		}
		h, err := startChildHub(ctx, s)
		if err != nil {
			g.stop()
			return nil, err
		}
		g.hubs = append(g.hubs, h)
	}
	return g, nil
}

func (g *hubGroup) stop() {
	for _, h := range g.hubs {
		h.stop()
	}
	if err := deletePrefix(g.redisURL, g.pfx); err != nil {
		fmt.Fprintf(os.Stderr, "bench: could not delete the keys under %s: %v\n", g.pfx, err)
	}
}
