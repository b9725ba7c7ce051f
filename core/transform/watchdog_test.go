package transform

import (
	"context"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/dop251/goja"
)

// When several runs are over budget, the watchdog stops only the one that
// has been running longest and starts the others' counts afresh, so that a
// neighbour of a run that grows memory is not stopped for its growth.
func TestWatchdogBlamesOneRunAtATime(t *testing.T) {
	w := &watchdog{budget: 100, flights: map[*flight]struct{}{}}
	oldest := &flight{rt: goja.New(), baseline: 1000}
	middle := &flight{rt: goja.New(), baseline: 1050}
	young := &flight{rt: goja.New(), baseline: 1190}
	fresh := &flight{rt: goja.New()} // not seen yet
	for _, f := range []*flight{oldest, middle, young, fresh} {
		w.flights[f] = struct{}{}
	}

	w.blame(1200) // oldest and middle are over budget; young is not
	if oldest.reason != errMemoryShared {
		t.Errorf("oldest: reason %v, want it stopped for memory, as a guess (others were in flight)", oldest.reason)
	}
	for name, f := range map[string]*flight{"middle": middle, "young": young, "fresh": fresh} {
		if f.reason != nil {
			t.Errorf("%s: reason %v, want it left running", name, f.reason)
		}
		if f.baseline != 1200 {
			t.Errorf("%s: baseline %d, want its count started afresh at 1200", name, f.baseline)
		}
	}
	if _, ok := w.flights[oldest]; ok || len(w.flights) != 3 {
		t.Errorf("flights = %d, want the stopped run no longer watched", len(w.flights))
	}

	w.blame(1250) // nobody is over budget since the restart
	if middle.reason != nil || young.reason != nil {
		t.Errorf("a run was stopped with no growth over budget since the last blame")
	}
	w.blame(1301) // the growth goes on: the next one is stopped
	stopped := 0
	for _, f := range []*flight{middle, young, fresh} {
		if f.reason == errMemoryShared {
			stopped++
		}
	}
	if stopped != 1 {
		t.Errorf("%d runs stopped, want exactly one", stopped)
	}
}

// A run over budget is blamed for certain only when it was alone for its
// whole count: no other run in flight, none started since the count began.
func TestWatchdogBlameIsSureOnlyForARunAlone(t *testing.T) {
	w := &watchdog{budget: 100, flights: map[*flight]struct{}{}}
	alone := &flight{rt: goja.New()}
	w.add(alone)
	w.blame(1000) // first look: the count starts
	w.blame(1101)
	if alone.reason != errMemory {
		t.Errorf("alone: reason %v, want errMemory", alone.reason)
	}

	w = &watchdog{budget: 100, flights: map[*flight]struct{}{}}
	grower := &flight{rt: goja.New()}
	w.add(grower)
	w.blame(1000)
	neighbour := &flight{rt: goja.New()} // starts and ends between two looks
	w.add(neighbour)
	w.remove(neighbour)
	w.blame(1101)
	if grower.reason != errMemoryShared {
		t.Errorf("grower: reason %v, want errMemoryShared (a neighbour ran during its count)", grower.reason)
	}
}

// TestWatchdogSleepsWhileIdle holds that the watchdog makes no check while
// no run is in flight, wakes when one starts, and sleeps again after.
func TestWatchdogSleepsWhileIdle(t *testing.T) {
	w := startWatchdog(1<<30, time.Millisecond)
	defer w.stop()
	time.Sleep(30 * time.Millisecond)
	if n := w.looks.Load(); n != 0 {
		t.Fatalf("%d checks while idle, want none", n)
	}
	f := &flight{}
	w.add(f)
	for deadline := time.Now().Add(5 * time.Second); w.looks.Load() < 3; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d checks in 5s with a run in flight, want ticks", w.looks.Load())
		}
	}
	w.remove(f)
	// A tick may still be on its way when the run ends; after it the count
	// must stop (a slow box may take a while to deliver that tick).
	for deadline := time.Now().Add(5 * time.Second); ; {
		before := w.looks.Load()
		time.Sleep(30 * time.Millisecond)
		if w.looks.Load() == before {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still checking 5s after the run ended (%d checks)", w.looks.Load())
		}
	}
}

// A run the watchdog stopped on a guess (errMemoryShared) runs once more on
// a count of its own; stopped again, it fails with the memory limit. A run
// stopped for certain (errMemory) fails at once. The test plays the
// watchdog: its budget is out of reach, and the test interrupts the run.
func TestRunStoppedOnAGuessRunsOnceMore(t *testing.T) {
	for _, tt := range []struct {
		name  string
		stops []error
	}{
		{"stopped on a guess twice", []error{errMemoryShared, errMemoryShared}},
		{"stopped for certain", []error{errMemory}},
		{"stopped on a guess, then for certain", []error{errMemoryShared, errMemory}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(t, Options{Timeout: time.Minute, MemoryBudget: 1 << 50})
			spin := mustCompile(t, "function transform(e) { for (;;) {} }")
			done := make(chan error, 1)
			go func() {
				_, err := e.Run(context.Background(), spin, testInput())
				done <- err
			}()
			var last *flight
			for i, reason := range tt.stops {
				f := waitForFlight(t, e.watchdog, last)
				if i > 0 && f == last {
					t.Fatalf("stop %d: the same flight, want a new run", i+1)
				}
				f.interrupt(reason)
				last = f
			}
			err := <-done
			if core.ErrorReason(err) != core.TransformMemoryLimit {
				t.Fatalf("err = %v (%s), want %s", err, core.ErrorReason(err), core.TransformMemoryLimit)
			}
			e.watchdog.mu.Lock()
			started := e.watchdog.started
			e.watchdog.mu.Unlock()
			if started != uint64(len(tt.stops)) {
				t.Errorf("%d runs, want %d", started, len(tt.stops))
			}
		})
	}
}

// waitForFlight returns the run in flight once it is not prev.
func waitForFlight(t *testing.T, w *watchdog, prev *flight) *flight {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		w.mu.Lock()
		for f := range w.flights {
			if f != prev {
				w.mu.Unlock()
				return f
			}
		}
		w.mu.Unlock()
	}
	t.Fatal("no run in flight after 10s")
	return nil
}
