package delivery

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/signature"
)

func TestDeliversSignedEventsOnce(t *testing.T) {
	h := newHarness(t)
	e := h.start(h.options())
	rc := newReceiver(t, nil)
	ep, secret := h.endpoint(e, rc.URL, nil)
	want := map[string]bool{}
	for i := range 5 {
		want[h.publish(h.scope, "reservation.created", i).ID] = true
	}
	eventually(t, "5 deliveries", func() bool { return rc.count() >= 5 })
	for _, got := range rc.received() {
		if !want[got.event.ID] {
			t.Errorf("got unexpected event %s", got.event.ID)
		}
		if err := signature.Verify(secret, got.header.Get("Bellhop-Signature"), got.body, 5*time.Minute); err != nil {
			t.Errorf("signature of %s: %v", got.event.ID, err)
		}
		if got, want := got.header.Get("Bellhop-Event-Id"), got.event.ID; got != want {
			t.Errorf("Bellhop-Event-Id = %q, want %q", got, want)
		}
		if got.header.Get("Bellhop-Request-Id") == "" || got.header.Get("webhook-signature") == "" {
			t.Errorf("missing request id or Standard Webhooks signature: %v", got.header)
		}
	}
	eventually(t, "all succeeded", func() bool {
		ds := h.deliveries(e, ep.ID)
		for _, d := range ds {
			if d.Status != core.StatusSucceeded {
				return false
			}
		}
		return len(ds) == 5
	})
	d, err := e.FindDelivery(context.Background(), h.scope, h.deliveries(e, ep.ID)[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Attempts) != 1 || d.Attempts[0].ResponseStatus != 200 || d.Attempts[0].Outcome != "succeeded" {
		t.Errorf("attempts = %+v, want one 200 succeeded", d.Attempts)
	}
	if strings.Contains(strings.ToLower(strings.Join(flatten(d.Attempts[0].RequestHeaders), " ")), secret) {
		t.Error("the attempt log holds the endpoint secret")
	}
	if got := rc.count(); got != 5 {
		t.Errorf("receiver got %d requests, want 5", got)
	}
}

func flatten(h http.Header) []string {
	var out []string
	for k, vs := range h {
		out = append(out, k+": "+strings.Join(vs, ","))
	}
	return out
}

func TestClassification(t *testing.T) {
	h := newHarness(t)
	e := h.start(h.options())
	tests := []struct {
		name         string
		status       int
		wantStatus   string
		wantAttempts int
	}{
		{"200 succeeds", 200, core.StatusSucceeded, 1},
		{"204 succeeds", 204, core.StatusSucceeded, 1},
		{"302 is not followed and fails", 302, core.StatusFailed, 1},
		{"400 fails for good", 400, core.StatusFailed, 1},
		{"410 fails for good", 410, core.StatusFailed, 1},
		{"408 retries", 408, core.StatusFailed, 3},
		{"429 retries", 429, core.StatusFailed, 3},
		{"500 retries", 500, core.StatusFailed, 3},
		{"503 retries", 503, core.StatusFailed, 3},
		{"connection refused retries", -1, core.StatusFailed, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newReceiver(t, func(int, *http.Request) (int, http.Header) {
				return tt.status, http.Header{"Location": {"http://127.0.0.1:1/elsewhere"}}
			})
			url := rc.URL
			if tt.status < 0 {
				rc.Close() // nothing listens there any more
			}
			ep, _ := h.endpoint(e, url, func(in *core.EndpointInput) { in.EnabledEvents = []string{"test." + randomID("")[:8]} })
			h.publish(h.scope, ep.EnabledEvents[0], 0)
			var d *core.Delivery
			eventually(t, "the delivery to end", func() bool {
				ds := h.deliveries(e, ep.ID)
				if len(ds) == 1 && ds[0].Status != core.StatusPending {
					d, _ = e.FindDelivery(context.Background(), h.scope, ds[0].ID)
				}
				return d != nil
			})
			if d.Status != tt.wantStatus || len(d.Attempts) != tt.wantAttempts {
				t.Errorf("status %s after %d attempts, want %s after %d", d.Status, len(d.Attempts), tt.wantStatus, tt.wantAttempts)
			}
		})
	}
}

func TestRetryAfterAndSchedule(t *testing.T) {
	h := newHarness(t)
	opts := h.options()
	opts.Schedule = []time.Duration{0, 300 * time.Millisecond, 300 * time.Millisecond}
	e := h.start(opts)
	rc := newReceiver(t, func(n int, _ *http.Request) (int, http.Header) {
		if n == 1 {
			return 429, http.Header{"Retry-After": {"2"}}
		}
		if n == 2 {
			return 500, nil
		}
		return 200, nil
	})
	ep, _ := h.endpoint(e, rc.URL, nil)
	h.publish(h.scope, "reservation.created", 0)
	var d *core.Delivery
	eventually(t, "success", func() bool {
		ds := h.deliveries(e, ep.ID)
		if len(ds) == 1 && ds[0].Status == core.StatusSucceeded {
			d, _ = e.FindDelivery(context.Background(), h.scope, ds[0].ID)
		}
		return d != nil
	})
	if len(d.Attempts) != 3 {
		t.Fatalf("%d attempts, want 3", len(d.Attempts))
	}
	a1, a2, a3 := d.Attempts[0], d.Attempts[1], d.Attempts[2]
	if a1.NextRetryAt == nil || a1.NextRetryAt.Sub(a1.CreatedAt) < 2*time.Second {
		t.Errorf("after a 429 with Retry-After: 2 the next retry is at %v, want ≥2s after %v", a1.NextRetryAt, a1.CreatedAt)
	}
	if a2.NextRetryAt == nil || a2.NextRetryAt.Sub(a2.CreatedAt) != 300*time.Millisecond {
		t.Errorf("after a 500 the next retry is at %v, want 300ms after %v (the schedule)", a2.NextRetryAt, a2.CreatedAt)
	}
	if a3.CreatedAt.Before(*a2.NextRetryAt) || a2.CreatedAt.Before(*a1.NextRetryAt) {
		t.Errorf("an attempt ran before its retry time: %v", d.Attempts)
	}
}
