package api

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestRateLimit(t *testing.T) {
	a := newTestAPI(t)
	r := a.do(t, http.MethodPost, "/v1/api_keys", map[string]any{"name": "tiny", "rate_limit": 3})
	r.wantStatus(t, http.StatusCreated)
	var tiny createdAPIKey
	r.decode(t, &tiny)

	for i := range 3 {
		r := a.do(t, http.MethodGet, "/v1/events", nil, withKey(tiny.Secret))
		r.wantStatus(t, http.StatusOK)
		if got := r.Header.Get("X-RateLimit-Limit"); got != "3" {
			t.Errorf("X-RateLimit-Limit = %q, want 3", got)
		}
		if got, want := r.Header.Get("X-RateLimit-Remaining"), strconv.Itoa(2-i); got != want {
			t.Errorf("request %d: X-RateLimit-Remaining = %q, want %s", i, got, want)
		}
		reset, err := strconv.ParseInt(r.Header.Get("X-RateLimit-Reset"), 10, 64)
		if err != nil || reset < time.Now().Add(-time.Minute).Unix() {
			t.Errorf("X-RateLimit-Reset = %q, want unix seconds", r.Header.Get("X-RateLimit-Reset"))
		}
	}
	limited := a.do(t, http.MethodGet, "/v1/events", nil, withKey(tiny.Secret))
	d := limited.wantError(t, http.StatusTooManyRequests, typeRateLimit, "")
	if d.Code != "rate_limit_exceeded" {
		t.Errorf("code = %q", d.Code)
	}
	if wait, err := strconv.Atoi(limited.Header.Get("Retry-After")); err != nil || wait < 1 || wait > 20 {
		t.Errorf("Retry-After = %q, want 1–20 seconds for 3 a minute", limited.Header.Get("Retry-After"))
	}
	if limited.Header.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("X-RateLimit-Remaining = %q on a 429", limited.Header.Get("X-RateLimit-Remaining"))
	}
	// Another key of the same account has its own budget.
	a.do(t, http.MethodGet, "/v1/events", nil).wantStatus(t, http.StatusOK)
}
