package prom

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/prometheus/client_golang/prometheus"
)

// failingTargets counts failed and retrying attempts per target over a
// window and exports the N targets with the most, so that an operator
// sees which endpoints fail without a series per target: an account with
// 10,000 endpoints adds N series, not 10,000. Counts live in this process
// only (each hub exports its own) and span one to two windows: the current
// one and the one before it.
type failingTargets struct {
	n      int
	window time.Duration
	desc   *prometheus.Desc

	mu        sync.Mutex
	cur, prev map[failingKey]int
	since     time.Time // when cur started
}

type failingKey struct {
	account string
	target  core.Target
}

func newFailingTargets(n int, window time.Duration) *failingTargets {
	if window <= 0 {
		window = 5 * time.Minute
	}
	return &failingTargets{
		n: n, window: window, cur: map[failingKey]int{}, since: time.Now(),
		desc: prometheus.NewDesc("bellhop_target_failed_attempts",
			"Failed and retrying attempts over the last 5 to 10 minutes of the N targets with the most (BELLHOP_METRICS_TOP_TARGETS), counted by this hub.",
			[]string{"account", "kind", "target"}, nil),
	}
}

// add counts one failed or retrying attempt to target.
func (f *failingTargets) add(account string, target core.Target) {
	f.mu.Lock()
	f.rotate(time.Now())
	f.cur[failingKey{account, target}]++
	f.mu.Unlock()
}

// rotate starts a new window when the current one is over; f.mu is held.
func (f *failingTargets) rotate(now time.Time) {
	switch elapsed := now.Sub(f.since); {
	case elapsed < f.window:
		return
	case elapsed < 2*f.window:
		f.prev = f.cur
	default:
		f.prev = nil // nothing failed for a whole window
	}
	f.cur, f.since = map[failingKey]int{}, now
}

// Describe implements prometheus.Collector.
func (f *failingTargets) Describe(ch chan<- *prometheus.Desc) { ch <- f.desc }

// Collect implements prometheus.Collector: the top N, most failures first.
func (f *failingTargets) Collect(ch chan<- prometheus.Metric) {
	type count struct {
		key failingKey
		n   int
	}
	f.mu.Lock()
	f.rotate(time.Now())
	all := make(map[failingKey]int, len(f.cur)+len(f.prev))
	for k, n := range f.prev {
		all[k] += n
	}
	for k, n := range f.cur {
		all[k] += n
	}
	f.mu.Unlock()
	counts := make([]count, 0, len(all))
	for k, n := range all {
		counts = append(counts, count{k, n})
	}
	slices.SortFunc(counts, func(a, b count) int {
		return cmp.Or(b.n-a.n, cmp.Compare(a.key.target.ID, b.key.target.ID))
	})
	for _, c := range counts[:min(f.n, len(counts))] {
		ch <- prometheus.MustNewConstMetric(f.desc, prometheus.GaugeValue, float64(c.n), c.key.account, c.key.target.Kind, c.key.target.ID)
	}
}
