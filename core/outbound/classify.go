package outbound

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Outcome is what an attempt means for its delivery. It is the one
// vocabulary of outcomes: Classify gives the first three for a webhook, a
// connection's sender gives them for a connector's answer, and the
// delivery engine adds the two that send nothing.
type Outcome int

// The outcomes of an attempt. The zero Outcome is none of them.
const (
	Succeeded Outcome = iota + 1 // the receiver took it; stop
	Retry                        // try again on the schedule (or after RetryAfter)
	Failed                       // failed for good; retrying cannot help
	Skipped                      // the transform chose not to send this event
	// Deferred means nothing was sent: a rate limit was spent. The delivery
	// waits without an attempt spent.
	Deferred
)

// outcomeNames spell the outcomes as the attempt log does.
var outcomeNames = [...]string{Succeeded: "succeeded", Retry: "retry", Failed: "failed", Skipped: "skipped", Deferred: "deferred"}

// String returns the outcome as the attempt log spells it.
func (o Outcome) String() string {
	if o > 0 && int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return "unknown"
}

// Bounds on an honoured Retry-After: a receiver may slow us down, but not
// make us hammer it nor park a delivery for days.
const (
	MinRetryAfter = time.Second
	MaxRetryAfter = time.Hour
)

// Verdict is the classification of one attempt.
type Verdict struct {
	Outcome Outcome
	// RetryAfter is the receiver's Retry-After, clamped to [MinRetryAfter,
	// MaxRetryAfter], on a 429 or 503 that sent one; 0 means use the schedule.
	RetryAfter time.Duration
	// Reason says why, in words for the attempt log.
	Reason string
}

// Classify applies the delivery contract to one attempt: 2xx succeeds; 3xx
// fails for good (redirects are not followed); 408, 429 and 5xx retry; other
// 4xx fail for good; timeouts and connection errors retry; an address the
// live-mode guard refused fails for good. Retry-After (seconds or an HTTP
// date, relative to now) is honoured on 429 and 503.
func Classify(status int, header http.Header, err error, now time.Time) Verdict {
	if err != nil {
		return classifyError(err)
	}
	switch {
	case status >= 200 && status < 300:
		return Verdict{Outcome: Succeeded, Reason: fmt.Sprintf("receiver answered %d", status)}
	case status >= 300 && status < 400:
		return Verdict{Outcome: Failed, Reason: fmt.Sprintf("receiver answered %d: redirects are not followed", status)}
	case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable:
		return Verdict{Outcome: Retry, RetryAfter: RetryAfter(header, now), Reason: fmt.Sprintf("receiver answered %d", status)}
	case status == http.StatusRequestTimeout || (status >= 500 && status < 600):
		return Verdict{Outcome: Retry, Reason: fmt.Sprintf("receiver answered %d", status)}
	case status >= 400 && status < 500:
		return Verdict{Outcome: Failed, Reason: fmt.Sprintf("receiver answered %d: client errors are not retried", status)}
	case status == 0:
		return Verdict{Outcome: Retry, Reason: "no response"}
	}
	return Verdict{Outcome: Failed, Reason: fmt.Sprintf("receiver answered an invalid status %d", status)}
}

// StatusOutcome is Classify's outcome for an answer of status: the one
// status classifier, which connectors apply to their services' answers
// (connectors.OutcomeForStatus) as the hub applies it to a webhook's.
func StatusOutcome(status int) Outcome { return Classify(status, nil, nil, time.Time{}).Outcome }

// classifyError sorts a request that got no response.
func classifyError(err error) Verdict {
	var blocked *BlockedError
	if errors.As(err, &blocked) {
		return Verdict{Outcome: Failed, Reason: blocked.Error()}
	}
	var netErr net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()) {
		return Verdict{Outcome: Retry, Reason: "request timed out"}
	}
	if errors.Is(err, context.Canceled) {
		return Verdict{Outcome: Retry, Reason: "request canceled (hub shutting down)"}
	}
	return Verdict{Outcome: Retry, Reason: "connection failed: " + errorText(err)}
}

// errorText is err without the "Post \"<url>\":" that url.Error adds, since
// the attempt log shows the URL already.
func errorText(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// RetryAfter parses a Retry-After header, delay-seconds or HTTP-date
// (relative to now), and clamps it (ClampRetryAfter); it returns 0 when
// there is none or it cannot be read. Webhooks and connectors read it here,
// so that both honour the same hint the same way.
func RetryAfter(header http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(header.Get("Retry-After"))
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0
		}
		d = time.Duration(min(secs, int64(MaxRetryAfter/time.Second))) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	} else {
		return 0
	}
	return ClampRetryAfter(max(d, MinRetryAfter)) // a date already past: soon, not never
}

// ClampRetryAfter bounds a retry hint to [MinRetryAfter, MaxRetryAfter];
// 0 or less stays 0: no hint, the schedule applies.
func ClampRetryAfter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return min(max(d, MinRetryAfter), MaxRetryAfter)
}

// Is5xx reports whether status is a server error: the answers the circuit
// breaker's ratio counts, for a webhook and for a connector's service alike.
func Is5xx(status int) bool { return status >= 500 && status < 600 }

// FailCode labels a failed attempt for failures-by-code: its status when
// one came back, else "blocked", "timeout" or "connection". A connector's
// failure is labelled here too, so that a timeout reads the same from a
// receiver and from a plugin (whose errors arrive as text).
func FailCode(status int, err error) string {
	var ne net.Error
	switch {
	case status > 0:
		return strconv.Itoa(status)
	case errors.Is(err, ErrBlocked):
		return "blocked"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case err != nil && (strings.Contains(err.Error(), "timeout") || strings.Contains(err.Error(), "deadline exceeded")):
		return "timeout"
	}
	return "connection"
}
