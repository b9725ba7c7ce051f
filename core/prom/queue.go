package prom

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/prometheus/client_golang/prometheus"
)

// queueReadTimeout bounds one reading of the queue, so a slow Redis makes
// a scrape miss the queue gauges rather than time out altogether.
const queueReadTimeout = 3 * time.Second

// queueCollector exports the delivery queue's state, read from Redis at
// scrape time and kept for cacheFor, so that several Prometheus servers or
// a short scrape interval cost one reading per cacheFor.
type queueCollector struct {
	q        QueueReader
	cacheFor time.Duration
	log      *slog.Logger
	errors   prometheus.Counter

	mu   sync.Mutex // held while reading: concurrent scrapes share one reading
	last redisstore.QueueStats
	at   time.Time
	ok   bool
}

var (
	queuePendingDesc = prometheus.NewDesc("bellhop_queue_pending_entries",
		"Stream entries a hub has read and not yet acknowledged, summed over every account, by stream (events: waiting for dispatch; deliveries: attempts in progress).",
		[]string{"stream"}, nil)
	queueLagDesc = prometheus.NewDesc("bellhop_queue_lag_entries",
		"Stream entries no hub has read yet (the consumer group's lag), summed over every account, by stream.",
		[]string{"stream"}, nil)
	queueOldestDesc = prometheus.NewDesc("bellhop_queue_oldest_entry_age_seconds",
		"Age of the oldest stream entry pending or not yet read, over every account, by stream; 0 when there is none.",
		[]string{"stream"}, nil)
	queueRetriesDesc = prometheus.NewDesc("bellhop_queue_scheduled_deliveries",
		"Deliveries waiting in the retry sets for their next attempt (retries, and deliveries deferred by a rate or concurrency limit), over every account.",
		nil, nil)
	parkedDesc = prometheus.NewDesc("bellhop_queue_parked_deliveries",
		"Deliveries set aside while their target is disabled, waiting for it to be enabled, over every account.",
		nil, nil)
	disabledDesc = prometheus.NewDesc("bellhop_targets_disabled",
		"Endpoints and connections disabled, over every account, by kind and by what disabled them: the circuit breaker, or a request (API, console, created disabled).",
		[]string{"kind", "reason"}, nil)
	backfillsDesc = prometheus.NewDesc("bellhop_backfills_active",
		"Backfills queued or running, over every account.",
		nil, nil)
	scopesDesc = prometheus.NewDesc("bellhop_queue_scopes",
		"Scopes (account and mode) whose queues are read.",
		nil, nil)
)

func newQueueCollector(q QueueReader, cacheFor time.Duration, log *slog.Logger) *queueCollector {
	if cacheFor <= 0 {
		cacheFor = 5 * time.Second
	}
	return &queueCollector{q: q, cacheFor: cacheFor, log: log, errors: prometheus.NewCounter(prometheus.CounterOpts{
		Name: "bellhop_queue_read_errors_total",
		Help: "Scrapes that could not read the queue's state from Redis (the queue gauges are missing from those scrapes).",
	})}
}

// Describe implements prometheus.Collector.
func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{queuePendingDesc, queueLagDesc, queueOldestDesc, queueRetriesDesc, parkedDesc, disabledDesc, backfillsDesc, scopesDesc} {
		ch <- d
	}
	c.errors.Describe(ch)
}

// Collect implements prometheus.Collector.
func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	st, ok := c.read()
	c.errors.Collect(ch)
	if !ok {
		return
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for stream, s := range map[string]redisstore.StreamStats{"events": st.Events, "deliveries": st.Deliveries} {
		gauge(queuePendingDesc, float64(s.Pending), stream)
		gauge(queueLagDesc, float64(s.Lag), stream)
		gauge(queueOldestDesc, s.Oldest.Seconds(), stream)
	}
	gauge(queueRetriesDesc, float64(st.Retries))
	gauge(parkedDesc, float64(st.Parked))
	for k, n := range st.Disabled {
		gauge(disabledDesc, float64(n), k.Kind, k.Cause)
	}
	gauge(backfillsDesc, float64(st.Backfills))
	gauge(scopesDesc, float64(st.Scopes))
}

// read returns the last reading if it is fresh, else reads again.
func (c *queueCollector) read() (redisstore.QueueStats, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if c.ok && now.Sub(c.at) < c.cacheFor {
		return c.last, true
	}
	ctx, cancel := context.WithTimeout(context.Background(), queueReadTimeout)
	defer cancel()
	st, err := c.q.QueueStats(ctx, now)
	if err != nil {
		c.errors.Inc()
		c.ok = false
		c.log.Warn("metrics: read the queue", "err", err)
		return st, false
	}
	c.last, c.at, c.ok = st, now, true
	return st, true
}
