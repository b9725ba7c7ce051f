package connectortest_test

import (
	"testing"
	"time"

	"github.com/bellhop/bellhop/connectors/connectortest"
)

func TestFailureQueuePop(t *testing.T) {
	var q connectortest.FailureQueue[string]
	q.Push("/a 429", "/b 502", "/a 500")
	onB := func(f string) bool { return f[:2] == "/b" }
	tests := []struct {
		name    string
		applies func(string) bool
		want    string
		wantOK  bool
	}{
		{"aimed at /b skips the others", onB, "/b 502", true},
		{"first of the rest", nil, "/a 429", true},
		{"none left for /b", onB, "", false},
		{"last one", nil, "/a 500", true},
		{"empty", nil, "", false},
	}
	for _, tt := range tests {
		got, ok := q.Pop(tt.applies)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("%s: Pop = %q, %v; want %q, %v", tt.name, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestRollingWindowTake(t *testing.T) {
	var w connectortest.RollingWindow
	start := time.Date(2026, 5, 12, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		after         time.Duration
		wantRemaining int
		wantOK        bool
	}{
		{0, 1, true},
		{time.Second, 0, true},
		{2 * time.Second, 0, false}, // two in the last 10 s
		{10 * time.Second, 0, true}, // the first has left the window
		{11 * time.Second, 0, true}, // and so has the second
		{12 * time.Second, 0, false},
	}
	for _, tt := range tests {
		remaining, ok := w.Take(start.Add(tt.after), 2, 10*time.Second)
		if remaining != tt.wantRemaining || ok != tt.wantOK {
			t.Errorf("Take at +%v = %d, %v; want %d, %v", tt.after, remaining, ok, tt.wantRemaining, tt.wantOK)
		}
	}
	if got := w.Refused(); got != 2 {
		t.Errorf("Refused = %d, want 2", got)
	}
}
