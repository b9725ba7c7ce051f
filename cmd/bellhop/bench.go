package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/secretbox"
	"github.com/spf13/cobra"
)

// newBenchCommand is `bellhop bench`: load commands that start a real hub as
// a child process on a real Redis and measure it from outside, so that the
// hub's memory is its own and not the load generator's.
func newBenchCommand(getenv func(string) string, stdout io.Writer) *cobra.Command {
	cmd := &cobra.Command{Use: "bench", Short: "Measure the hub under load (figures for BENCHMARKS.md)"}
	cmd.AddCommand(newBenchPublishCommand(getenv, stdout), newBenchDeliverCommand(getenv, stdout),
		newBenchCeilingCommand(stdout), newBenchChaosCommand(getenv, stdout))
	return cmd
}

// benchFlags are the settings every load command shares.
type benchFlags struct {
	redisURL string
	duration time.Duration
	workers  int
}

func (f *benchFlags) add(cmd *cobra.Command, getenv func(string) string, workers int) {
	cmd.Flags().StringVar(&f.redisURL, "redis-url", getenv("REDIS_URL"), "Redis the child hub uses (default $REDIS_URL; required: the embedded one would measure miniredis)")
	cmd.Flags().DurationVar(&f.duration, "duration", 10*time.Second, "how long each phase runs")
	cmd.Flags().IntVar(&f.workers, "workers", workers, "concurrent clients (publishers) in the throughput phase")
}

func newBenchPublishCommand(getenv func(string) string, stdout io.Writer) *cobra.Command {
	var (
		f     benchFlags
		rate  int
		batch int
	)
	cmd := &cobra.Command{
		Use:   "publish",
		Short: "POST /v1/events (or /v1/events/batch) as fast as possible, then at a fixed rate for latency",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			hub, err := startChildHub(cmd.Context(), hubSpec{RedisURL: f.redisURL})
			if err != nil {
				return err
			}
			defer hub.stop()
			body, err := hub.samplePublishBody("reservation.created")
			if err != nil {
				return err
			}
			publish := func(ctx context.Context) error {
				return hub.post(ctx, "/v1/events", body, http.StatusCreated)
			}
			perRequest := int64(1) // events accepted by one successful request
			if batch > 0 {
				if publish, err = batchPublish(hub.benchAPI, body, batch); err != nil {
					return err
				}
				perRequest = int64(batch)
			}
			fmt.Fprintf(stdout, "bellhop bench publish: hub pid %d, Redis %s, %d workers, %s per phase, batch %d\n", hub.cmd.Process.Pid, redactURL(f.redisURL), f.workers, f.duration, batch)
			cpu := newCPUMeter([]*childHub{hub}, "", f.redisURL)
			defer cpu.close()
			cpu0 := cpu.read(cmd.Context())
			tp := closedLoop(cmd.Context(), f.workers, f.duration, publish)
			fmt.Fprintf(stdout, "throughput: %.0f events/s accepted, %.0f requests/s (%d ok, %d errors; p50 %s, p99 %s)\n",
				tp.rate()*float64(perRequest), tp.rate(), tp.ok, tp.errors, tp.pct(50), tp.pct(99))
			fmt.Fprintf(stdout, "cpu per publish: %s\n", cpu.read(cmd.Context()).sub(cpu0).perOp(tp.ok*perRequest))
			tp.reportFirstError(stdout)
			lat := openLoop(cmd.Context(), rate, f.duration, publish)
			fmt.Fprintf(stdout, "at %d/s:  p50 %s, p99 %s, max %s (%d ok, %d errors)\n", rate, lat.pct(50), lat.pct(99), lat.pct(100), lat.ok, lat.errors)
			lat.reportFirstError(stdout)
			fmt.Fprintf(stdout, "hub memory: %s\n", hub.memory())
			return nil
		},
	}
	f.add(cmd, getenv, 64)
	cmd.Flags().IntVar(&rate, "rate", 2000, "requests per second in the latency phase")
	cmd.Flags().IntVar(&batch, "batch", 0, "events per request through POST /v1/events/batch (0: single publishes through POST /v1/events)")
	return cmd
}

// childHub is a `bellhop serve` started from this same binary.
type childHub struct {
	benchAPI
	cmd      *exec.Cmd
	redisURL string
	prefix   string        // the child's key prefix, deleted when it stops if the spec asked
	clean    bool          // delete the prefix on stop
	exited   chan struct{} // closed when the process has ended, whoever ended it
	killed   atomic.Bool   // set before this program kills it, so an exit without it is a crash
	// logOffset is where this run's output starts in a log file that
	// several runs share (bench chaos); 0 otherwise.
	logOffset int64
}

