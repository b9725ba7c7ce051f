package prom

import (
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/delivery"
	"github.com/prometheus/client_golang/prometheus"
)

var _ delivery.Observer = (*Metrics)(nil)

// Label values of the delivery families, in the order of their indexes.
var (
	// attemptOutcomes index kindMetrics.attempts; deliveryOutcomes
	// kindMetrics.deliveries (an attempt that retries ends nothing; a
	// delivery parked had no attempt).
	attemptOutcomes  = []string{delivery.AttemptSucceeded, delivery.AttemptRetrying, delivery.AttemptFailed, delivery.AttemptSkipped}
	deliveryOutcomes = []string{core.StatusSucceeded, core.StatusFailed, core.StatusSkipped, core.StatusParked}
	statusClasses    = []string{"none", "2xx", "3xx", "4xx", "5xx"}
	targetKinds      = []string{core.TargetEndpoint, core.TargetConnection, "other"}
)

// Histogram buckets, in seconds. An attempt is bounded by the request
// timeout (15 s by default, 30 s at most in practice).
var (
	attemptBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}
	lagBuckets     = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 1800}
)

// deliveryMetrics are the delivery engine's families, with every child
// resolved up front so that an attempt costs no label lookup.
type deliveryMetrics struct {
	kinds      []*kindMetrics // by index of targetKinds
	dispatched prometheus.Counter
	dispatch   prometheus.Observer
	trips      *prometheus.CounterVec
	failing    *failingTargets // nil unless Options.TopTargets
}

// kindMetrics are the children of one target kind.
type kindMetrics struct {
	attempts   [4][5]prometheus.Counter // [attemptOutcomes][statusClasses]
	deliveries [4]prometheus.Counter    // [deliveryOutcomes]
	took, lag  prometheus.Observer
}

func newDeliveryMetrics(reg prometheus.Registerer, topN int, window time.Duration) *deliveryMetrics {
	attempts := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "bellhop_delivery_attempts_total",
		Help: "Delivery attempts recorded, by target kind, what the attempt made of its delivery (succeeded, retrying, failed, skipped by the transform) and the HTTP status class answered (none: no answer).",
	}, []string{"kind", "outcome", "status_class"})
	deliveries := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "bellhop_deliveries_total",
		Help: "Deliveries that ended (succeeded, failed, skipped by the transform) or were parked for a disabled target, by target kind. A parked delivery counts again when it ends after its target is enabled.",
	}, []string{"kind", "outcome"})
	took := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "bellhop_delivery_attempt_duration_seconds",
		Help:    "How long one attempt took to send, transform and signing included, by target kind.",
		Buckets: attemptBuckets,
	}, []string{"kind"})
	lag := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "bellhop_delivery_first_attempt_lag_seconds",
		Help:    "From a delivery being queued to the start of its first attempt, by target kind. Add bellhop_dispatch_lag_seconds for publish to first attempt.",
		Buckets: lagBuckets,
	}, []string{"kind"})
	dispatched := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "bellhop_events_dispatched_total",
		Help: "Events whose deliveries the dispatcher queued (including events no target subscribed to).",
	})
	dispatch := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "bellhop_dispatch_lag_seconds",
		Help:    "From an event's publish to its deliveries being queued, once per dispatch, for its oldest event.",
		Buckets: lagBuckets,
	})
	trips := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "bellhop_breaker_trips_total",
		Help: "Targets the circuit breaker disabled, by target kind and rule (consecutive_failures, error_ratio).",
	}, []string{"kind", "rule"})
	reg.MustRegister(attempts, deliveries, took, lag, dispatched, dispatch, trips)

	m := &deliveryMetrics{dispatched: dispatched, dispatch: dispatch, trips: trips}
	for _, kind := range targetKinds {
		k := &kindMetrics{took: took.WithLabelValues(kind), lag: lag.WithLabelValues(kind)}
		for i, o := range attemptOutcomes {
			for j, c := range statusClasses {
				k.attempts[i][j] = attempts.WithLabelValues(kind, o, c)
			}
		}
		for i, o := range deliveryOutcomes {
			k.deliveries[i] = deliveries.WithLabelValues(kind, o)
		}
		m.kinds = append(m.kinds, k)
	}
	for _, kind := range targetKinds[:2] {
		for _, rule := range []string{delivery.BreakerConsecutive, delivery.BreakerErrorRatio} {
			trips.WithLabelValues(kind, rule) // a zero to rate() from
		}
	}
	if topN > 0 {
		m.failing = newFailingTargets(topN, window)
		reg.MustRegister(m.failing)
	}
	return m
}

// kind returns the children of a target kind; a kind other than the two
// built-in ones counts as "other", which keeps the label set fixed.
func (m *deliveryMetrics) kind(kind string) *kindMetrics {
	switch kind {
	case core.TargetEndpoint:
		return m.kinds[0]
	case core.TargetConnection:
		return m.kinds[1]
	}
	return m.kinds[2]
}

// Attempted implements delivery.Observer.
func (m *deliveryMetrics) Attempted(a delivery.AttemptSeen) {
	k := m.kind(a.Target.Kind)
	o := outcomeIndex(attemptOutcomes, a.Outcome)
	if o < 0 {
		return
	}
	k.attempts[o][statusClass(a.Status)].Inc()
	if a.Ends() {
		k.deliveries[outcomeIndex(deliveryOutcomes, a.Outcome)].Inc()
	}
	if a.Outcome != delivery.AttemptSkipped { // a skip sends nothing: its time is the transform's
		k.took.Observe(a.Took.Seconds())
	}
	if a.Number == 1 {
		k.lag.Observe(a.FirstLag.Seconds())
	}
	if m.failing != nil && (a.Outcome == delivery.AttemptFailed || a.Outcome == delivery.AttemptRetrying) {
		m.failing.add(a.Scope.AccountID, a.Target)
	}
}

// Settled implements delivery.Observer.
func (m *deliveryMetrics) Settled(kind, outcome string) {
	if i := outcomeIndex(deliveryOutcomes, outcome); i >= 0 {
		m.kind(kind).deliveries[i].Inc()
	}
}

// Dispatched implements delivery.Observer.
func (m *deliveryMetrics) Dispatched(events int, lag time.Duration) {
	m.dispatched.Add(float64(events))
	m.dispatch.Observe(lag.Seconds())
}

// BreakerTripped implements delivery.Observer. Trips are rare: the label
// lookup is not worth resolving up front.
func (m *deliveryMetrics) BreakerTripped(kind, rule string) {
	if kind != core.TargetEndpoint && kind != core.TargetConnection {
		kind = "other"
	}
	m.trips.WithLabelValues(kind, rule).Inc()
}

// outcomeIndex is the index of outcome in names, or -1.
func outcomeIndex(names []string, outcome string) int {
	for i, n := range names {
		if n == outcome {
			return i
		}
	}
	return -1
}

// statusClass is the index in statusClasses of an HTTP status: none for 0
// (no answer) or anything outside 200–599.
func statusClass(status int) int {
	if status < 200 || status > 599 {
		return 0
	}
	return status/100 - 1
}
