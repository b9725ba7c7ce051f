package connectors

import (
	"net/http"
	"strconv"
	"time"

	"github.com/bellhop/bellhop/plugins"
)

// Delivered is the result of a delivery the remote API took; id is the
// remote object's id, shown in the attempt log so an operator can find it.
func Delivered(id, summary string) plugins.Result {
	return plugins.Result{Outcome: plugins.Delivered, ExternalID: id, Summary: summary}
}

// RetryLater is the result of a delivery that may work later (a rate limit,
// a 5xx, a timeout); after is the remote API's hint, zero when it gave none,
// so the host falls back to its own schedule.
func RetryLater(after time.Duration, summary string) plugins.Result {
	return plugins.Result{Outcome: plugins.Retry, RetryAfter: after, Summary: summary}
}

// Fail is the result of a delivery that will never work as configured (a bad
// token, an unknown channel, a payload the API rejects), so the host stops
// retrying it.
func Fail(summary string) plugins.Result {
	return plugins.Result{Outcome: plugins.Failed, Summary: summary}
}

// OutcomeForStatus classifies an HTTP status the way Bellhop classifies
// webhook answers (DESIGN.md, "Delivery semantics"): 2xx delivered; 408, 429
// and 5xx retry; anything else fails for good.
func OutcomeForStatus(status int) plugins.Outcome {
	switch {
	case status >= 200 && status < 300:
		return plugins.Delivered
	case status == http.StatusRequestTimeout, status == http.StatusTooManyRequests, status >= 500:
		return plugins.Retry
	default:
		return plugins.Failed
	}
}

// RetryAfter reads a Retry-After header given in seconds or as an HTTP date,
// so a connector can pass the remote API's hint on to the host. It returns
// zero when the header is absent or unreadable.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
