package prom

import (
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/pluginhost"
	"github.com/bellhop/bellhop/core/transform"
	"github.com/prometheus/client_golang/prometheus"
)

var (
	_ transform.Observer  = (*Metrics)(nil)
	_ pluginhost.Observer = (*Metrics)(nil)
)

// transformResults are the values of bellhop_transform_runs_total's
// result label, all made up front.
var transformResults = []string{transform.RunOK, transform.RunSkipped, core.TransformScriptError, core.TransformTimeout, core.TransformMemoryLimit, transform.RunCanceled}

// runMetrics are the transforms' and the plugin calls' families.
type runMetrics struct {
	runs     map[string]prometheus.Counter // by result; read-only once made
	runTook  prometheus.Observer
	calls    *prometheus.HistogramVec
	callErrs *prometheus.CounterVec
}

func newRunMetrics(reg prometheus.Registerer) *runMetrics {
	runs := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "bellhop_transform_runs_total",
		Help: "Transform script runs by result: ok, skipped (returned null), script_error (threw or returned what cannot be sent), timeout, memory_limit (interrupted by the memory watchdog), canceled.",
	}, []string{"result"})
	took := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "bellhop_transform_duration_seconds",
		Help:    "How long one transform run took, whatever its result.",
		Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
	})
	calls := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "bellhop_plugin_call_duration_seconds",
		Help:    "How long a call to a connector plugin took, by connector and method (deliver, check, validate, describe, options, limits).",
		Buckets: attemptBuckets,
	}, []string{"connector", "method"})
	callErrs := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "bellhop_plugin_call_errors_total",
		Help: "Calls to a connector plugin that returned an error (the plugin could not be reached, crashed, timed out, or refused), by connector and method.",
	}, []string{"connector", "method"})
	reg.MustRegister(runs, took, calls, callErrs)
	m := &runMetrics{runs: map[string]prometheus.Counter{}, runTook: took, calls: calls, callErrs: callErrs}
	for _, r := range transformResults {
		m.runs[r] = runs.WithLabelValues(r)
	}
	return m
}

// TransformRan implements transform.Observer.
func (m *runMetrics) TransformRan(result string, took time.Duration) {
	c, ok := m.runs[result]
	if !ok {
		c = m.runs[core.TransformScriptError]
	}
	c.Inc()
	m.runTook.Observe(took.Seconds())
}

// PluginCalled implements pluginhost.Observer. A plugin call is a gRPC
// round trip to another process: the label lookup is noise beside it.
func (m *runMetrics) PluginCalled(connector, method string, took time.Duration, err error) {
	m.calls.WithLabelValues(connector, method).Observe(took.Seconds())
	if err != nil {
		m.callErrs.WithLabelValues(connector, method).Inc()
	}
}

// pluginCollector exports which connector plugins run and how often they
// restarted, read from the host at scrape time (no process is started).
type pluginCollector struct{ plugins PluginLister }

var (
	pluginUpDesc = prometheus.NewDesc("bellhop_plugin_up",
		"1 when the connector plugin's process runs, 0 when it is not started, crashed or cannot start (state says which).",
		[]string{"connector", "state"}, nil)
	pluginRestartsDesc = prometheus.NewDesc("bellhop_plugin_restarts_total",
		"Times the hub restarted a connector plugin's process after it crashed or stopped answering.",
		[]string{"connector"}, nil)
)

// Describe implements prometheus.Collector.
func (c pluginCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- pluginUpDesc
	ch <- pluginRestartsDesc
}

// Collect implements prometheus.Collector.
func (c pluginCollector) Collect(ch chan<- prometheus.Metric) {
	for _, p := range c.plugins.States() {
		up := 0.0
		if p.State == pluginhost.StateRunning {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(pluginUpDesc, prometheus.GaugeValue, up, p.Name, string(p.State))
		ch <- prometheus.MustNewConstMetric(pluginRestartsDesc, prometheus.CounterValue, float64(p.Restarts), p.Name)
	}
}
