package sheets_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/bellhop/bellhop/connectors/sheets"
	"github.com/bellhop/bellhop/connectors/sheets/sheetsfake"
)

// BenchmarkDeliver appends one row per delivery to the fake in process, one
// delivery at a time, with the write budget lifted.
func BenchmarkDeliver(b *testing.B) {
	fake := sheetsfake.New(b)
	c := sheets.NewWithLimit(slog.New(slog.NewTextHandler(io.Discard, nil)), time.Nanosecond, 1<<30)
	in, cfg := json.RawMessage(sampleInput), config(fake)
	b.ReportAllocs()
	for b.Loop() {
		if res, err := c.Deliver(context.Background(), cfg, in); err != nil || res.Outcome != "delivered" {
			b.Fatalf("Deliver = %+v, %v", res, err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
}

// BenchmarkDeliverParallel sends deliveries from many goroutines under the
// real 60-writes-a-minute budget's shape (scaled to a write every 10 ms), so
// the figure shows what coalescing buys.
func BenchmarkDeliverParallel(b *testing.B) {
	fake := sheetsfake.New(b)
	c := sheets.NewWithLimit(slog.New(slog.NewTextHandler(io.Discard, nil)), 10*time.Millisecond, 1)
	in, cfg := json.RawMessage(sampleInput), config(fake)
	b.SetParallelism(64)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if res, err := c.Deliver(context.Background(), cfg, in); err != nil || res.Outcome != "delivered" {
				b.Errorf("Deliver = %+v, %v", res, err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
	b.ReportMetric(float64(fake.Appends()), "appends")
}
