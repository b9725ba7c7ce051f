package api

import (
	"cmp"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// DefaultRequestLogEvery is how often the request log sums up the
// successful requests at level info.
const DefaultRequestLogEvery = time.Second

// requestSummary sums up successful requests for the request log: at level
// info, a request that failed (status 400 or more, a client that went away
// included) gets a line of its own, as it always did, but successes are
// counted by method, route and status and written as one "api requests"
// line per kind each Config.RequestLogEvery. One line per request cost
// 3.7% of the hub's CPU under load (issue 12) and told an operator nothing
// the summary and the activity log do not; level debug still writes every
// request. A timer is armed by the first request counted, so an idle hub
// wakes up for nothing.
type requestSummary struct {
	log   *slog.Logger
	every time.Duration

	mu     sync.Mutex
	counts map[requestKind]*requestTally
	timer  *time.Timer // armed while counts holds something
}

// requestKind is what the summary counts requests by.
type requestKind struct {
	method, route string
	status        int
}

type requestTally struct {
	n          int
	total, max time.Duration
}

func newRequestSummary(log *slog.Logger, every time.Duration) *requestSummary {
	return &requestSummary{log: log, every: every, counts: map[requestKind]*requestTally{}}
}

// count adds one successful request to the current summary.
func (r *requestSummary) count(k requestKind, latency time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := r.counts[k]
	if t == nil {
		t = &requestTally{}
		r.counts[k] = t
	}
	t.n++
	t.total += latency
	t.max = max(t.max, latency)
	if r.timer == nil {
		r.timer = time.AfterFunc(r.every, r.flush)
	}
}

// flush writes what was counted, one line per kind, and starts anew.
func (r *requestSummary) flush() {
	r.mu.Lock()
	counts := r.counts
	r.counts = map[requestKind]*requestTally{}
	if r.timer != nil {
		r.timer.Stop()
		r.timer = nil
	}
	r.mu.Unlock()
	kinds := make([]requestKind, 0, len(counts))
	for k := range counts {
		kinds = append(kinds, k)
	}
	slices.SortFunc(kinds, func(a, b requestKind) int {
		return cmp.Or(cmp.Compare(a.route, b.route), cmp.Compare(a.method, b.method), cmp.Compare(a.status, b.status))
	})
	for _, k := range kinds {
		t := counts[k]
		r.log.Info("api requests", "method", k.method, "route", k.route, "status", k.status, "count", t.n,
			"latency_ms_avg", ms(t.total/time.Duration(t.n)), "latency_ms_max", ms(t.max))
	}
}
