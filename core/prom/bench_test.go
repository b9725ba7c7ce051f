package prom

import (
	"context"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/delivery"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// BenchmarkAttempted is what the delivery engine pays per attempt for its
// metrics: one Observer call, on children resolved when New ran.
func BenchmarkAttempted(b *testing.B) {
	m := New(Options{})
	a := delivery.AttemptSeen{Target: core.Target{Kind: core.TargetEndpoint, ID: "whe_1"}, Outcome: delivery.AttemptSucceeded, Status: 200, Took: 3 * time.Millisecond, Number: 1, FirstLag: time.Millisecond}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.Attempted(a)
		}
	})
}

// BenchmarkRedisHook is what one Redis command or pipeline pays for its
// timing, around a command that does nothing.
func BenchmarkRedisHook(b *testing.B) {
	h := &redisHook{
		took: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "t", Buckets: prometheus.DefBuckets}, []string{"command"}),
		errs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "e"}, []string{"command"}),
	}
	process := h.ProcessHook(func(context.Context, redis.Cmder) error { return nil })
	ctx := context.Background()
	cmd := redis.NewStatusCmd(ctx, "evalsha", "abc", 1, "k")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_ = process(ctx, cmd)
		}
	})
}
