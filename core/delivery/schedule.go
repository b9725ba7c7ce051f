package delivery

import (
	"strings"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/outbound"
)

// ParseSchedule reads a server-wide schedule such as BELLHOP_RETRY_SCHEDULE
// ("0s,1s,2s") or a preset name ("guestos"). Returns EINVALID.
func ParseSchedule(s string) ([]time.Duration, error) {
	s = strings.TrimSpace(s)
	if d, ok := core.RetryPreset(s); ok {
		return d, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) > core.MaxRetryAttempts {
		return nil, core.Errorf(core.EINVALID, "retry schedule %q has more than %d delays", s, core.MaxRetryAttempts)
	}
	out := make([]time.Duration, 0, len(parts))
	for _, p := range parts {
		d, err := time.ParseDuration(strings.TrimSpace(p))
		if err != nil || d < 0 {
			return nil, core.Errorf(core.EINVALID, "retry schedule %q: %q is not a duration such as 30s", s, p)
		}
		out = append(out, d)
	}
	return out, nil
}

// nextDelay returns how long to wait before attempt number done+1 after
// attempt number done failed, and false when the schedule is spent. The
// schedule lists one delay per attempt, relative to the previous attempt;
// the first attempt is never held back, so delays[0] only counts the attempt.
// A Retry-After hint lengthens the wait, never shortens it.
func nextDelay(delays []time.Duration, done int, retryAfter time.Duration) (time.Duration, bool) {
	if done >= len(delays) {
		return 0, false
	}
	return max(delays[done], retryAfter), true
}

// scheduleFor is the retry schedule the deliveries of a target whose own
// schedule is own follow: own, unless it is unset (nil) or the server's
// schedule is forced on every target (Options.ForceSchedule).
func (e *Engine) scheduleFor(own []time.Duration) []time.Duration {
	if own == nil || e.opts.ForceSchedule {
		return e.opts.Schedule
	}
	return own
}

// lateAttempts is the room retryWindow leaves for attempts that run behind
// their schedule: a backlog, hubs that were down.
const lateAttempts = time.Hour

// maxRetryWindow bounds how long a target's log keeps a delivery beyond the
// retention, so that one account's custom schedule (up to twenty waits of a
// week each) cannot make every entry it writes outlive the sizing in the
// README by months. It is well above the default schedule's window (~107 h):
// only a delivery retried for longer than a week drops from its target's
// list while it is still attempted, and stays readable by its id.
const maxRetryWindow = 7 * 24 * time.Hour

// retryWindow is how long after its creation a delivery to a target whose
// own schedule is own may still be attempted: each wait of the schedule as
// long as a receiver's Retry-After may make it (nextDelay; the first
// attempt waits for nothing), and lateAttempts, at most maxRetryWindow. Its
// target's log keeps it that much longer than the retention
// (core.Delivery.RetryWindow).
func (e *Engine) retryWindow(own []time.Duration) time.Duration {
	w := lateAttempts
	for i, d := range e.scheduleFor(own) {
		if i > 0 {
			w += max(d, outbound.MaxRetryAfter)
		}
	}
	return min(w, maxRetryWindow)
}