// hubSpec says how to start a child hub. Empty fields are filled in by
// startChildHub with fresh values, so bench publish and deliver need only
// RedisURL; chaos gives two hubs the same prefix, key, master key and a
// fixed address each, so that either can take over the other's work and a
// restarted hub answers where the old one did.
type hubSpec struct {
	RedisURL  string
	Prefix    string    // default: a fresh bhbench:… prefix, deleted on stop
	Key       string    // the bootstrap test key; default: a fresh one
	MasterKey string    // base64; default: a fresh one
	Addr      string    // host:port; default: a free loopback port
	Env       []string  // more settings, e.g. BELLHOP_RETRY_SCHEDULE
	Output    io.Writer // the child's stdout and stderr; default os.Stderr
}

// fill gives every empty field of s a fresh value.
func (s *hubSpec) fill() error {
	now := strconv.FormatInt(time.Now().UnixNano(), 36)
	if s.Prefix == "" {
		s.Prefix = "bhbench:" + now + ":"
	}
	if s.Key == "" {
		s.Key = "bh_test_bench" + strconv.FormatInt(time.Now().UnixNano(), 10) + "abcdefghijklmnopqrst"
	}
	if s.MasterKey == "" {
		s.MasterKey = base64.StdEncoding.EncodeToString(secretbox.GenerateKey())
	}
	if s.Addr == "" {
		addr, err := freeLoopbackAddr()
		if err != nil {
			return err
		}
		s.Addr = addr
	}
	if s.Output == nil {
		s.Output = os.Stderr
	}
	return nil
}

// freeLoopbackAddr returns a loopback host:port nothing listens on now.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startChildHub starts `bellhop serve` as spec says and waits until it is
// healthy. A spec without a prefix gets a fresh one, deleted on stop.
func startChildHub(ctx context.Context, spec hubSpec) (*childHub, error) {
	if spec.RedisURL == "" {
		return nil, errors.New("REDIS_URL (--redis-url): load figures mean something only against a real Redis")
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	clean := spec.Prefix == ""
	if err := spec.fill(); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, "serve", "--log-level", "warn")
	cmd.Env = append(os.Environ(),
		"BELLHOP_ADDR="+spec.Addr, "REDIS_URL="+spec.RedisURL,
		"BELLHOP_REDIS_PREFIX="+spec.Prefix,
		"BELLHOP_MASTER_KEY="+spec.MasterKey,
		"BELLHOP_BOOTSTRAP_KEY="+spec.Key, "BELLHOP_RATE_LIMIT=100000000")
	cmd.Env = append(cmd.Env, spec.Env...)
	cmd.Stdout, cmd.Stderr = spec.Output, spec.Output
	cmd.SysProcAttr = childProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	h := &childHub{benchAPI: benchAPI{base: "http://" + spec.Addr, key: spec.Key}, cmd: cmd, redisURL: spec.RedisURL,
		prefix: spec.Prefix, clean: clean, exited: make(chan struct{})}
	go func() { cmd.Wait(); close(h.exited) }()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		select {
		case <-h.exited:
			return nil, fmt.Errorf("the child hub exited at start: %v", cmd.ProcessState)
		default:
		}
		if resp, err := http.Get(h.base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return h, nil
			}
		}
	}
	h.stop()
	return nil, errors.New("the child hub did not become ready within 20s")
}

// stop asks the child to drain and end (SIGINT), kills it if it has not
// within 20s, and deletes its keys if the prefix was its own.
func (h *childHub) stop() {
	h.killed.Store(true)
	h.cmd.Process.Signal(os.Interrupt)
	select {
	case <-h.exited:
	case <-time.After(20 * time.Second):
		h.cmd.Process.Kill()
		<-h.exited
	}
	if !h.clean {
		return
	}
	if err := deletePrefix(h.redisURL, h.prefix); err != nil {
		fmt.Fprintf(os.Stderr, "bench: could not delete the keys under %s: %v\n", h.prefix, err)
	}
}

// kill ends the child with SIGKILL, as a crash of the machine would: no
// drain, no goodbye. It returns once the process is gone.
func (h *childHub) kill() {
	h.killed.Store(true)
	h.cmd.Process.Kill()
	<-h.exited
}

// crashed reports whether the child ended without this program asking.
func (h *childHub) crashed() bool {
	select {
	case <-h.exited:
		return !h.killed.Load()
	default:
		return false
	}
}

// deletePrefix removes what a load left in Redis, so that benchmarks can be
// run again and again against a shared Redis.
func deletePrefix(redisURL, prefix string) error {
	ctx := context.Background()
	rdb, _, err := redisstore.Open(ctx, redisURL)
	if err != nil {
		return err
	}
	defer rdb.Close()
	return redisstore.DeletePrefix(ctx, rdb, prefix)
}

// benchClient keeps one connection per worker alive between requests: the
// load generator shares the hub's cores, so it must not spend them on
// handshakes.
var benchClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 512, MaxConnsPerHost: 512, DisableCompression: true}}

// benchAPI calls one hub's API with one key: a child hub's own with its
// bootstrap key, chaos one per tenant and hub.
type benchAPI struct {
	base string // http://host:port
	key  string
}

