package connectors

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiters keeps one token bucket per key (a Slack channel, a HubSpot
// token, a Google service account), so that a connector stays under the
// remote API's limit instead of learning about it from 429s. The zero value
// is not usable; build one with NewLimiters.
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

// KeyOf turns a secret (a token, a webhook URL) into a limiter key, so the
// secret itself is not kept around longer than the request that needs it.
func KeyOf(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:8])
}
