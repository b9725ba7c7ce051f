package transform_test

import (
	"context"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/catalog"
	"github.com/bellhop/bellhop/core/transform"
	"github.com/bellhop/bellhop/scripts"
)

func slackSetup(b *testing.B) (*transform.Engine, *transform.Program, transform.Input) {
	b.Helper()
	src, err := scripts.Read("slack/default.js")
	if err != nil {
		b.Fatal(err)
	}
	p, err := transform.Compile("slack/default.js", src)
	if err != nil {
		b.Fatal(err)
	}
	cat, err := catalog.New(nil)
	if err != nil {
		b.Fatal(err)
	}
	var ev *core.Event
	for _, t := range cat.Shipped() {
		if t.Type == "reservation.created" {
			ev = catalog.SampleEvent(t, core.Scope{AccountID: "acct_bench"}, time.Now())
		}
	}
	e := transform.New(transform.Options{Timeout: time.Second})
	b.Cleanup(e.Close)
	return e, p, transform.Input{Event: ev, Target: core.Target{Kind: "connection", ID: "conn_1"}, Attempt: 1}
}

// BenchmarkSlackDefault runs the shipped Slack script on the catalog's
// reservation.created sample, JSON in (the envelope marshalled and parsed)
// and out. Target: ≤ 25 µs/op on one core (-cpu 1).
func BenchmarkSlackDefault(b *testing.B) {
	e, p, in := slackSetup(b)
	ctx := context.Background()
	b.ReportAllocs()
	start := cpuTime(b)
	for b.Loop() {
		if _, err := e.Run(ctx, p, in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime(b)-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// cpuTime is the process's user+system CPU time so far. On a machine shared
// with other work, wall-clock ns/op counts the time other processes held the
// cores; cpu-ns/op (with -cpu 1) is what one run costs this process,
// collector included.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSlackDefaultParallel is the same on every core at once.
func BenchmarkSlackDefaultParallel(b *testing.B) {
	e, p, in := slackSetup(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := e.Run(ctx, p, in); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkSlackMillionRuns runs the script a million times and reports the
// live heap before and after (after a GC), to show the hub's memory does not
// grow with the number of runs. Run with -benchtime 1x.
func BenchmarkSlackMillionRuns(b *testing.B) {
	if testing.Short() {
		b.Skip("a million runs")
	}
	e, p, in := slackSetup(b)
	ctx := context.Background()
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	for b.Loop() {
		for i := 0; i < 1000; i++ { // warm the pool and caches
			e.Run(ctx, p, in)
		}
		before := heap()
		for i := 0; i < 1_000_000; i++ {
			if _, err := e.Run(ctx, p, in); err != nil {
				b.Fatal(err)
			}
		}
		after := heap()
		b.ReportMetric(float64(before)/(1<<20), "heap-before-MiB")
		b.ReportMetric(float64(after)/(1<<20), "heap-after-MiB")
	}
}
