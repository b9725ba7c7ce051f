package delivery

import (
	"context"
	"testing"
)

// Running is true while Run serves the streams, and false before and after:
// the hub's health recorder reports it on /status.
func TestRunning(t *testing.T) {
	h := newHarness(t)
	e := newEngine(h.options())
	if e.Running() {
		t.Fatal("Running before Run")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- e.Run(ctx) }()
	eventually(t, "the engine to run", e.Running)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if e.Running() {
		t.Fatal("Running after Run returned")
	}
}
