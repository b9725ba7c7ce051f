package connectors

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/bellhop/bellhop/plugins"
)

// Pace is a remote API's rate limit as a connector declares it: one request
// every Every, in bursts of up to Burst. Over any window W it lets through
// at most Burst + W/Every requests: pick both so that this stays under the
// API's published limit.
//
// A connector does not keep the pace itself. It returns Pace.Limit from its
// plugins.RateLimited Limits method, and the hub takes the requests from a
// limiter in Redis that every hub shares before it calls Deliver, deferring
// the delivery when the pace is spent; a limiter in the plugin process
// would only count that process's share.
type Pace struct {
	Every time.Duration
	Burst int
}

// Limit is the pace as the plugins.Limit named name, per key (a token and
// channel: the hub hashes it), for a delivery that makes cost requests.
func (p Pace) Limit(name, key string, cost int) plugins.Limit {
	return plugins.Limit{Name: name, Key: key, Rate: 1, Period: p.Every, Burst: p.Burst, Cost: cost}
}

// Limiters keeps one token bucket per key in this process. It is the
// fallback for a budget the hub cannot count per delivery (Sheets' write
// requests, each of which carries the rows of many deliveries) when no hub
// lends a plugins.Budget to take it from at request time: a connector used
// directly, or by an older hub. Limiters only knows this process's share;
// the hub's Budget and declared Pace limits are kept for every hub at once.
// The zero value is not usable; build one with NewLimiters.
type Limiters struct {
	every time.Duration
	burst int

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

// NewLimiters returns limiters that allow one request every `every` with
// bursts of `burst`. Over any window W a bucket lets through at most
// burst + W/every requests: pick both so that this stays under the API's
// published limit.
func NewLimiters(every time.Duration, burst int) *Limiters {
	return &Limiters{every: every, burst: burst, buckets: map[string]*rate.Limiter{}}
}

// Wait takes one token from key's bucket, waiting for it as long as ctx
// allows. When the wait would outlast ctx's deadline, or ctx ends first, it
// gives the token back at once and returns how long the caller would have
// had to wait, so the delivery can be retried later instead of blocking a
// worker. It returns 0 when the token was taken.
func (l *Limiters) Wait(ctx context.Context, key string) time.Duration {
	r := l.bucket(key).Reserve()
	delay := r.Delay()
	if delay == 0 {
		return 0
	}
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < delay {
		r.Cancel()
		return delay
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return 0
	case <-ctx.Done():
		r.Cancel()
		return delay
	}
}

func (l *Limiters) bucket(key string) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		b = rate.NewLimiter(rate.Every(l.every), l.burst)
		l.buckets[key] = b
	}
	return b
}
