package api

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the API's Prometheus collectors. Routes are labelled by their
// template (/v1/events/:id), never by the raw path, to keep the label set small.
type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// newMetrics registers the API's collectors with reg.
func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bellhop_http_requests_total",
			Help: "API requests by method, route template and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "bellhop_http_request_duration_seconds",
			Help:    "API request latency by method and route template.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m
}

// droppedCounter is an activity log that may drop entries rather than slow
// a request (redisstore.ActivityWriter).
type droppedCounter interface{ Dropped() uint64 }

// watchActivity exports the entries log lost, when it can lose any, so that
// an operator sees a gap in the audit trail.
func watchActivity(reg prometheus.Registerer, log any) {
	d, ok := log.(droppedCounter)
	if !ok {
		return
	}
	reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "bellhop_activity_dropped_total",
		Help: "Activity log entries lost: the write buffer was full or Redis refused the batch.",
	}, func() float64 { return float64(d.Dropped()) }))
}

// observe counts one request.
func (m *metrics) observe(method, route string, status int, elapsed time.Duration) {
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(method, route).Observe(elapsed.Seconds())
}
