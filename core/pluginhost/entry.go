package pluginhost

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/plugins"
)

// stableAfter is how long a plugin must run before its crash counts as a
// first failure again, so a plugin that crashes once a day restarts at once
// while one that crashes on start backs off.
const stableAfter = time.Minute

// entry is one connector plugin of the directory and its current process.
type entry struct {
	m    *Manager
	name string
	path string

	mu        sync.Mutex // held while starting, so concurrent callers share one start
	p         *plugins.Plugin
	started   time.Time
	desc      plugins.Description
	described bool
	state     State
	err       error
	failures  int       // failures in a row, for the backoff
	notBefore time.Time // no start attempt before this
	restarts  int
	modTime   time.Time
}

func newEntry(m *Manager, name, path string) *entry {
	return &entry{m: m, name: name, path: path, state: StateAvailable}
}

// ensure returns the running process, starting or restarting it if needed.
// Returns EUNAVAILABLE while a crashed plugin waits out its backoff, when it
// cannot be started, or after Close.
func (e *entry) ensure(ctx context.Context) (*plugins.Plugin, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.m.closed.Load() {
		return nil, core.Errorf(core.EUNAVAILABLE, "The plugin host is shut down.")
	}
	if e.p != nil && !e.p.Exited() {
		return e.p, nil
	}
	if old := e.p; old != nil {
		e.crashedLocked(fmt.Errorf("plugin process %d exited", old.Pid()))
		old.Close() // already exited: this only reaps it and go-plugin's goroutines
	}
	if wait := time.Until(e.notBefore); wait > 0 {
		return nil, core.Errorf(core.EUNAVAILABLE, "Connector %q is restarting after a failure; retry in %s.", e.name, wait.Round(time.Millisecond))
	}
	return e.startLocked(ctx)
}

func (e *entry) startLocked(ctx context.Context) (*plugins.Plugin, error) {
	log := e.m.cfg.Logger
	p, err := plugins.Open(e.path, plugins.WithLogger(log), plugins.WithStartTimeout(e.m.cfg.StartTimeout))
	if err != nil {
		return nil, e.failLocked(err)
	}
	dctx, cancel := context.WithTimeout(ctx, e.m.cfg.StartTimeout)
	defer cancel()
	d, err := p.Describe(dctx)
	if err == nil && d.Name != e.name {
		err = core.Errorf(core.EUNAVAILABLE, "%s describes itself as connector %q; rename the file %s%s.", e.path, d.Name, BinaryPrefix, d.Name)
	}
	if err == nil && e.m.closed.Load() {
		err = core.Errorf(core.EUNAVAILABLE, "The plugin host is shut down.")
	}
	if err != nil {
		p.Close()
		return nil, e.failLocked(err)
	}
	if e.described {
		e.restarts++
	}
	e.p, e.started, e.desc, e.described = p, time.Now(), d, true
	e.state, e.err = StateRunning, nil
	log.Info("connector plugin started", "plugin", e.name, "version", d.Version, "pid", p.Pid(), "restarts", e.restarts)
	return p, nil
}

// failLocked records a failed start and schedules the next attempt.
func (e *entry) failLocked(err error) error {
	e.state, e.err = StateError, err
	e.failures++
	e.notBefore = time.Now().Add(e.backoff())
	e.m.cfg.Logger.Error("connector plugin failed to start", "plugin", e.name, "error", err)
	return err
}

// crashedLocked forgets a process that died or hangs and schedules its
// restart; the caller closes the process.
func (e *entry) crashedLocked(why error) {
	if time.Since(e.started) > stableAfter {
		e.failures = 0
	}
	e.failures++
	e.p, e.state, e.err = nil, StateCrashed, why
	e.notBefore = time.Now().Add(e.backoff())
	e.m.cfg.Logger.Warn("connector plugin crashed", "plugin", e.name, "error", why, "failures", e.failures)
}

// backoff is the wait before the next start: none after a first failure,
// then doubling from MinBackoff up to MaxBackoff.
func (e *entry) backoff() time.Duration {
	if e.failures <= 1 {
		return 0
	}
	d := e.m.cfg.MinBackoff << min(e.failures-2, 20)
	return min(d, e.m.cfg.MaxBackoff)
}

// kill stops p if it is still the current process: the host calls it when p
// stopped answering, so the next call starts a fresh one.
func (e *entry) kill(p *plugins.Plugin, why error) {
	e.mu.Lock()
	current := e.p == p
	if current {
		e.crashedLocked(why)
	}
	e.mu.Unlock()
	if current {
		p.Close() // outside the lock: a wedged plugin takes two seconds to kill
	}
}

// stop ends the process for good (Close, or the binary was removed).
func (e *entry) stop() {
	e.mu.Lock()
	p := e.p
	e.p = nil
	if p != nil {
		e.state = StateAvailable
	}
	e.mu.Unlock()
	if p != nil {
		p.Close()
	}
}

// noteModTime restarts the plugin on next use when its binary was rebuilt.
func (e *entry) noteModTime(t time.Time) {
	e.mu.Lock()
	changed := !e.modTime.IsZero() && !t.Equal(e.modTime)
	e.modTime = t
	if changed {
		e.described, e.failures, e.notBefore = false, 0, time.Time{}
	}
	e.mu.Unlock()
	if changed {
		e.stop()
	}
}

func (e *entry) isDescribed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.described
}

func (e *entry) info() ConnectorInfo {
	e.mu.Lock()
	defer e.mu.Unlock()
	info := ConnectorInfo{Name: e.name, Path: e.path, State: e.state, Description: e.desc, Restarts: e.restarts}
	if e.p != nil && e.p.Exited() {
		info.State = StateCrashed
	} else if e.p != nil {
		info.Pid = e.p.Pid()
	}
	if e.err != nil && info.State != StateRunning {
		info.Error = core.ErrorMessage(e.err)
	}
	return info
}
