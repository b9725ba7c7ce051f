package redisstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
)

// TestFinishAttemptHealth checks what FinishAttempt tells the breaker: the
// run of failures always, the 5-minute window only after a failed attempt
// (the only time the breaker reads it), and Stale for an attempt recorded
// twice.
func TestFinishAttemptHealth(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	scope := newScope(t, s)
	target := core.Target{Kind: core.TargetEndpoint, ID: "ep_health"}
	steps := []struct {
		name      string
		succeeded bool
		is5xx     bool
		want      redisstore.Health
	}{
		{"first 5xx", false, true, redisstore.Health{Consecutive: 1, Window: 1, Window5xx: 1}},
		{"second 5xx", false, true, redisstore.Health{Consecutive: 2, Window: 2, Window5xx: 2}},
		{"success resets the run, no window read", true, false, redisstore.Health{}},
		{"timeout counts in the window, not as 5xx", false, false, redisstore.Health{Consecutive: 1, Window: 4, Window5xx: 2}},
	}
	for i, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			d := &core.Delivery{ID: fmt.Sprintf("whd_health%d", i), EventID: "evt_1", Target: target}
			if _, err := s.CreateDeliveries(ctx, scope, []*core.Delivery{d}, []byte(`{}`), "", "", time.Hour); err != nil {
				t.Fatalf("CreateDeliveries: %v", err)
			}
			rec := redisstore.AttemptRecord{
				Attempt: &core.Attempt{Number: 1}, Status: core.StatusFailed, Counted: true,
				Succeeded: st.succeeded, Is5xx: st.is5xx, FailCode: "500", Retention: time.Hour,
			}
			if st.succeeded {
				rec.Status = core.StatusSucceeded
			}
			got, err := s.FinishAttempt(ctx, scope, d, rec)
			if err != nil {
				t.Fatalf("FinishAttempt: %v", err)
			}
			if got != st.want {
				t.Errorf("health = %+v, want %+v", got, st.want)
			}
			again, err := s.FinishAttempt(ctx, scope, d, rec) // d.AttemptCount is stale now
			if err != nil || !again.Stale {
				t.Errorf("second record = %+v, %v; want Stale", again, err)
			}
		})
	}
}

// TestBreakerWindowSumsFiveMinutes: a failed attempt's window counts the
// target's attempts of this minute and the four before it, and nothing
// older.
func TestBreakerWindowSumsFiveMinutes(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	scope := newScope(t, s)
	target := core.Target{Kind: core.TargetEndpoint, ID: "ep_window"}
	now := time.Now().Unix() / 60
	// Two minutes back stays inside the window and six stays outside it even
	// if the minute turns before the attempt is recorded.
	for back, counts := range map[int64][]any{2: {"n", 3, "e5", 1}, 6: {"n", 50, "e5", 50}} {
		if err := r.Client.HSet(ctx, s.TargetMinuteKeyForTest(scope, target.ID, now-back), counts...).Err(); err != nil {
			t.Fatal(err)
		}
	}
	d := &core.Delivery{ID: "whd_window", EventID: "evt_1", Target: target}
	if _, err := s.CreateDeliveries(ctx, scope, []*core.Delivery{d}, []byte(`{}`), "", "", time.Hour); err != nil {
		t.Fatalf("CreateDeliveries: %v", err)
	}
	got, err := s.FinishAttempt(ctx, scope, d, redisstore.AttemptRecord{
		Attempt: &core.Attempt{Number: 1}, Status: core.StatusFailed, Counted: true, Is5xx: true, FailCode: "500", Retention: time.Hour,
	})
	if want := (redisstore.Health{Consecutive: 1, Window: 4, Window5xx: 2}); err != nil || got != want {
		t.Errorf("health = %+v, %v; want %+v", got, err, want)
	}
}

// TestFinishSendsThePartsWhenAsked: a packed ended record goes to the
// finish script without the head and last attempt it holds; when the
// attempts the script finds differ from those it was packed with (they
// changed after they were read), the script asks for the parts and joins
// the record itself, unpacked, with the attempts it has.
func TestFinishSendsThePartsWhenAsked(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	scope := newScope(t, s)
	d := &core.Delivery{ID: "whd_parts", EventID: "evt_parts", EventType: "guest.updated",
		Target: core.Target{Kind: core.TargetEndpoint, ID: "whe_parts"}}
	if _, err := s.CreateDeliveries(ctx, scope, []*core.Delivery{d}, []byte(`{}`), "", "", time.Hour); err != nil {
		t.Fatal(err)
	}
	// Packed as if the delivery had had an earlier attempt: it has none.
	earlier := `{"v":2,"i":"req_earlier","n":1}`
	stale := func(_ context.Context, _ core.Scope, _ *core.Delivery, head, last []byte) ([]byte, []string) {
		return redisstore.PackEndedForTest([]byte(string(head) + "\n" + earlier + "\n" + string(last))), []string{earlier}
	}
	a := &core.Attempt{ID: "req_parts", Number: 1, URL: "https://example.com", ResponseStatus: 200, Outcome: core.StatusSucceeded}
	rec := redisstore.AttemptRecord{Attempt: a, Status: core.StatusSucceeded, Counted: true, Succeeded: true, Retention: time.Hour}
	if h, err := s.FinishAttemptPackingForTest(ctx, scope, d, rec, stale); err != nil || h.Stale {
		t.Fatalf("FinishAttempt = %+v, %v", h, err)
	}
	raw := r.Client.Get(ctx, r.Prefix+"{"+scope.AccountID+"}:test:dlv:whd_parts").Val()
	if !strings.HasPrefix(raw, "{") || strings.Count(raw, "\n") != 1 || !strings.Contains(raw, "req_parts") || strings.Contains(raw, "req_earlier") {
		t.Fatalf("ended record = %q, want the head and the one attempt, joined by the script", raw)
	}
	got, err := s.FindDelivery(ctx, scope, d.ID)
	if err != nil || got.Status != core.StatusSucceeded || len(got.Attempts) != 1 || got.Attempts[0].ID != "req_parts" {
		t.Errorf("FindDelivery = %+v, %v", got, err)
	}
}
