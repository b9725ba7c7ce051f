package delivery

import (
	"time"

	"github.com/bellhop/bellhop/core"
)

// Observer hears what the engine does, for an operator's metrics (the hub
// wires core/prom's). Its methods run on the delivery path, once per
// attempt or less: an implementation must be cheap, must not block and
// must not call back into the engine. The engine names no metrics library.
type Observer interface {
	// Attempted reports one attempt whose record was written.
	Attempted(a AttemptSeen)
	// Settled reports a delivery that ended or was set aside without an
	// attempt: parked (its target is disabled) or failed (its target or
	// payload is gone). outcome is core.StatusParked or core.StatusFailed.
	Settled(kind, outcome string)
	// Dispatched reports that the events of one dispatch got their
	// deliveries queued, lag after the oldest of them was published.
	Dispatched(events int, lag time.Duration)
	// BreakerTripped reports that the circuit breaker disabled a target,
	// by rule: BreakerConsecutive or BreakerErrorRatio.
	BreakerTripped(kind, rule string)
}

// The circuit breaker's rules, as Observer.BreakerTripped names them.
const (
	BreakerConsecutive = "consecutive_failures" // Options.BreakerConsecutive failed attempts in a row
	BreakerErrorRatio  = "error_ratio"          // over Options.BreakerRatio of the attempts over 5 minutes answered 5xx
)

// AttemptSeen is one attempt as an Observer sees it.
type AttemptSeen struct {
	Scope  core.Scope
	Target core.Target
	// Outcome is what the attempt made of its delivery: AttemptSucceeded,
	// AttemptRetrying, AttemptFailed or AttemptSkipped.
	Outcome string
	Status  int           // the HTTP status answered; 0 when none came back
	Took    time.Duration // from the start of Send to its end, transform included
	Number  int           // the attempt's number, from 1
	// FirstLag is, on a delivery's first attempt (Number 1), how long
	// after the delivery was queued the attempt started.
	FirstLag time.Duration
}

// The outcomes of an attempt as AttemptSeen names them: the status its
// delivery was left in, with a pending one called retrying.
const (
	AttemptSucceeded = core.StatusSucceeded
	AttemptRetrying  = "retrying"
	AttemptFailed    = core.StatusFailed
	AttemptSkipped   = core.StatusSkipped
)

// Ends reports whether the attempt ended its delivery.
func (a AttemptSeen) Ends() bool { return a.Outcome != AttemptRetrying }

// attemptOutcome names what an attempt left its delivery in.
func attemptOutcome(status string) string {
	if status == core.StatusPending {
		return AttemptRetrying
	}
	return status
}

// nopObserver is the Observer of an engine given none.
type nopObserver struct{}

func (nopObserver) Attempted(AttemptSeen)         {}
func (nopObserver) Settled(string, string)        {}
func (nopObserver) Dispatched(int, time.Duration) {}
func (nopObserver) BreakerTripped(string, string) {}
