package delivery

import (
	"context"
	"sync"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
)

// limits are the rate limits every hub shares, kept in Redis: an
// endpoint's rate_limit (the worker takes it before an attempt) and a
// connector's declared limits (Connections.takeLimits). Each returns how
// long the delivery must wait, 0 to go now. They are their own job because
// they are the only shared counters on the hot path besides the queue;
// the per-process caps beside them (inflight, fairShare) need no store.
type limits interface {
	TakeTargetRate(ctx context.Context, scope core.Scope, targetID string, perSecond int) (time.Duration, error)
	TakeConnectorRate(ctx context.Context, scope core.Scope, connector, name, key string, r redisstore.Rate, cost int) (time.Duration, error)
}

// inflight counts the requests in flight per target in this process, so
// that a slow target holds at most its cap of them, and lets a bounded
// number of attempts wait in line for a slot instead of going back to Redis
// at once: a busy but healthy target is then fed from memory, while a
// hanging one fills its line and the rest are deferred as before.
type inflight struct {
	mu      sync.Mutex
	targets map[string]*targetSlots
}

// targetSlots is one target's requests in flight and its line of waiters,
// first come first served. A freed slot is handed to the first waiter
// directly, so a newcomer cannot jump the line.
type targetSlots struct {
	n       int
	waiters []chan struct{}
}

func newInflight() *inflight { return &inflight{targets: map[string]*targetSlots{}} }

// acquire takes a slot of target's cap, waiting up to wait for one when
// fewer than maxWaiters already wait, and reports whether it got one.
func (f *inflight) acquire(target string, limit, maxWaiters int, wait time.Duration) bool {
	f.mu.Lock()
	t := f.targets[target]
	if t == nil {
		t = &targetSlots{}
		f.targets[target] = t
	}
	if t.n < limit {
		t.n++
		f.mu.Unlock()
		return true
	}
	if len(t.waiters) >= maxWaiters || wait <= 0 {
		f.mu.Unlock()
		return false
	}
	ch := make(chan struct{}, 1)
	t.waiters = append(t.waiters, ch)
	f.mu.Unlock()

	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-ch:
		return true
	case <-timer.C:
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	select {
	case <-ch: // handed a slot as the wait ran out
		return true
	default:
	}
	for i, w := range t.waiters {
		if w == ch {
			t.waiters = append(t.waiters[:i], t.waiters[i+1:]...)
			break
		}
	}
	f.forget(target, t)
	return false
}

// release frees a slot: to the first waiter if any, else to the cap.
func (f *inflight) release(target string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := f.targets[target]
	if t == nil {
		return
	}
	if len(t.waiters) > 0 {
		ch := t.waiters[0]
		t.waiters = t.waiters[1:]
		ch <- struct{}{} // buffered and sent once: never blocks
		return
	}
	t.n--
	f.forget(target, t)
}

// forget drops an idle target's entry so the map does not grow with every
// target ever served. Called with f.mu held.
func (f *inflight) forget(target string, t *targetSlots) {
	if t.n <= 0 && len(t.waiters) == 0 {
		delete(f.targets, target)
	}
}
