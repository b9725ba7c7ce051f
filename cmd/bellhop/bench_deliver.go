package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"
)

func newBenchDeliverCommand(getenv func(string) string, stdout io.Writer) *cobra.Command {
	var (
		f                 benchFlags
		events, endpoints int
		rate, hubs        int
	)
	cmd := &cobra.Command{
		Use:   "deliver",
		Short: "Publish N events to M endpoints on a local receiver; report deliveries/s and publish-to-receipt latency",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			rcv, err := startReceiver()
			if err != nil {
				return err
			}
			defer rcv.close()
			if hubs < 1 {
				return fmt.Errorf("--hubs must be at least 1")
			}
			all, err := startHubGroup(ctx, hubSpec{RedisURL: f.redisURL, Env: []string{"BELLHOP_RETRY_SCHEDULE=0s,1s,2s,5s"}}, hubs)
			if err != nil {
				return err
			}
			defer all.stop()
			hub := all.hubs[0]
			body, err := hub.samplePublishBody("reservation.created")
			if err != nil {
				return err
			}
			for i := range endpoints {
				ep := fmt.Sprintf(`{"url":"%s/ep/%d","enabled_events":["reservation.created"],"rate_limit":0}`, rcv.url, i)
				if err := hub.post(ctx, "/v1/webhook_endpoints", []byte(ep), http.StatusCreated); err != nil {
					return err
				}
			}
			fmt.Fprintf(stdout, "bellhop bench deliver: %d hub(s) (first pid %d), Redis %s, %d endpoints on one local receiver\n", hubs, hub.cmd.Process.Pid, redactURL(f.redisURL), endpoints)

			var turn atomic.Uint64
			publish := func(ctx context.Context) error {
				var ev struct{ ID string }
				start := time.Now()
				to := all.hubs[turn.Add(1)%uint64(len(all.hubs))] // round robin, as a load balancer would
				if err := to.call(ctx, http.MethodPost, "/v1/events", body, http.StatusCreated, &ev); err != nil {
					return err
				}
				rcv.published(ev.ID, start)
				return nil
			}

			// Throughput: publish a burst, then time until every delivery is in.
			rcv.reset(endpoints)
			start := time.Now()
			// The loop stops when the events are all published: limitOps
			// cancels its context, and the workers' last calls, which only
			// learn it is over, are not errors.
			burst, done := context.WithCancel(ctx)
			tp := closedLoop(burst, f.workers, time.Duration(1<<62), limitOps(events, done, func(context.Context) error { return publish(ctx) }))
			done()
			tp.errors = max(tp.errors-int64(f.workers), 0)
			got := rcv.wait(ctx, int(tp.ok)*endpoints, 2*time.Minute)
			took := time.Since(start)
			fmt.Fprintf(stdout, "throughput: %d events × %d endpoints = %d deliveries in %s: %.0f deliveries/s (%d publish errors, %d duplicates)\n",
				tp.ok, endpoints, got, took.Round(time.Millisecond), float64(got)/took.Seconds(), tp.errors, rcv.duplicates.Load())

			// Latency: a fixed publish rate, one receipt per endpoint per event.
			rcv.reset(endpoints)
			lat := openLoop(ctx, rate, f.duration, publish)
			rcv.wait(ctx, int(lat.ok)*endpoints, time.Minute)
			p := rcv.latencies()
			fmt.Fprintf(stdout, "at %d events/s: publish-to-receipt p50 %s, p99 %s, max %s over %d deliveries\n", rate, p.pct(50), p.pct(99), p.pct(100), len(p.lat))
			for i, h := range all.hubs {
				fmt.Fprintf(stdout, "hub %d memory: %s\n", i+1, h.memory())
			}
			return nil
		},
	}
	f.add(cmd, getenv)
	cmd.Flags().IntVar(&events, "events", 20000, "events in the throughput phase")
	cmd.Flags().IntVar(&endpoints, "endpoints", 1, "endpoints subscribed to every event")
	cmd.Flags().IntVar(&rate, "rate", 1000, "events per second in the latency phase")
	cmd.Flags().IntVar(&hubs, "hubs", 1, "hubs sharing the work through one Redis (publishes go round robin)")
	return cmd
}

// limitOps lets op run n times in all, then calls stop and makes the loop
// end (each worker's last call returns errStop).
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
	sent       map[string]time.Time // event id → publish start
	seen       map[string]int       // event id + path → receipts
	firstAt    map[string]time.Time // event id + path → first receipt
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
	r.mu.Unlock()
}

func (r *receiver) reset(int) {
	r.mu.Lock()
	r.sent, r.seen, r.firstAt, r.lat = map[string]time.Time{}, map[string]int{}, map[string]time.Time{}, &samples{}
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
