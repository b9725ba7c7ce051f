package redisstore_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkAppendEvent measures one publish's storage step against the Redis
// redistest picks (the real one at REDIS_URL when it answers). "serial" is
// one caller's latency; "parallel" is throughput with GOMAXPROCS×8 callers,
// as many concurrent API requests would give. publishes/s is reported.
func BenchmarkAppendEvent(b *testing.B) {
	ctx := context.Background()
	s, r := newStore(b)
	b.Logf("real Redis: %v", r.Real)
	scope := newScope(b, s)
	var n atomic.Int64
	next := func() string { return fmt.Sprint("evt_bench", n.Add(1)) }
	report := func(b *testing.B, start time.Time) {
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "publishes/s")
	}
	b.Run("serial", func(b *testing.B) {
		start := time.Now()
		for b.Loop() {
			if _, _, err := s.AppendEvent(ctx, scope, testEvent(next(), "reservation.created", "prop_1", time.Now())); err != nil {
				b.Fatal(err)
			}
		}
		report(b, start)
	})
	b.Run("parallel", func(b *testing.B) {
		b.SetParallelism(8)
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, _, err := s.AppendEvent(ctx, scope, testEvent(next(), "reservation.created", "prop_1", time.Now())); err != nil {
					b.Error(err)
					return
				}
			}
		})
		report(b, start)
	})
}
