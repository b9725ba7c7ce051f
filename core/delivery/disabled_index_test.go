package delivery

import (
	"context"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
)

// TestDisabledTargetsIndexFollowsEachPath: every way an endpoint is
// disabled, enabled or deleted keeps the index the disabled-targets gauge
// counts (redisstore.QueueStats) right, by cause.
func TestDisabledTargetsIndexFollowsEachPath(t *testing.T) {
	h := newHarness(t)
	e := h.start(h.options())
	ctx := context.Background()
	if _, _, err := h.store.CreateAPIKey(ctx, h.scope, "metrics", 0); err != nil { // so that QueueStats lists the scope
		t.Fatal(err)
	}
	count := func(cause string) int64 {
		t.Helper()
		st, err := h.store.QueueStats(ctx, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return st.Disabled[redisstore.DisabledKey{Kind: core.TargetEndpoint, Cause: cause}]
	}
	want := func(step string, breaker, request int64) {
		t.Helper()
		if b, r := count(redisstore.DisabledByBreaker), count(redisstore.DisabledByRequest); b != breaker || r != request {
			t.Errorf("%s: breaker %d, request %d; want %d, %d", step, b, r, breaker, request)
		}
	}
	yes := true
	ep, _ := h.endpoint(e, "https://example.com/a", func(in *core.EndpointInput) { in.Disabled = &yes })
	want("created disabled", 0, 1)
	if _, err := eps(e).EnableEndpoint(ctx, h.scope, ep.ID); err != nil {
		t.Fatal(err)
	}
	want("enabled", 0, 0)
	if err := eps(e).Disable(ctx, h.scope, ep.ID, "50 consecutive failures"); err != nil {
		t.Fatal(err)
	}
	want("tripped by the breaker", 1, 0)
	no := false
	if _, err := eps(e).UpdateEndpoint(ctx, h.scope, ep.ID, core.EndpointInput{Disabled: &no}); err != nil {
		t.Fatal(err)
	}
	want("enabled by an update", 0, 0)
	if _, err := eps(e).DisableEndpoint(ctx, h.scope, ep.ID, "maintenance"); err != nil {
		t.Fatal(err)
	}
	want("disabled by request", 0, 1)
	if err := eps(e).DeleteEndpoint(ctx, h.scope, ep.ID); err != nil {
		t.Fatal(err)
	}
	want("deleted", 0, 0)
	other, _ := h.endpoint(e, "https://example.com/b", nil)
	if _, err := eps(e).UpdateEndpoint(ctx, h.scope, other.ID, core.EndpointInput{Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	want("disabled by an update", 0, 1)
}

// TestIndexDisabledTargetsOfAnOlderRelease: targets disabled before the
// index existed are indexed once, each with the cause its reason tells.
func TestIndexDisabledTargetsOfAnOlderRelease(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	if _, _, err := h.store.CreateAPIKey(ctx, h.scope, "metrics", 0); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for i, reason := range []string{"50 consecutive failed delivery attempts", "maintenance", ""} {
		ep := &core.Endpoint{ID: "whe_old" + string(rune('a'+i)), URL: "https://example.com", EnabledEvents: []string{"*"},
			Disabled: reason != "", DisabledReason: reason, DisabledAt: &now, CreatedAt: now, UpdatedAt: now}
		if err := h.store.SaveEndpoint(ctx, h.scope, ep, []core.EndpointSecret{{Secret: "whsec_x"}}); err != nil {
			t.Fatal(err)
		}
	}
	for run := 0; run < 2; run++ { // the second is a no-op
		if err := h.store.IndexDisabledTargets(ctx, DisabledCause); err != nil {
			t.Fatal(err)
		}
	}
	st, err := h.store.QueueStats(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for cause, want := range map[string]int64{redisstore.DisabledByBreaker: 1, redisstore.DisabledByRequest: 1} {
		if got := st.Disabled[redisstore.DisabledKey{Kind: core.TargetEndpoint, Cause: cause}]; got != want {
			t.Errorf("%s: %d indexed, want %d", cause, got, want)
		}
	}
}
