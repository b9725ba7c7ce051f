package redisstore_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/redis/go-redis/v9"
)

// BenchmarkDeliveryScripts runs what Redis does for one delivery to an
// endpoint that answers its first attempt: the dispatcher's create script
// and the worker's FinishAttempt. Beside ns/op it reports Redis's own CPU
// (INFO cpu), commands (scripts' included) and the bytes sent to it, per
// delivery: on a Redis of the benchmark's own (REDIS_URL pointing at a
// redis-server started for it), figures that do not depend on the HTTP
// around them (BENCHMARKS.md).
func BenchmarkDeliveryScripts(b *testing.B) {
	ctx := context.Background()
	s, r := newStore(b)
	if !r.Real {
		b.Skip("measures a real Redis's CPU; set REDIS_URL")
	}
	scope := newScope(b, s)
	var n atomic.Int64
	deliver := func(b *testing.B) {
		i := n.Add(1)
		d := &core.Delivery{ID: fmt.Sprintf("whd_%024x", i), EventID: "evt_bench" + strconv.FormatInt(i, 10), EventType: "bench.event",
			Target: core.Target{Kind: core.TargetEndpoint, ID: "whe_ad21a397ac1e9afce6513945"}}
		if _, err := s.CreateDeliveries(ctx, scope, []*core.Delivery{d}, benchPayload, "", "", time.Hour); err != nil {
			b.Error(err)
			return
		}
		if _, err := s.FinishAttempt(ctx, scope, d, benchAttempt(d.EventID)); err != nil {
			b.Error(err)
		}
	}
	// serial: one delivery after another, each script a round trip of its
	// own; parallel: 16 at once, as a loaded hub sends them, batched by
	// the hot client's pipeliner, so Redis's own work shows more than its
	// wake-ups.
	b.Run("serial", func(b *testing.B) {
		before := redisCounters(b, r.Client)
		for b.Loop() {
			deliver(b)
		}
		reportRedis(b, before, redisCounters(b, r.Client))
	})
	b.Run("parallel", func(b *testing.B) {
		b.SetParallelism(8)
		before := redisCounters(b, r.Client)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				deliver(b)
			}
		})
		reportRedis(b, before, redisCounters(b, r.Client))
	})
}

var benchPayload = []byte(`{"id":"evt_bench","object":"event","type":"bench.event","created":1796213098,"data":{"object":{"reservation_id":"res_4fJ8kQ2m","guest":"Ada Lovelace","room":"412","nights":3,"total":"389.00 EUR"}}}`)

// benchAttempt is a plain webhook's first attempt, answered 200.
func benchAttempt(eventID string) redisstore.AttemptRecord {
	a := &core.Attempt{ID: "req_f8094e5542037f3cd96b2833", Number: 1, URL: "http://127.0.0.1:34041/ep/0",
		RequestHeaders: http.Header{
			"Bellhop-Signature": {"t=1796213098,v1=578e48c1af2a00d606523bac33ae23af22acb377858a4e20924ea85579426392"},
			"Webhook-Id":        {eventID}, "Webhook-Timestamp": {"1796213098"},
			"Webhook-Signature": {"v1,W0IROW+lyugNax40uiM8HhnFR/p4V4205ReuWDMI76Q="},
			"Content-Type":      {"application/json"}, "User-Agent": {"Bellhop/dev"},
		},
		ResponseStatus: 200, ResponseHeaders: http.Header{"Date": {"Wed, 02 Dec 2026 12:04:58 GMT"}, "Content-Length": {"0"}},
		Outcome: core.StatusSucceeded, LatencyMS: 1.571, CreatedAt: time.Now()}
	return redisstore.AttemptRecord{Attempt: a, Status: core.StatusSucceeded, Counted: true, Succeeded: true, Retention: time.Hour, LatencyBkt: 1}
}

// reportRedis reports Redis's CPU, commands and bytes received per
// delivery between two readings.
func reportRedis(b *testing.B, before, after counters) {
	n := float64(b.N)
	b.ReportMetric((after.cpu-before.cpu).Seconds()*1e6/n, "redis-µs/op")
	b.ReportMetric(float64(after.commands-before.commands)/n, "commands/op")
	b.ReportMetric(float64(after.bytesIn-before.bytesIn)/n, "bytes-in/op")
}

type counters struct {
	cpu               time.Duration
	commands, bytesIn int64
}

// redisCounters reads Redis's CPU time, commands and bytes received so far.
func redisCounters(b *testing.B, c redis.UniversalClient) counters {
	info, err := c.Info(context.Background(), "cpu", "stats").Result()
	if err != nil {
		b.Fatal(err)
	}
	field := func(key string) float64 {
		for _, line := range strings.Split(info, "\n") {
			if k, v, ok := strings.Cut(strings.TrimSpace(line), ":"); ok && k == key {
				f, _ := strconv.ParseFloat(v, 64)
				return f
			}
		}
		b.Fatalf("INFO has no %s", key)
		return 0
	}
	return counters{
		cpu:      time.Duration((field("used_cpu_user") + field("used_cpu_sys")) * float64(time.Second)),
		commands: int64(field("total_commands_processed")), bytesIn: int64(field("total_net_input_bytes")),
	}
}
