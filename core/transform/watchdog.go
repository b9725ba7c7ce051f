package transform

import (
	"errors"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
)

// errMemory and errTimeout are the reasons a run is interrupted with.
// errMemoryShared is errMemory when the blame was a guess: other runs were
// in flight while the stopped run's count grew (see watchdog), so the run
// gets one more chance (Engine.Run).
var (
	errMemory       = errors.New("memory limit exceeded")
	errMemoryShared = errors.New("memory limit exceeded beside other runs")
	errTimeout      = errors.New("time limit exceeded")
)

// flight is one run in progress, as the timers and the watchdog see it. Its
// lock makes sure nothing interrupts a runtime after its run has finished
// and it went back to the pool.
type flight struct {
	mu       sync.Mutex
	rt       *goja.Runtime
	done     bool
	baseline uint64 // process heap allocations when the watchdog first saw the run; 0 until then
	starts   uint64 // the watchdog's count of runs started, when baseline was taken
	reason   error  // why the run was interrupted, if it was
}

func (f *flight) interrupt(reason error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.done || f.reason != nil {
		return
	}
	f.reason = reason
	f.rt.Interrupt(reason)
}

// finish marks the run over and returns why it was interrupted, if it was.
func (f *flight) finish() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.done = true
	return f.reason
}

// watchdog bounds how much memory a run may allocate. goja has no memory
// limit, and Go cannot attribute allocations to a goroutine, so it samples
// the process's cumulative heap allocations (runtime/metrics, no
// stop-the-world) every interval and counts, for each run in flight, what
// the process allocated since the run started.
//
// When runs of several tenants overlap, each count includes the others'
// allocations, so the watchdog blames one run at a time: of the runs over
// budget, the one that has been running longest (it has seen the most of
// the growth, and a normal transform lasts microseconds, so a run that has
// been in flight for the milliseconds it takes to allocate the budget is the
// likely culprit). It stops that run alone and starts the others' counts
// afresh, so that a neighbour is not stopped for the growth already blamed;
// if the growth goes on, the next longest is stopped at the next look.
//
// That guess can be wrong: on a busy box a neighbour's short run may wait
// for a core for milliseconds, long enough to be the oldest in flight when
// a hostile run's growth crosses the budget. So a run stopped while other
// runs started or were in flight during its count is stopped with
// errMemoryShared, and Engine.Run runs it once more on a fresh count; a
// run that really grows is stopped again, an innocent one finishes. A run
// alone in its window is stopped with errMemory, no second chance.
//
// While no run is in flight it does not tick at all: it waits for the next
// run to start (wake), so an idle hub is not woken a thousand times a
// second for nothing.
type watchdog struct {
	budget   uint64
	interval time.Duration
	mu       sync.Mutex
	flights  map[*flight]struct{}
	started  uint64        // runs added so far, so that a blame knows whether it was shared
	wake     chan struct{} // a run started while there were none; buffered 1
	quit     chan struct{}
	once     sync.Once
	sample   []metrics.Sample
	looks    atomic.Int64 // checks made, for tests
}

func startWatchdog(budget int64, interval time.Duration) *watchdog {
	w := &watchdog{
		budget:   uint64(budget),
		interval: interval,
		flights:  map[*flight]struct{}{},
		wake:     make(chan struct{}, 1),
		quit:     make(chan struct{}),
		sample:   []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}},
	}
	go w.loop()
	return w
}

func (w *watchdog) stop() { w.once.Do(func() { close(w.quit) }) }

func (w *watchdog) add(f *flight) {
	w.mu.Lock()
	w.flights[f] = struct{}{}
	w.started++
	first := len(w.flights) == 1
	w.mu.Unlock()
	if first {
		select { // a token already waiting wakes the loop as well
		case w.wake <- struct{}{}:
		default:
		}
	}
}

func (w *watchdog) remove(f *flight) {
	w.mu.Lock()
	delete(w.flights, f)
	w.mu.Unlock()
}

func (w *watchdog) loop() {
	t := time.NewTicker(w.interval)
	defer t.Stop()
	for {
		if w.idle() {
			t.Stop()
			select {
			case <-w.quit:
				return
			case <-w.wake:
			}
			t.Reset(w.interval)
		}
		select {
		case <-w.quit:
			return
		case <-t.C:
			w.check()
		}
	}
}

// idle reports whether no run is in flight.
func (w *watchdog) idle() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.flights) == 0
}

func (w *watchdog) check() {
	w.looks.Add(1)
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.flights) == 0 {
		return
	}
	metrics.Read(w.sample)
	if w.sample[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	w.blame(w.sample[0].Value.Uint64())
}

// blame stops the run to blame when the process has allocated now bytes in
// all: of the runs over budget, the longest-running one, with
// errMemoryShared if any other run started or was in flight since its count
// began. w.mu is held.
func (w *watchdog) blame(now uint64) {
	var culprit *flight
	for f := range w.flights {
		switch {
		case f.baseline == 0:
			f.baseline, f.starts = now, w.started
		case now-f.baseline > w.budget && (culprit == nil || f.baseline < culprit.baseline):
			culprit = f
		}
	}
	if culprit == nil {
		return
	}
	reason := errMemory
	if len(w.flights) > 1 || w.started != culprit.starts {
		reason = errMemoryShared
	}
	culprit.interrupt(reason)
	delete(w.flights, culprit)
	for f := range w.flights {
		f.baseline, f.starts = now, w.started
	}
}
