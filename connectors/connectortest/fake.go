package connectortest

import (
	"sync"
	"time"
)

// FailureQueue holds the canned answers a connector's fake gives instead of
// serving its next requests (fake.Fail(...)), so that "the next request
// fails this way" works the same in every fake. F is the fake's own Failure
// type. It is safe for concurrent use; the zero value is an empty queue.
type FailureQueue[F any] struct {
	mu     sync.Mutex
	queued []F
}

// Push queues answers, one per coming request, in order.
func (q *FailureQueue[F]) Push(f ...F) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.queued = append(q.queued, f...)
}

// Pop takes the first queued answer that applies to the request at hand
// (applies nil: the first one), so a fake can aim an answer at one path.
func (q *FailureQueue[F]) Pop(applies func(F) bool) (F, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, f := range q.queued {
		if applies == nil || applies(f) {
			q.queued = append(q.queued[:i], q.queued[i+1:]...)
			return f, true
		}
	}
	var none F
	return none, false
}

// RollingWindow counts requests over a sliding window, the way HubSpot's
// ten-secondly limit and Google's per-minute quota count them, so a fake
// turns a request away exactly when the real API would. It is not safe for
// concurrent use: the fake calls Take under its own lock, with the limit it
// currently has. The zero value is an empty window.
type RollingWindow struct {
	times   []time.Time
	refused int
}

// Take counts a request at now if fewer than limit were counted in the
// window before it, and says how many remain; otherwise it refuses the
// request and counts the refusal.
func (w *RollingWindow) Take(now time.Time, limit int, window time.Duration) (remaining int, ok bool) {
	kept := w.times[:0]
	for _, t := range w.times {
		if now.Sub(t) < window {
			kept = append(kept, t)
		}
	}
	w.times = kept
	if len(w.times) >= limit {
		w.refused++
		return 0, false
	}
	w.times = append(w.times, now)
	return limit - len(w.times), true
}

// Refused says how many requests Take turned away, for a fake's
// RateLimited.
func (w *RollingWindow) Refused() int { return w.refused }
