package plugins_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/bellhop/bellhop/plugins"
)

// BenchmarkDeliver measures one Deliver through a real plugin process whose
// connector does nothing: the cost of the protocol itself. It reports the
// median as p50-ns (target: at most 100 µs).
func BenchmarkDeliver(b *testing.B) {
	p, err := plugins.Open(bins["bare"])
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	ctx := context.Background()
	config := plugins.Config{"token": "xoxb-not-a-real-token", "channel": "#front-desk"}
	input := json.RawMessage(`{"text":"Reservation R-1042 created for Ada Lovelace, 2 nights"}`)
	took := make([]time.Duration, 0, b.N)
	for b.Loop() {
		start := time.Now()
		if _, err := p.Deliver(ctx, config, input); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(took[len(took)*99/100].Nanoseconds()), "p99-ns")
}
