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
	if os.Getenv("REDIS_URL") == "" {
		b.Skip("set REDIS_URL to benchmark against a real Redis")
	}
	a := newTestAPI(b, func(c *Config, d *Deps) {
		c.RateLimit = 60_000_000
		// As in the hub: the activity log written in batches, off the request path.
		w := d.Activity.(*redisstore.Store).NewActivityWriter(redisstore.ActivityWriterOptions{})
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- w.Run(ctx) }()
		b.Cleanup(func() { stop(); <-done })
		d.Activity = w
	})
	body := encodeBody(b, a.sampleEvent(b, "reservation.created"))
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.ReportAllocs()
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var o callOpts
		for pb.Next() {
			req := a.newRequest(b, http.MethodPost, "/v1/events", body, o)
			res, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, res.Body) // read to the end, so the connection is reused
			res.Body.Close()
			if res.StatusCode != http.StatusCreated {
				b.Fatalf("status %d", res.StatusCode)
			}
		}
	})
}
