package delivery

import (
	"testing"
	"time"
)

func TestInflightCapAndLine(t *testing.T) {
	tests := []struct {
		name       string
		limit      int
		maxWaiters int
		held       int // slots taken before the call
		want       bool
	}{
		{name: "under the cap", limit: 2, maxWaiters: 0, held: 1, want: true},
		{name: "at the cap, no line", limit: 2, maxWaiters: 0, held: 2, want: false},
		{name: "at the cap, nobody frees a slot", limit: 1, maxWaiters: 4, held: 1, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newInflight()
			for range tt.held {
				if !f.acquire("ep", tt.limit, tt.maxWaiters, 0) {
					t.Fatal("could not take a free slot")
				}
			}
			if got := f.acquire("ep", tt.limit, tt.maxWaiters, time.Millisecond); got != tt.want {
				t.Errorf("acquire = %v, want %v", got, tt.want)
			}
		})
	}
}

// A freed slot goes to the attempt waiting in line, not back to the cap.
func TestInflightHandsFreedSlotToWaiter(t *testing.T) {
	f := newInflight()
	if !f.acquire("ep", 1, 1, 0) {
		t.Fatal("could not take a free slot")
	}
	got := make(chan bool)
	go func() { got <- f.acquire("ep", 1, 1, time.Hour) }()
	eventually(t, "the second attempt to wait in line", func() bool { return f.waiting("ep") == 1 })
	if f.acquire("ep", 1, 1, 0) {
		t.Fatal("a newcomer took a slot while the line was full")
	}
	f.release("ep")
	if !<-got {
		t.Fatal("the waiter did not get the freed slot")
	}
	if f.acquire("ep", 1, 1, 0) {
		t.Error("the cap was exceeded after the hand-over")
	}
	f.release("ep")
	if len(f.targets) != 0 {
		t.Errorf("an idle target is still tracked: %v", f.targets)
	}
}

func (f *inflight) waiting(target string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if t := f.targets[target]; t != nil {
		return len(t.waiters)
	}
	return 0
}
