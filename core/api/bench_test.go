package api

import (
	"context"
	"io"
	"net/http"
	"os"
	"testing"

	"github.com/bellhop/bellhop/core/redisstore"
)

// BenchmarkPublishEvent publishes through the full HTTP stack (auth, rate
// limit, activity log, schema validation, stream append) against the Redis
// at REDIS_URL; without it the figure would measure miniredis. 4 clients
// per CPU keep the pipeline full, as concurrent publishers would.
func BenchmarkPublishEvent(b *testing.B) {
	a := newBenchAPI(b)
	body := encodeBody(b, a.sampleEvent(b, "reservation.created"))
	b.SetParallelism(4)
	postParallel(b, a, "/v1/events", body, http.StatusCreated)
}

// BenchmarkPublishEventBatch publishes batches of 500 reservation.created
// through the same stack, and reports the time per event (ns/event) next to
// the time per request.
func BenchmarkPublishEventBatch(b *testing.B) {
	a := newBenchAPI(b)
	events := make([]any, MaxBatchEvents)
	for i := range events {
		events[i] = a.sampleEvent(b, "reservation.created")
	}
	postParallel(b, a, "/v1/events/batch", encodeBody(b, map[string]any{"events": events}), http.StatusOK)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*MaxBatchEvents), "ns/event")
}

// newBenchAPI starts the API as the hub runs it, for a benchmark against
// the Redis at REDIS_URL (skipped without one): no rate limit to speak of,
// and the activity log written in batches, off the request path.
func newBenchAPI(b *testing.B) *testAPI {
	if os.Getenv("REDIS_URL") == "" {
		b.Skip("set REDIS_URL to benchmark against a real Redis")
	}
	return newTestAPI(b, func(c *Config, d *Deps) {
		c.RateLimit = 60_000_000
		w := d.Activity.(*redisstore.Store).NewActivityWriter(redisstore.ActivityWriterOptions{})
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- w.Run(ctx) }()
		b.Cleanup(func() { stop(); <-done })
		d.Activity = w
	})
}

// postParallel posts body to path from b's parallel goroutines, b.N times
// in all, and fails on any answer but want.
func postParallel(b *testing.B, a *testAPI, path string, body []byte, want int) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var o callOpts
		for pb.Next() {
			req := a.newRequest(b, http.MethodPost, path, body, o)
			res, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, res.Body) // read to the end, so the connection is reused
			res.Body.Close()
			if res.StatusCode != want {
				b.Fatalf("status %d", res.StatusCode)
			}
		}
	})
}
