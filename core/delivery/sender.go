package delivery

import (
	"context"
	"slices"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/outbound"
)

// TargetInfo is what the engine needs to know about a target before an
// attempt: whether it takes deliveries, its limits and its schedule. Data is
// the sender's own copy of the target, handed back to Send.
type TargetInfo struct {
	Disabled       bool
	DisabledReason string
	MaxConcurrency int // 0: Options.DefaultConcurrency
	RateLimit      int // attempts per second; 0: unlimited
	// BackfillRate paces a backfill to a target without a RateLimit, in
	// deliveries a second: a service whose limit the hub does not know
	// still has one. 0: as fast as the first attempts go.
	BackfillRate int
	Schedule     []time.Duration // nil: the server's schedule
	Data         any
}

// Job is one attempt to send.
type Job struct {
	Scope    core.Scope
	Delivery *core.Delivery
	Event    *core.Event // the decoded event when the caller has it; else nil, see DecodeEvent
	Payload  []byte      // the event envelope JSON as stored
	Number   int         // the attempt number, from 1
}

// DecodeEvent returns the job's event, decoding Payload when the caller
// did not. The worker leaves Event nil: a webhook without a transform sends
// Payload as is and needs only Delivery.EventID, so decoding the whole
// envelope on every attempt would be wasted work on the hot path.
func (j Job) DecodeEvent() (*core.Event, error) {
	if j.Event != nil {
		return j.Event, nil
	}
	return decodeEvent(j.Payload)
}

// Result is what one attempt did. Attempt is the attempt-log record the
// sender filled in (headers, response, latency, error); the engine adds the
// number, outcome and next retry time.
type Result struct {
	Outcome    outbound.Outcome
	RetryAfter time.Duration // the target's hint, already bounded; 0: the schedule. With Deferred: how long to wait
	Reason     string
	Is5xx      bool
	FailCode   string // failures-by-code label: "500", "timeout", "connection", "transform", …
	Attempt    *core.Attempt
}

// Subscription is a target subscribed to an event type, the properties it
// is limited to, and its own retry schedule (nil: the server's), which says
// how long its deliveries may go on (Engine.retryWindow).
type Subscription struct {
	Target      core.Target
	PropertyIDs []string // empty: every property
	Schedule    []time.Duration
}

// Accepts reports whether an event of propertyID goes to the subscription.
func (s Subscription) Accepts(propertyID string) bool {
	return len(s.PropertyIDs) == 0 || slices.Contains(s.PropertyIDs, propertyID)
}

// subscriptions turns the targets a store matched (with its error) into
// Subscriptions, each made by of.
func subscriptions[T any](found []T, err error, of func(T) Subscription) ([]Subscription, error) {
	out := make([]Subscription, len(found))
	for i, t := range found {
		out[i] = of(t)
	}
	return out, err
}

// Sender delivers to one kind of target: Endpoints to webhook endpoints,
// Connections to connections. The engine names no kind: it asks each
// registered Sender which of its targets an event goes to, loads them and
// sends through it, so that a new kind is a new Sender.
type Sender interface {
	// Match returns the targets of this kind subscribed to eventType (or
	// "*"), before the property filter.
	Match(ctx context.Context, scope core.Scope, eventType string) ([]Subscription, error)
	// Lookup loads a target. Returns ENOTFOUND when it no longer exists.
	Lookup(ctx context.Context, scope core.Scope, id string) (*TargetInfo, error)
	// Forget drops this hub's cached lookup of a target: the worker calls
	// it when the store shows the target changed behind the cache (another
	// hub enabled it), so the next Lookup reads it afresh.
	Forget(scope core.Scope, id string)
	// Send makes one attempt. It never returns an error: every failure is a
	// Result for the attempt log.
	Send(ctx context.Context, target *TargetInfo, job Job) Result
	// Disable turns a target off with a reason (the circuit breaker).
	Disable(ctx context.Context, scope core.Scope, id, reason string) error
}
