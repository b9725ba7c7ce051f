package api

import (
	"context"
	"io"
	"net/http"
	"os"
	"testing"

	"github.com/bellhop/bellhop/core/redisstore"
)

// BenchmarkPublishEventBatch publishes batches of 500 reservation.created
// through the full HTTP stack, as BenchmarkPublishEvent does one event, and
// reports the time per event (ns/event) next to the time per request.
func BenchmarkPublishEventBatch(b *testing.B) {
	if os.Getenv("REDIS_URL") == "" {
		b.Skip("set REDIS_URL to benchmark against a real Redis")
	}
	a := newTestAPI(b, func(c *Config, d *Deps) {
		c.RateLimit = 60_000_000
		w := d.Activity.(*redisstore.Store).NewActivityWriter(redisstore.ActivityWriterOptions{})
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- w.Run(ctx) }()
		b.Cleanup(func() { stop(); <-done })
		d.Activity = w
	})
	events := make([]any, MaxBatchEvents)
	for i := range events {
		events[i] = a.sampleEvent(b, "reservation.created")
	}
	body := encodeBody(b, map[string]any{"events": events})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var o callOpts
		for pb.Next() {
			req := a.newRequest(b, http.MethodPost, "/v1/events/batch", body, o)
			res, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, res.Body) // read to the end, so the connection is reused
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				b.Fatalf("status %d", res.StatusCode)
			}
		}
	})
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*MaxBatchEvents), "ns/event")
}
