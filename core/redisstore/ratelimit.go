package redisstore

import (
	"context"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"github.com/bellhop/bellhop/core"
)

// AllowRequest counts one request against keyID's limit of perMinute
// requests a minute (a burst of perMinute, refilled evenly), with the same
// GCRA limiter (redis_rate, on Redis's clock) as the targets' and
// connectors' shared limits. perMinute is at most 60,000,000 (one a
// microsecond); below 1 it is treated as 1. A denied request is not
// counted.
//
// A busy key does not cost a round trip a request: its hub takes several
// requests at once and spends them itself (requestLease).
func (s *Store) AllowRequest(ctx context.Context, keyID string, perMinute int) (core.RateLimit, error) {
	perMinute = min(max(perMinute, 1), 60_000_000)
	key := s.globalKey("ratelimit", keyID)
	l := s.leases.get(key)
	now := s.leases.clock()
	l.mu.Lock()
	if l.perMinute != perMinute { // a new key, or its limit changed
		l.leaseState = leaseState{perMinute: perMinute, size: 1}
	}
	if rl, ok := l.spend(now); ok {
		l.mu.Unlock()
		return rl, nil
	}
	// One request at a time takes a lease; the others meanwhile take one
	// request each, as every request did before leases, so that none waits
	// on another's round trip (nor, with Redis down, on its timeout).
	n, leader := 1, !l.taking
	if leader {
		l.taking, n = true, l.nextSize(now)
	}
	l.mu.Unlock()
	limit := redis_rate.Limit{Rate: perMinute, Period: time.Minute, Burst: perMinute}
	res, err := redis_rate.NewLimiter(s.hot).AllowAtMost(ctx, key, limit, n)
	l.mu.Lock()
	defer l.mu.Unlock()
	if leader {
		l.taking = false
	}
	if err != nil {
		return core.RateLimit{}, storeErr("rate limit", err)
	}
	return l.took(now, res, leader), nil
}

// leaseTTL is how long a hub may spend the requests it took: what is left
// after it is dropped, not handed back, which GCRA cannot do.
const leaseTTL = 200 * time.Millisecond

// A requestLease is what one hub took in advance from one API key's limit.
// Every API request cost a round trip and a script in Redis for its key's
// limit, a sixth of Redis's work and a round trip of each publish's few.
// Taking several at once, with redis_rate's AllowAtMost on the same key,
// keeps the limit's meaning:
//
//   - it is never exceeded, over any number of hubs: a request is taken in
//     Redis before any hub lets it through;
//   - a hub may let a key's 429 come sooner by what it took and did not
//     spend within leaseTTL: at most maxSize, a fifth of a second of the
//     limit, and nothing is taken ahead while Redis holds less than a
//     second's worth, so that near its limit a key is counted request by
//     request, as before (and exactly while its limit is below 300 a
//     minute);
//   - a lease doubles while its hub spends each one within leaseTTL and
//     halves when one ends unspent, so a quiet key still takes one at a
//     time;
//   - a denial is kept until the time Redis named: no request of the key
//     can be allowed before it, by any hub, so a client that keeps asking
//     costs Redis nothing meanwhile.
type requestLease struct {
	mu sync.Mutex
	leaseState
}

type leaseState struct {
	perMinute int
	size      int       // how many requests the next take asks for
	tokens    int       // taken and not yet spent
	taken     time.Time // when: the tokens are dropped leaseTTL later
	remaining int       // what Redis had left after the take
	reset     time.Time // when Redis's bucket is full again
	deniedTo  time.Time // no request is allowed before this
	taking    bool      // a request is taking the next lease
}

// spend lets one request through from the lease, or answers a kept
// denial; ok is false when Redis must be asked.
func (l *requestLease) spend(now time.Time) (rl core.RateLimit, ok bool) {
	if now.Before(l.deniedTo) {
		return l.denied(l.deniedTo.Sub(now)), true
	}
	if l.tokens > 0 && now.Sub(l.taken) < leaseTTL {
		l.tokens--
		return l.allowed(), true
	}
	return core.RateLimit{}, false
}

// nextSize says how many requests to take, from how the last lease went.
func (l *requestLease) nextSize(now time.Time) int {
	switch maxSize := max(1, l.perMinute/300); {
	case l.remaining < l.perMinute/60:
		l.size = 1
	case l.tokens > 0: // ended with some unspent
		l.size = max(1, l.size/2)
	case now.Sub(l.taken) < leaseTTL: // spent before it ended
		l.size = min(2*l.size, maxSize)
	}
	return l.size
}

// took records what Redis answered a take and lets the request that asked
// through, or denies it. A denial holds for every request of the key; a
// take of one request that was not the lease's leaves the lease as it is.
func (l *requestLease) took(now time.Time, res *redis_rate.Result, lease bool) core.RateLimit {
	if res.Allowed < 1 {
		wait := max(res.RetryAfter, 0)
		l.tokens, l.size, l.remaining, l.deniedTo = 0, 1, 0, now.Add(wait)
		l.reset = now.Add(res.ResetAfter)
		return l.denied(wait)
	}
	if !lease {
		return core.RateLimit{Allowed: true, Limit: l.perMinute, Remaining: res.Remaining + l.tokens, Reset: now.Add(res.ResetAfter)}
	}
	l.tokens, l.taken, l.remaining = res.Allowed-1, now, res.Remaining
	l.reset = now.Add(res.ResetAfter)
	return l.allowed()
}

func (l *requestLease) allowed() core.RateLimit {
	return core.RateLimit{Allowed: true, Limit: l.perMinute, Remaining: l.remaining + l.tokens, Reset: l.reset}
}

func (l *requestLease) denied(wait time.Duration) core.RateLimit {
	return core.RateLimit{Limit: l.perMinute, RetryAfter: wait, Reset: l.reset}
}

// requestLeases holds a hub's lease of each API key it has served lately.
type requestLeases struct {
	mu    sync.Mutex
	byKey map[string]*requestLease
	swept time.Time
	now   func() time.Time // nil: time.Now; tests that move Redis's clock move it too
}

func (ls *requestLeases) clock() time.Time {
	if ls.now != nil {
		return ls.now()
	}
	return time.Now()
}

// get returns key's lease, made on first use. Once a minute it forgets the
// leases nobody is using whose tokens are long dropped, so that a hub
// serving many keys over time keeps only the recent ones.
func (ls *requestLeases) get(key string) *requestLease {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	now := ls.clock()
	if now.Sub(ls.swept) > time.Minute {
		for k, l := range ls.byKey {
			if l.mu.TryLock() {
				if now.Sub(l.taken) > time.Minute && now.After(l.deniedTo) {
					delete(ls.byKey, k)
				}
				l.mu.Unlock()
			}
		}
		ls.swept = now
	}
	l := ls.byKey[key]
	if l == nil {
		if ls.byKey == nil {
			ls.byKey = make(map[string]*requestLease)
		}
		l = new(requestLease)
		ls.byKey[key] = l
	}
	return l
}
