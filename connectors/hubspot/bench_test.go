package hubspot_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/bellhop/bellhop/connectors/hubspot"
	"github.com/bellhop/bellhop/connectors/hubspot/hubspotfake"
)

// BenchmarkDeliver upserts a contact and writes a note (two requests) to the
// fake in process, with both rate limits lifted.
func BenchmarkDeliver(b *testing.B) {
	fake := hubspotfake.New(b)
	fake.Max = 0
	c := hubspot.NewWithLimit(slog.New(slog.NewTextHandler(io.Discard, nil)), time.Nanosecond, 1<<30)
	in := json.RawMessage(sampleInput)
	b.ReportAllocs()
	for b.Loop() {
		if res, err := c.Deliver(context.Background(), config(fake), in); err != nil || res.Outcome != "delivered" {
			b.Fatalf("Deliver = %+v, %v", res, err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
}
