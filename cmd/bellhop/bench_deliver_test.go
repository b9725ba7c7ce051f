package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// TestBenchDeliverSmoke runs `bellhop bench deliver` with tiny numbers on
// the real Redis of REDIS_URL: every phase prints its greppable line, the
// figures are beside the ceiling, and nothing is lost. It asserts no
// figure's size: those are for BENCHMARKS.md.
func TestBenchDeliverSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a hub and runs every phase of bench deliver for a few seconds")
	}
	url := os.Getenv("REDIS_URL")
	if url == "" {
		t.Skip("REDIS_URL is not set: bench deliver measures a real Redis only")
	}
	bin, err := buildBellhop()
	if err != nil {
		t.Fatal(err)
	}
	profile := filepath.Join(t.TempDir(), "steady.pprof")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "bench", "deliver", "--redis-url", url, "--events", "200", "--workers", "8",
		"--endpoints", "2", "--ceiling-requests", "400", "--duration", "1s", "--rate", "100", "--steady", "50",
		"--cpu-profile", profile, "--profile-phase", "steady", "--profile-seconds", "1")
	cmd.SysProcAttr = childProcAttr()
	var out syncBuffer
	cmd.Stdout = &out
	err = cmd.Run()
	t.Logf("bellhop bench deliver:\n%s", out.String())
	if err != nil {
		t.Fatalf("bench deliver failed: %v", err)
	}
	for _, want := range []string{
		`(?m)^ceiling: 400 signed POSTs from 8 senders in .*: [0-9,]+ requests/s, [0-9.]+ s CPU per 1,000 .*; 0 errors\)$`,
		`(?m)^throughput: 200 events × 2 endpoints = 400 deliveries in .*: [0-9,]+ deliveries/s = [0-9.]+ × ceiling [0-9,]+/s \(0 publish errors, 0 lost, `,
		`(?m)^throughput cpu per 1,000 deliveries: hub [0-9.]+ s, Redis [0-9.]+ s, hub\+Redis [0-9.]+ s = [0-9.]+ × ceiling `,
		`(?m)^throughput redis memory: used_memory [-+][0-9,]+ bytes = -?[0-9,]+ bytes/delivery; keys under the prefix \+[0-9,]+ bytes = [0-9,]+ bytes/delivery$`,
		`(?m)^  \(read after 400 attempts were recorded`,
		`(?m)^latency at 100 events/s: publish-to-receipt p50 .*, p99 .* over \d+ deliveries \(0 publish errors, 0 lost\)$`,
		`(?m)^steady at 50 events/s: publish-to-receipt p50 .*, p99 .* over \d+ deliveries \(0 publish errors, 0 lost\)$`,
		`(?m)^steady cpu per 1,000 deliveries: hub [0-9.]+ s`,
		`(?m)^throughput redis commands per 1,000 deliveries: [0-9,]+, of which [0-9,]+ scripts .*; [0-9,]+ bytes sent to Redis a delivery$`,
		`(?m)^cpu profile of hub 1: 1s of the steady phase in .*steady\.pprof `,
		`(?m)^hub peak rss: [0-9.]+ MB$`,
	} {
		if !regexp.MustCompile(want).MatchString(out.String()) {
			t.Errorf("the output does not match %s", want)
		}
	}
	if fi, err := os.Stat(profile); err != nil || fi.Size() == 0 {
		t.Errorf("the steady phase's profile: %v, %v", fi, err)
	}
}
