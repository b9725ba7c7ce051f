package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
)

// BenchmarkActivityMemory records 10,000 publishes through the activity
// writer, as the hub does, and reports the Redis memory their records
// take (MEMORY USAGE of every activity key of the account, exact) per
// request. Run it once: go test ./core/redisstore/ -run '^$' -bench
// ActivityMemory -benchtime 1x.
func BenchmarkActivityMemory(b *testing.B) {
	const requests = 10_000
	ctx := context.Background()
	s, r := newStore(b)
	if !r.Real {
		b.Skip("the embedded Redis does not account memory; set REDIS_URL")
	}
	for b.Loop() {
		scope := newScope(b, s)
		w := s.NewActivityWriter(redisstore.ActivityWriterOptions{Buffer: requests})
		start := time.Now()
		for i := range requests {
			at := start.Add(time.Duration(i) * 100 * time.Microsecond) // 10,000 requests a second
			w.RecordActivity(ctx, scope, &core.Activity{
				ID: core.NewRequestID(at), Method: "POST", Path: "/v1/events", Status: 201,
				KeyID: "key_5mXq2LrT8vNw3ZpK9bYc4HdJ", LatencyMS: float64(800+i%3000) / 1000,
				ClientIP: "10.20.30.40", CreatedAt: at.UTC(),
			})
		}
		wctx, stop := context.WithCancel(ctx)
		stop() // Run writes the queue, then returns
		w.Run(wctx)
		if d := w.Dropped(); d != 0 {
			b.Fatalf("%d entries dropped", d)
		}
		keys, err := r.Client.Keys(ctx, r.Prefix+"{"+scope.AccountID+"}:*activity*").Result()
		if err != nil {
			b.Fatal(err)
		}
		var bytes int64
		for _, k := range keys {
			n, err := r.Client.MemoryUsage(ctx, k, 0).Result()
			if err != nil {
				b.Fatal(err)
			}
			bytes += n
		}
		b.ReportMetric(float64(bytes)/requests, "B/request")
	}
}
