package redisstore_test

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/redis/go-redis/v9"
)

func TestHealthBuckets(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	now := time.Date(2026, 5, 12, 14, 30, 20, 0, time.UTC)
	var samples []core.HealthSample
	add := func(ago time.Duration, comp string, up bool) {
		samples = append(samples, core.HealthSample{Component: comp, Label: "L " + comp, Up: up, Detail: map[bool]string{false: "refused"}[up], At: now.Add(-ago)})
	}
	// api: six checks in the current minute, all up; three in the minute
	// 10 min ago, one down.
	for i := range 6 {
		add(time.Duration(i)*3*time.Second, core.HealthAPI, true)
	}
	add(10*time.Minute, core.HealthAPI, true)
	add(10*time.Minute+time.Second, core.HealthAPI, false)
	add(10*time.Minute+2*time.Second, core.HealthAPI, true)
	// An old sample outside the hour, and a connector last seen down.
	add(90*time.Minute, core.HealthAPI, false)
	add(5*time.Second, "connector:slack", false)
	add(2*time.Second, core.HealthDelivery, true)
	for _, x := range samples { // one round per sample, as recorders would
		if err := s.RecordHealth(ctx, []core.HealthSample{x}); err != nil {
			t.Fatal(err)
		}
	}

	got, err := s.ReadHealth(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Component != core.HealthAPI || got[1].Component != "connector:slack" || got[2].Component != core.HealthDelivery {
		t.Fatalf("components = %+v", got)
	}
	api := got[0]
	if len(api.Minutes) != 60 || !api.Minutes[59].Start.Equal(now.Truncate(time.Minute)) || !api.Minutes[0].Start.Equal(now.Truncate(time.Minute).Add(-59*time.Minute)) {
		t.Fatalf("minutes: %d, first %v, last %v", len(api.Minutes), api.Minutes[0].Start, api.Minutes[59].Start)
	}
	if m := api.Minutes[59]; m.Samples != 6 || m.Up != 6 {
		t.Fatalf("current minute = %+v, want 6 of 6", m)
	}
	// 14:20:20, :19, :18 fall in 14:20 (index 49).
	if m := api.Minutes[49]; m.Samples != 3 || m.Up != 2 {
		t.Fatalf("minute 14:20 = %+v, want 2 of 3", m)
	}
	if u := api.Uptime(); u < 0.888 || u > 0.889 {
		t.Fatalf("uptime = %v, want 8/9", u)
	}
	if !api.Up || !api.LastAt.Equal(now) || api.Label != "L api" {
		t.Fatalf("api now: %+v", api)
	}
	if slack := got[1]; slack.Up || slack.Detail != "refused" {
		t.Fatalf("slack now: %+v", slack)
	}
	// Two hours on, nothing is left in the hour, and nothing is listed.
	if got, _ := s.ReadHealth(ctx, now.Add(2*time.Hour)); len(got) != 0 {
		t.Fatalf("two hours later: %+v", got)
	}
}

// Samples older than two hours are trimmed when a component is sampled.
func TestHealthTrim(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	now := time.Now().UTC()
	old := core.HealthSample{Component: core.HealthAPI, Label: "API", Up: true, At: now.Add(-3 * time.Hour)}
	if err := s.RecordHealth(ctx, []core.HealthSample{old}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordHealth(ctx, []core.HealthSample{{Component: core.HealthAPI, Label: "API", Up: true, At: now}}); err != nil {
		t.Fatal(err)
	}
	n, err := r.Client.ZCard(ctx, r.Prefix+"{health:api}:samples").Result()
	if err != nil || n != 1 {
		t.Fatalf("samples kept = %d, %v; want 1", n, err)
	}
}

// The recorder stores a round at start and then one every interval, until
// its context ends.
func TestHealthRecorder(t *testing.T) {
	s, _ := newStore(t)
	var rounds atomic.Int32
	rec := s.NewHealthRecorder(redisstore.HealthRecorderOptions{Every: 50 * time.Millisecond, Probe: func(context.Context) []core.HealthSample {
		rounds.Add(1)
		return []core.HealthSample{{Component: core.HealthDelivery, Label: "Delivery engine", Up: true, At: time.Now().UTC()}}
	}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- rec.Run(ctx) }()
	// Count what is stored, not what was probed: the round probed last may
	// still be on its way to Redis.
	stored := func() int {
		got, err := s.ReadHealth(context.Background(), time.Now())
		if err != nil || len(got) > 1 {
			t.Fatalf("ReadHealth = %+v, %v", got, err)
		}
		n := 0
		for _, c := range got {
			for _, m := range c.Minutes {
				n += m.Samples
			}
		}
		return n
	}
	n := 0
	for deadline := time.Now().Add(5 * time.Second); n < 3 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		n = stored()
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n < 3 || int32(n) > rounds.Load() {
		t.Fatalf("%d samples stored after %d rounds", n, rounds.Load())
	}
}

// OlderHubsSampled names the hubs of another layout that recorded a health
// sample lately, as a hub of an earlier release wrote it (a hub id without
// LayoutTag), and none other: not this layout's recorder, not a sample
// older than asked, not one recorded without a hub.
func TestOlderHubsSampled(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	now := time.Now()
	samples := r.Prefix + "{health:api}:samples" // doc.go's key layout
	for _, m := range []struct {
		hub string
		at  time.Time
	}{{"oldhub01", now.Add(-5 * time.Second)}, {"oldhub02", now.Add(-time.Minute)}} {
		member := fmt.Sprintf(`{"h":%q,"t":%d,"u":true}`, m.hub, m.at.UnixMilli())
		if err := r.Client.ZAdd(ctx, samples, redis.Z{Score: float64(m.at.UnixMilli()), Member: member}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RecordHealth(ctx, []core.HealthSample{{Component: core.HealthAPI, Label: "API", Up: true, At: now}}); err != nil {
		t.Fatal(err)
	}
	rec := s.NewHealthRecorder(redisstore.HealthRecorderOptions{Every: time.Hour, Probe: func(context.Context) []core.HealthSample {
		return []core.HealthSample{{Component: core.HealthAPI, Label: "API", Up: true, At: time.Now().UTC()}}
	}})
	rctx, stop := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- rec.Run(rctx) }()
	for deadline := time.Now().Add(5 * time.Second); r.Client.ZCard(ctx, samples).Val() < 4; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the recorder stored no sample in 5 s")
		}
	}
	stop()
	<-done

	older, err := s.OlderHubsSampled(ctx, 30*time.Second)
	if err != nil || !slices.Equal(older, []string{"oldhub01"}) {
		t.Errorf("OlderHubsSampled(30s) = %v, %v; want [oldhub01]: the earlier release's hub sampled 5 s ago only", older, err)
	}
	if older, err := s.OlderHubsSampled(ctx, 2*time.Minute); err != nil || len(older) != 2 {
		t.Errorf("OlderHubsSampled(2m) = %v, %v; want both hubs of the earlier release", older, err)
	}
}
