package connectors

import (
	"net/http"
	"time"

	"github.com/bellhop/bellhop/core/outbound"
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

// ForStatus is the result of a delivery the remote API answered with an
// HTTP error status: classified as the hub classifies a webhook's answer
// (OutcomeForStatus), retried after the hint after (zero: the host's
// schedule), and carrying the status so that the hub counts a 5xx toward
// its circuit breaker.
func ForStatus(status int, after time.Duration, summary string) plugins.Result {
	r := plugins.Result{Outcome: OutcomeForStatus(status), Summary: summary, Status: status}
	if r.Outcome == plugins.Retry {
		r.RetryAfter = after
	}
	return r
}

// OutcomeForStatus classifies an HTTP status the way Bellhop classifies
// webhook answers (DESIGN.md, "Delivery semantics"), with the hub's own
// classifier (outbound.StatusOutcome): 2xx delivered; 408, 429 and 5xx
// retry; anything else fails for good.
func OutcomeForStatus(status int) plugins.Outcome {
	return plugins.OutcomeOf(outbound.StatusOutcome(status))
}

// RetryAfter reads a Retry-After header given in seconds or as an HTTP date,
// so a connector can pass the remote API's hint on to the host. It returns
// zero when the header is absent or unreadable. It is the hub's own parser
// and clamp (outbound.RetryAfter), so that a webhook's receiver and a
// connector's service are held to the same bounds.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	return outbound.RetryAfter(h, now)
}
