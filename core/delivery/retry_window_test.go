package delivery

import (
	"context"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
)

// TestTargetLogOutlivesRetries holds that the deliveries the dispatcher
// and a replay make carry their target's retry window, so that its log
// keeps them while that target's schedule may still attempt them: the
// endpoint's own schedule, unless the server's is forced on every target.
func TestTargetLogOutlivesRetries(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name        string
		force       bool
		least, most time.Duration // of the log's expiry: the retention (1 h), the schedule's waits at a Retry-After's longest (1 h) or more, an hour late
	}{
		{"the endpoint's schedule", false, 9*time.Hour - time.Minute, 9 * time.Hour},      // 1 h, 1 h (not 30 min), 6 h, 1 h
		{"the server's schedule, forced", true, 4*time.Hour - time.Minute, 4 * time.Hour}, // 1 h, 1 h and 1 h (not 50 and 100 ms), 1 h
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			opts := h.options()
			opts.ForceSchedule, opts.Retention = tc.force, time.Hour
			e := h.start(opts)
			rc := newReceiver(t, nil)
			ep, _ := h.endpoint(e, rc.URL, func(in *core.EndpointInput) {
				in.RetrySchedule = &core.RetrySchedule{Delays: []time.Duration{0, 30 * time.Minute, 6 * time.Hour}}
			})
			logKey := h.r.Prefix + "{" + h.scope.AccountID + "}:test:t:" + ep.ID + ":log"
			ev := h.publish(h.scope, "reservation.created", 1)
			eventually(t, "the event's delivery", func() bool { return rc.count() == 1 })
			ttl := h.r.Client.PTTL(ctx, logKey).Val()
			if ttl < tc.least || ttl > tc.most {
				t.Errorf("after a dispatch the log expires in %v, want between %v and %v", ttl, tc.least, tc.most)
			}
			h.r.Client.Del(ctx, logKey)
			if _, err := e.ReplayEvent(ctx, h.scope, core.Target{Kind: core.TargetEndpoint, ID: ep.ID}, ev.ID); err != nil {
				t.Fatal(err)
			}
			if ttl := h.r.Client.PTTL(ctx, logKey).Val(); ttl < tc.least || ttl > tc.most {
				t.Errorf("after a replay the log expires in %v, want between %v and %v", ttl, tc.least, tc.most)
			}
		})
	}
}

// TestRetryWindowIsBounded holds that a custom schedule of long waits keeps
// its deliveries in their target's log for at most a week beyond the
// retention, while a short one keeps them as long as it may retry.
func TestRetryWindowIsBounded(t *testing.T) {
	week := make([]time.Duration, core.MaxRetryAttempts)
	for i := range week {
		week[i] = 168 * time.Hour
	}
	e := &Engine{opts: Options{Schedule: []time.Duration{0, time.Minute}}}
	for _, tc := range []struct {
		name string
		own  []time.Duration
		want time.Duration
	}{
		{"the server's schedule", nil, 2 * time.Hour},                                 // an hour's Retry-After, an hour late
		{"a short custom schedule", []time.Duration{0, 5 * time.Hour}, 6 * time.Hour}, // 5 h, an hour late
		{"twenty waits of a week", week, maxRetryWindow},                              // 19 weeks, were it not bounded
	} {
		if got := e.retryWindow(tc.own); got != tc.want {
			t.Errorf("%s: retry window %v, want %v", tc.name, got, tc.want)
		}
	}
}
