package transform

import (
	"context"
	"fmt"
	"sync"

	"github.com/bellhop/bellhop/core"
)

// Runner is the core.TransformRunner the delivery engine calls: it loads a
// script's latest version from the store, compiles it once per version (the
// compiled program is cached), and runs it on the engine.
type Runner struct {
	engine *Engine
	store  core.ScriptStore
	mu     sync.Mutex
	cache  map[programKey]*Program
	max    int
}

var _ core.TransformRunner = (*Runner)(nil)

type programKey struct {
	scope   core.Scope
	id      string
	version int
}

// NewRunner returns a Runner on engine and store, caching up to 1,000
// compiled versions.
func NewRunner(engine *Engine, store core.ScriptStore) *Runner {
	return &Runner{engine: engine, store: store, cache: map[programKey]*Program{}, max: 1000}
}

// RunTransform runs the latest version of script scriptID of scope on ev for
// target. When a run fails it returns the error and, if the script ran at
// all, its result (logs, version): EINVALID for a script error, a timeout or
// a broken limit (the message names the line and column), ENOTFOUND if the
// script does not exist, and an uncoded error when the store or ctx failed
// (worth a retry).
func (r *Runner) RunTransform(ctx context.Context, scope core.Scope, scriptID string, ev *core.Event, target core.Target, attempt int) (*core.TransformResult, error) {
	sc, err := r.store.FindScript(ctx, scope, scriptID)
	if err != nil {
		return nil, err
	}
	p, err := r.Program(scope, sc)
	if err != nil {
		return nil, err
	}
	res, err := r.engine.Run(ctx, p, Input{Event: ev, Target: target, Attempt: attempt})
	if res != nil {
		res.Version = sc.Version
	}
	return res, err
}

// Program returns the compiled program of one script version, compiling it on
// first use. Returns EINVALID (param source) if the source does not compile.
func (r *Runner) Program(scope core.Scope, sc *core.Script) (*Program, error) {
	key := programKey{scope: scope, id: sc.ID, version: sc.Version}
	r.mu.Lock()
	p, ok := r.cache[key]
	r.mu.Unlock()
	if ok {
		return p, nil
	}
	p, err := Compile(fmt.Sprintf("%s@v%d.js", sc.ID, sc.Version), sc.Source)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	if len(r.cache) >= r.max {
		clear(r.cache) // simpler than LRU; recompiling is cheap and rare
	}
	r.cache[key] = p
	r.mu.Unlock()
	return p, nil
}

// Engine returns the engine the runner runs on, for callers that run unsaved
// source (the API's test endpoint, the command line).
func (r *Runner) Engine() *Engine { return r.engine }
