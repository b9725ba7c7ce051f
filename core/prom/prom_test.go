package prom

import (
	"fmt"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/delivery"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// TestTopTargetsBoundCardinality: 10,000 failing endpoints of one account
// add N series, the N with the most failures, and none when N is 0.
func TestTopTargetsBoundCardinality(t *testing.T) {
	for _, n := range []int{0, 3} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			m := New(Options{TopTargets: n})
			for i := range 10_000 {
				target := core.Target{Kind: core.TargetEndpoint, ID: fmt.Sprintf("whe_%05d", i)}
				times := 1
				if i < 3 {
					times = 10 - i // whe_00000 fails most
				}
				for range times {
					m.Attempted(delivery.AttemptSeen{Scope: core.Scope{AccountID: "acct_1"}, Target: target, Outcome: delivery.AttemptFailed, Status: 500, Number: 1})
				}
			}
			if got := seriesOf(t, m.Registry(), "bellhop_target_failed_attempts"); got != n {
				t.Fatalf("series = %d, want %d", got, n)
			}
			if n == 0 {
				return
			}
			for i, want := range []float64{10, 9, 8} {
				id := fmt.Sprintf("whe_%05d", i)
				if got := gaugeOf(t, m.Registry(), "bellhop_target_failed_attempts", "target", id); got != want {
					t.Errorf("%s: %v failures, want %v", id, got, want)
				}
			}
		})
	}
}

// TestFailingTargetsWindow: counts older than two windows are forgotten.
func TestFailingTargetsWindow(t *testing.T) {
	f := newFailingTargets(5, time.Minute)
	target := core.Target{Kind: core.TargetConnection, ID: "conn_1"}
	f.add("acct_1", target)
	start := f.since
	f.mu.Lock()
	f.rotate(start.Add(90 * time.Second)) // one window on: kept as prev
	f.mu.Unlock()
	if got := collected(f); got != 1 {
		t.Fatalf("after one window: %d series, want 1", got)
	}
	f.mu.Lock()
	f.rotate(f.since.Add(3 * time.Minute)) // two more: forgotten
	f.mu.Unlock()
	if got := collected(f); got != 0 {
		t.Fatalf("after three windows: %d series, want 0", got)
	}
}

// TestObserverLabels: each observation lands on the series its values
// name; a kind or result outside the fixed sets lands on a fixed one.
func TestObserverLabels(t *testing.T) {
	m := New(Options{})
	m.Attempted(delivery.AttemptSeen{Target: core.Target{Kind: core.TargetEndpoint}, Outcome: delivery.AttemptRetrying, Status: 503, Number: 1})
	m.Attempted(delivery.AttemptSeen{Target: core.Target{Kind: "carrier_pigeon"}, Outcome: delivery.AttemptSucceeded, Status: 204, Number: 2})
	m.Attempted(delivery.AttemptSeen{Target: core.Target{Kind: core.TargetConnection}, Outcome: delivery.AttemptFailed, Status: 0, Number: 3})
	m.Settled(core.TargetConnection, core.StatusParked)
	m.BreakerTripped(core.TargetEndpoint, delivery.BreakerConsecutive)
	m.TransformRan(core.TransformTimeout, 50*time.Millisecond)
	m.TransformRan("something new", time.Millisecond)
	m.PluginCalled("echo", "deliver", time.Millisecond, fmt.Errorf("boom"))

	kinds := m.deliveryMetrics
	for _, c := range []struct {
		what string
		got  float64
		want float64
	}{
		{"endpoint retrying 5xx", valueOf(kinds.kind(core.TargetEndpoint).attempts[1][4]), 1},
		{"endpoint deliveries ended by a retry", valueOf(kinds.kind(core.TargetEndpoint).deliveries[0]) + valueOf(kinds.kind(core.TargetEndpoint).deliveries[1]), 0},
		{"other kind succeeded 2xx", valueOf(kinds.kinds[2].attempts[0][1]), 1},
		{"other kind deliveries succeeded", valueOf(kinds.kinds[2].deliveries[0]), 1},
		{"connection failed none", valueOf(kinds.kind(core.TargetConnection).attempts[2][0]), 1},
		{"connection parked", valueOf(kinds.kind(core.TargetConnection).deliveries[3]), 1},
		{"breaker trips", valueOf(m.trips.WithLabelValues(core.TargetEndpoint, delivery.BreakerConsecutive)), 1},
		{"transform timeouts", valueOf(m.runs[core.TransformTimeout]), 1},
		{"transform unknown result as script_error", valueOf(m.runs[core.TransformScriptError]), 1},
		{"plugin call errors", valueOf(m.callErrs.WithLabelValues("echo", "deliver")), 1},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
	if n := seriesOf(t, m.Registry(), "bellhop_delivery_first_attempt_lag_seconds"); n != 3 {
		t.Errorf("first-attempt lag series = %d, want one per kind", n)
	}
}

// TestStatusClass: the classes of the status_class label.
func TestStatusClass(t *testing.T) {
	for status, want := range map[int]string{0: "none", 101: "none", 200: "2xx", 299: "2xx", 302: "3xx", 404: "4xx", 503: "5xx", 600: "none"} {
		if got := statusClasses[statusClass(status)]; got != want {
			t.Errorf("statusClass(%d) = %s, want %s", status, got, want)
		}
	}
}

// seriesOf counts the series of the family name in reg.
func seriesOf(t *testing.T, reg prometheus.Gatherer, name string) int {
	t.Helper()
	return len(family(t, reg, name).GetMetric())
}

// gaugeOf is the value of the series of family name whose label is value.
func gaugeOf(t *testing.T, reg prometheus.Gatherer, name, label, value string) float64 {
	t.Helper()
	for _, m := range family(t, reg, name).GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == label && l.GetValue() == value {
				return m.GetGauge().GetValue()
			}
		}
	}
	return -1
}

func family(t *testing.T, reg prometheus.Gatherer, name string) *dto.MetricFamily {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() == name {
			return f
		}
	}
	return &dto.MetricFamily{}
}

// collected counts the metrics c collects.
func collected(c prometheus.Collector) int {
	ch := make(chan prometheus.Metric, 100)
	c.Collect(ch)
	close(ch)
	return len(ch)
}

// valueOf is the value of a counter or gauge.
func valueOf(m prometheus.Metric) float64 {
	var d dto.Metric
	if err := m.Write(&d); err != nil {
		return -1
	}
	if d.Counter != nil {
		return d.GetCounter().GetValue()
	}
	return d.GetGauge().GetValue()
}
