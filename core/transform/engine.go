package transform

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/dlclark/regexp2/v2"
	"github.com/dop251/goja"
)

// Limits every run is held to. The zero value of a field means its default.
type Options struct {
	// Timeout is the wall-clock limit of one run. Default 50 ms; at most 1 s.
	Timeout time.Duration
	// MaxStackDepth bounds the JavaScript call stack. Default 256 frames.
	MaxStackDepth int
	// MaxInputBytes bounds the event's JSON. Default 1 MiB.
	MaxInputBytes int
	// MaxOutputBytes bounds the JSON a script returns. Default 256 KiB.
	MaxOutputBytes int
	// MaxLogBytes bounds the console output kept per run. Default 8 KiB.
	MaxLogBytes int
	// MaxLogLines bounds the console calls kept per run. Default 100.
	MaxLogLines int
	// MaxStringLen bounds the strings and arrays that builtins which multiply
	// their input (repeat, padStart, join, JSON.stringify, Array(n)…) may
	// produce in one call. Default 4 Mi.
	MaxStringLen int
	// MemoryBudget is how many bytes the process may allocate while one run
	// is in flight before the watchdog interrupts the run. Default 64 MiB.
	MemoryBudget int64
	// WatchInterval is how often the memory watchdog looks. Default 1 ms.
	WatchInterval time.Duration
	// Observer hears how every run ended and how long it took, for
	// metrics. Default: none.
	Observer Observer
}

// MaxTimeout is the longest time limit a run may be given.
const MaxTimeout = time.Second

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = 50 * time.Millisecond
	}
	o.Timeout = min(o.Timeout, MaxTimeout)
	o.MaxStackDepth = orDefault(o.MaxStackDepth, 256)
	o.MaxInputBytes = orDefault(o.MaxInputBytes, 1<<20)
	o.MaxOutputBytes = orDefault(o.MaxOutputBytes, 256<<10)
	o.MaxLogBytes = orDefault(o.MaxLogBytes, 8<<10)
	o.MaxLogLines = orDefault(o.MaxLogLines, 100)
	o.MaxStringLen = orDefault(o.MaxStringLen, 4<<20)
	if o.MemoryBudget <= 0 {
		o.MemoryBudget = 64 << 20
	}
	if o.WatchInterval <= 0 {
		o.WatchInterval = time.Millisecond
	}
	if o.Observer == nil {
		o.Observer = nopObserver{}
	}
	return o
}

func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// Engine runs compiled scripts on a pool of goja runtimes. It is safe for
// concurrent use: each run borrows a runtime of its own. Close it to stop its
// memory watchdog.
type Engine struct {
	opts     Options
	free     chan *vm
	watchdog *watchdog
	created  atomic.Int64
	lockdown *goja.Program
	freeze   *goja.Program
}

// maxMatchTime bounds one regular-expression match. goja runs patterns Go's
// regexp cannot (lookahead, backreferences) on regexp2, which backtracks
// and never looks at the runtime's interrupt: /^(?=(a+)+b)/ on 32 a's
// would spin for minutes after the run's time limit. regexp2 only takes a
// process-wide default, so every engine shares this one bound; a match that
// hits it finds nothing, and the run's own limit ends the run.
const maxMatchTime = 50 * time.Millisecond

var boundMatches sync.Once

// New returns an Engine with the given limits and starts its watchdog.
func New(opts Options) *Engine {
	boundMatches.Do(func() { regexp2.DefaultMatchTimeout = maxMatchTime })
	opts = opts.withDefaults()
	e := &Engine{opts: opts, free: make(chan *vm, 64)}
	e.lockdown = goja.MustCompile("lockdown.js", lockdown, true) // constants: cannot fail
	e.freeze = goja.MustCompile("freeze.js", deepFreeze, true)
	e.watchdog = startWatchdog(opts.MemoryBudget, opts.WatchInterval)
	return e
}

// Close stops the watchdog. Runs still in flight finish without it.
func (e *Engine) Close() { e.watchdog.stop() }

// Options returns the limits in force, defaults filled in.
func (e *Engine) Options() Options { return e.opts }

// RuntimesCreated says how many runtimes the pool has made, for tests and
// metrics: it stays small when runtimes are reused.
func (e *Engine) RuntimesCreated() int64 { return e.created.Load() }

func (e *Engine) getVM() (*vm, error) {
	select {
	case v := <-e.free:
		return v, nil
	default:
	}
	v, err := newVM(e.opts, e.lockdown, e.freeze)
	if err != nil {
		return nil, err
	}
	e.created.Add(1)
	return v, nil
}

func (e *Engine) putVM(v *vm) {
	select {
	case e.free <- v:
	default: // the pool is full: let this one go
	}
}

// scriptError is an EINVALID error about a run, the kind that fails a
// delivery for good.
func scriptError(format string, args ...any) error {
	return runFailure(core.TransformScriptError, format, args...)
}
