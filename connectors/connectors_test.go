package connectors_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/bellhop/bellhop/connectors"
	"github.com/bellhop/bellhop/plugins"
)

func TestOutcomeForStatus(t *testing.T) {
	tests := []struct {
		status int
		want   plugins.Outcome
	}{
		{200, plugins.Delivered}, {201, plugins.Delivered}, {207, plugins.Delivered},
		{301, plugins.Failed}, {400, plugins.Failed}, {401, plugins.Failed}, {403, plugins.Failed}, {404, plugins.Failed},
		{408, plugins.Retry}, {429, plugins.Retry}, {500, plugins.Retry}, {503, plugins.Retry},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			if got := connectors.OutcomeForStatus(tt.status); got != tt.want {
				t.Errorf("OutcomeForStatus(%d) = %q, want %q", tt.status, got, tt.want)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 5, 12, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name, value string
		want        time.Duration
	}{
		{"absent", "", 0},
		{"seconds", "7", 7 * time.Second},
		{"date", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{"past date", now.Add(-time.Minute).Format(http.TimeFormat), time.Second}, // the hub's floor, outbound.MinRetryAfter
		{"garbage", "soon", 0},
		{"negative", "-3", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.value != "" {
				h.Set("Retry-After", tt.value)
			}
			if got := connectors.RetryAfter(h, now); got != tt.want {
				t.Errorf("RetryAfter(%q) = %v, want %v", tt.value, got, tt.want)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	got := connectors.Redact(`Post "https://hooks.slack.com/services/T/B/abcd": refused; token xoxb-1`, "https://hooks.slack.com/services/T/B/abcd", "xoxb-1", "")
	want := `Post "[redacted]": refused; token [redacted]`
	if got != want {
		t.Errorf("Redact = %q, want %q", got, want)
	}
}

func TestLimitersWait(t *testing.T) {
	l := connectors.NewLimiters(time.Hour, 2)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for i, want := range []bool{true, true, false, false} {
		got := l.Wait(ctx, "a") == 0
		if got != want {
			t.Errorf("take %d on a: got token = %v, want %v", i, got, want)
		}
	}
	if l.Wait(ctx, "b") != 0 {
		t.Error("b shares a's bucket, want its own")
	}
	// A refused wait gives its token back: the bucket is not pushed further out.
	if d := l.Wait(ctx, "a"); d > time.Hour {
		t.Errorf("wait after refusals = %v, want at most an hour", d)
	}
	// A context without a deadline is still respected when it ends.
	cctx, ccancel := context.WithCancel(context.Background())
	ccancel()
	if l.Wait(cctx, "a") == 0 {
		t.Error("Wait on a cancelled context took a token that is not there")
	}
}
