package redisstore_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/redis/go-redis/v9"
)

// BenchmarkDeliveryScripts runs what Redis does for one delivery to an
// endpoint that answers its first attempt: the dispatcher's create script
// and the worker's FinishAttempt, one after the other. Beside ns/op it
// reports Redis's own CPU (INFO cpu), commands (scripts' included) and
// the bytes sent to it, per delivery: on a Redis of the benchmark's own
// (REDIS_URL=redis://127.0.0.1:6390/0 on a redis-server started for it),
// figures that do not depend on the HTTP around them (BENCHMARKS.md).
func BenchmarkDeliveryScripts(b *testing.B) {
	ctx := context.Background()
	s, r := newStore(b)
	if !r.Real {
		b.Skip("measures a real Redis's CPU; set REDIS_URL")
	}
	scope := newScope(b, s)
	payload := []byte(`{"id":"evt_bench","object":"event","type":"bench.event","created":1796213098,"data":{"object":{"reservation_id":"res_4fJ8kQ2m","guest":"Ada Lovelace","room":"412","nights":3,"total":"389.00 EUR"}}}`)
	before := redisCounters(b, r.Client)
	i := 0
	for b.Loop() {
		i++
		d := &core.Delivery{ID: fmt.Sprintf("whd_%024x", i), EventID: "evt_bench" + strconv.Itoa(i), EventType: "bench.event",
			Target: core.Target{Kind: core.TargetEndpoint, ID: "whe_ad21a397ac1e9afce6513945"}}
		if _, err := s.CreateDeliveries(ctx, scope, []*core.Delivery{d}, payload, "", "", time.Hour); err != nil {
			b.Fatal(err)
		}
		a := &core.Attempt{ID: "req_f8094e5542037f3cd96b2833", Number: 1, URL: "http://127.0.0.1:34041/ep/0",
			RequestHeaders: http.Header{
				"Bellhop-Signature": {"t=1796213098,v1=578e48c1af2a00d606523bac33ae23af22acb377858a4e20924ea85579426392"},
				"Webhook-Id":        {d.EventID}, "Webhook-Timestamp": {"1796213098"},
				"Webhook-Signature": {"v1,W0IROW+lyugNax40uiM8HhnFR/p4V4205ReuWDMI76Q="},
				"Content-Type":      {"application/json"}, "User-Agent": {"Bellhop/dev"},
			},
			ResponseStatus: 200, ResponseHeaders: http.Header{"Date": {"Wed, 02 Dec 2026 12:04:58 GMT"}, "Content-Length": {"0"}},
			Outcome: core.StatusSucceeded, LatencyMS: 1.571, CreatedAt: time.Now()}
		rec := redisstore.AttemptRecord{Attempt: a, Status: core.StatusSucceeded, Counted: true, Succeeded: true, Retention: time.Hour, LatencyBkt: 1}
		if _, err := s.FinishAttempt(ctx, scope, d, rec); err != nil {
			b.Fatal(err)
		}
	}
	after := redisCounters(b, r.Client)
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
