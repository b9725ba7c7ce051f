package outbound

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"
)

func TestClassifyStatus(t *testing.T) {
	now := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		status int
		want   Outcome
	}{
		{200, Succeeded}, {201, Succeeded}, {202, Succeeded}, {204, Succeeded}, {299, Succeeded},
		{300, Failed}, {301, Failed}, {302, Failed}, {303, Failed}, {304, Failed}, {307, Failed}, {308, Failed},
		{400, Failed}, {401, Failed}, {403, Failed}, {404, Failed}, {405, Failed}, {409, Failed},
		{410, Failed}, {413, Failed}, {422, Failed}, {499, Failed},
		{408, Retry}, {429, Retry},
		{500, Retry}, {501, Retry}, {502, Retry}, {503, Retry}, {504, Retry}, {599, Retry},
		{0, Retry},
		{100, Failed}, {600, Failed},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			got := Classify(tt.status, http.Header{}, nil, now)
			if got.Outcome != tt.want {
				t.Errorf("Classify(%d).Outcome = %v, want %v (reason %q)", tt.status, got.Outcome, tt.want, got.Reason)
			}
			if got.Reason == "" {
				t.Errorf("Classify(%d).Reason is empty", tt.status)
			}
			if got.RetryAfter != 0 {
				t.Errorf("Classify(%d).RetryAfter = %v without a Retry-After header", tt.status, got.RetryAfter)
			}
		})
	}
}

func TestClassifyRedirectReason(t *testing.T) {
	got := Classify(302, http.Header{"Location": {"https://elsewhere.example"}}, nil, time.Now())
	if want := "receiver answered 302: redirects are not followed"; got.Reason != want {
		t.Errorf("Reason = %q, want %q", got.Reason, want)
	}
}

func TestClassifyRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	date := func(d time.Duration) string { return now.Add(d).Format(http.TimeFormat) }
	tests := []struct {
		name   string
		status int
		value  string
		want   time.Duration
	}{
		{"seconds on 429", 429, "120", 2 * time.Minute},
		{"seconds on 503", 503, "30", 30 * time.Second},
		{"padded seconds", 429, " 45 ", 45 * time.Second},
		{"zero clamps up", 429, "0", MinRetryAfter},
		{"a day clamps down", 503, "86400", MaxRetryAfter},
		{"overflowing seconds clamp down", 429, "99999999999999999", MaxRetryAfter},
		{"negative is ignored", 429, "-5", 0},
		{"garbage is ignored", 429, "soon", 0},
		{"absent", 429, "", 0},
		{"HTTP date", 503, date(90 * time.Second), 90 * time.Second},
		{"HTTP date in the past clamps up", 429, date(-time.Hour), MinRetryAfter},
		{"HTTP date next week clamps down", 503, date(7 * 24 * time.Hour), MaxRetryAfter},
		{"RFC 850 date", 429, now.Add(10 * time.Minute).Format(time.RFC850), 10 * time.Minute},
		{"ignored on 500", 500, "120", 0},
		{"ignored on 408", 408, "120", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.value != "" {
				h.Set("Retry-After", tt.value)
			}
			got := Classify(tt.status, h, nil, now)
			if got.Outcome != Retry {
				t.Errorf("Outcome = %v, want retry", got.Outcome)
			}
			if got.RetryAfter != tt.want {
				t.Errorf("RetryAfter = %v, want %v", got.RetryAfter, tt.want)
			}
		})
	}
}

// timeoutErr is a net.Error that timed out, as a read deadline produces.
type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestClassifyError(t *testing.T) {
	urlErr := func(err error) error { return &url.Error{Op: "Post", URL: "https://r.example/hook", Err: err} }
	blocked := &BlockedError{Addr: netip.MustParseAddr("10.0.0.1"), Reason: "private"}
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	tests := []struct {
		name       string
		err        error
		want       Outcome
		wantReason string
	}{
		{"blocked address", urlErr(&net.OpError{Op: "dial", Net: "tcp", Err: blocked}), Failed, blocked.Error()},
		{"deadline", urlErr(context.DeadlineExceeded), Retry, "request timed out"},
		{"net timeout", urlErr(timeoutErr{}), Retry, "request timed out"},
		{"canceled", urlErr(context.Canceled), Retry, "request canceled (hub shutting down)"},
		{"connection refused", urlErr(refused), Retry, "connection failed: dial tcp: connect: connection refused"},
		{"dns failure", urlErr(&net.DNSError{Err: "no such host", Name: "nope.invalid", IsNotFound: true}), Retry, "connection failed: lookup nope.invalid: no such host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Classify(0, nil, tt.err, time.Now())
			if got.Outcome != tt.want || got.Reason != tt.wantReason {
				t.Errorf("Classify() = %v %q, want %v %q", got.Outcome, got.Reason, tt.want, tt.wantReason)
			}
		})
	}
}

func TestOutcomeString(t *testing.T) {
	tests := map[Outcome]string{Succeeded: "succeeded", Retry: "retry", Failed: "failed", 0: "unknown"}
	for o, want := range tests {
		if got := o.String(); got != want {
			t.Errorf("Outcome(%d).String() = %q, want %q", int(o), got, want)
		}
	}
}

func TestFailCode(t *testing.T) {
	tests := []struct {
		name   string
		status int
		err    error
		want   string
	}{
		{"status", 503, nil, "503"},
		{"blocked", 0, fmt.Errorf("dial: %w", ErrBlocked), "blocked"},
		{"deadline", 0, context.DeadlineExceeded, "timeout"},
		{"a plugin's timeout, as text", 0, errors.New("rpc error: code = DeadlineExceeded desc = context deadline exceeded"), "timeout"},
		{"refused", 0, errors.New("connection refused"), "connection"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FailCode(tt.status, tt.err); got != tt.want {
				t.Errorf("FailCode(%d, %v) = %q, want %q", tt.status, tt.err, got, tt.want)
			}
		})
	}
}