// call sends one API request and decodes a JSON answer into out (if not nil).
func (h benchAPI) call(ctx context.Context, method, path string, body []byte, want int, out any) error {
	return h.callWith(ctx, method, path, body, want, out, nil)
}

// callWith is call with more request headers, such as an Idempotency-Key.
func (h benchAPI) callWith(ctx context.Context, method, path string, body []byte, want int, out any, header http.Header) error {
	resp, err := h.send(ctx, method, path, body, header)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	_, err = io.Copy(io.Discard, resp.Body) // read to the end, so the connection is reused
	return err
}

// send sends one API request with the key and header; the caller closes
// the answer's body.
func (h benchAPI) send(ctx context.Context, method, path string, body []byte, header http.Header) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, h.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Authorization", "Bearer "+h.key)
	req.Header.Set("Content-Type", "application/json")
	return benchClient.Do(req)
}

func (h benchAPI) post(ctx context.Context, path string, body []byte, want int) error {
	return h.call(ctx, http.MethodPost, path, body, want, nil)
}

// samplePublishBody returns a publish request with the catalog's sample.
func (h benchAPI) samplePublishBody(typ string) ([]byte, error) {
	var t struct{ Sample json.RawMessage }
	if err := h.call(context.Background(), http.MethodGet, "/v1/event_types/"+typ, nil, 200, &t); err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{"type": typ, "property_id": "prop_8hJk3m", "data": map[string]any{"object": t.Sample}})
}

// memory reads the child's resident memory now and at its peak.
func (h *childHub) memory() string {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", h.cmd.Process.Pid))
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	defer f.Close()
	var rss, hwm string
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Text()
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			rss = strings.TrimSpace(v)
		} else if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			hwm = strings.TrimSpace(v)
		}
	}
	return fmt.Sprintf("%s resident, %s peak", rss, hwm)
}

// samples collects latencies of a load phase.
type samples struct {
	mu         sync.Mutex
	lat        []time.Duration
	ok, errors int64
	elapsed    time.Duration
	firstErr   error
}

// add counts one request. errStop is no request: the worker learnt that
// the phase is over.
func (s *samples) add(d time.Duration, err error) {
	if errors.Is(err, errStop) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.errors++
		if s.firstErr == nil {
			s.firstErr = err
		}
		return
	}
	s.ok++
	s.lat = append(s.lat, d)
}

// reportFirstError prints the first failure of the phase, if any, so that
// a run full of errors says why.
func (s *samples) reportFirstError(w io.Writer) {
	if s.firstErr != nil {
		fmt.Fprintf(w, "  first error: %v\n", s.firstErr)
	}
}

func (s *samples) rate() float64 { return float64(s.ok) / s.elapsed.Seconds() }

// pct returns the p-th percentile latency (100: the maximum).
func (s *samples) pct(p float64) time.Duration {
	if len(s.lat) == 0 {
		return 0
	}
	sort.Slice(s.lat, func(i, j int) bool { return s.lat[i] < s.lat[j] })
	i := int(float64(len(s.lat)-1) * p / 100)
	return s.lat[i].Round(10 * time.Microsecond)
}

// closedLoop runs workers that each send one request after the other. The
// phase ends by deadline, not by cancelling, so no request is cut off.
func closedLoop(ctx context.Context, workers int, d time.Duration, op func(context.Context) error) *samples {
	s := &samples{}
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && ctx.Err() == nil {
				t := time.Now()
				err := op(ctx)
				s.add(time.Since(t), err)
			}
		}()
	}
	wg.Wait()
	s.elapsed = time.Since(start)
	return s
}

// openLoop starts requests at a fixed rate whatever the latency, so that a
// slow answer cannot hide queueing (no coordinated omission).
func openLoop(ctx context.Context, rate int, d time.Duration, op func(context.Context) error) *samples {
	s := &samples{}
	start := time.Now()
	interval := time.Second / time.Duration(max(rate, 1))
	var wg sync.WaitGroup
	var inflight atomic.Int64
	for i := 0; ; i++ {
		due := start.Add(time.Duration(i) * interval)
		if due.Sub(start) >= d || ctx.Err() != nil {
			break
		}
		time.Sleep(time.Until(due))
		if inflight.Load() > 4096 { // the hub is drowning: count it, do not pile on
			s.add(0, errors.New("more than 4096 requests in flight"))
			continue
		}
		inflight.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer inflight.Add(-1)
			err := op(ctx) // first: arguments are evaluated left to right, so time.Since(due), op(ctx) timed only the start
			s.add(time.Since(due), err)
		}()
	}
	wg.Wait()
	s.elapsed = time.Since(start)
	return s
}

// redactURL hides a password in a Redis URL.
func redactURL(u string) string {
	if at := strings.LastIndex(u, "@"); at > 0 {
		if scheme := strings.Index(u, "://"); scheme > 0 {
			return u[:scheme+3] + "…@" + u[at+1:]
		}
	}
	return u
}
