package transform

import (
	"testing"
	"time"

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
	if oldest.reason != errMemory {
		t.Errorf("oldest: reason %v, want it stopped for memory", oldest.reason)
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
		if f.reason == errMemory {
			stopped++
		}
	}
	if stopped != 1 {
		t.Errorf("%d runs stopped, want exactly one", stopped)
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
