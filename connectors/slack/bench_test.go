package slack_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/bellhop/bellhop/connectors/slack"
	"github.com/bellhop/bellhop/connectors/slack/slackfake"
)

// BenchmarkDeliver posts to the fake in process, with the per-channel pace
// lifted, to measure the connector's own cost per delivery.
func BenchmarkDeliver(b *testing.B) {
	fake := slackfake.New(b)
	c := slack.NewWithLimit(slog.New(slog.NewTextHandler(io.Discard, nil)), time.Nanosecond, 1<<30)
	cfg := tokenConfig(fake, "C0GENERAL")
	in := json.RawMessage(sampleInput)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if res, err := c.Deliver(context.Background(), cfg, in); err != nil || res.Outcome != "delivered" {
			b.Fatalf("Deliver = %+v, %v", res, err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
}
