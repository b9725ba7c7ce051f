package delivery

import "sync"

// inflight counts the attempts in flight per target in this process, so
// that a slow target holds at most its cap of the shared worker slots.
type inflight struct {
	mu sync.Mutex
	n  map[string]int
}

func newInflight() *inflight { return &inflight{n: map[string]int{}} }

// tryAcquire takes a slot of target's cap without waiting and reports
// whether it got one.
func (f *inflight) tryAcquire(target string, limit int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n[target] >= limit {
		return false
	}
	f.n[target]++
	return true
}

func (f *inflight) release(target string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n[target]--; f.n[target] <= 0 {
		delete(f.n, target)
	}
}
