package pluginhost

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/plugins"
)

// BinaryPrefix starts the file name of every connector plugin: the binary of
// connector "slack" is bellhop-connector-slack.
const BinaryPrefix = "bellhop-connector-"

// DefaultDir is the plugin directory when BELLHOP_PLUGIN_DIR is not set; it
// is where `make plugins` builds the prebuilt connectors.
const DefaultDir = "bin/plugins"

// DirFromEnv returns the plugin directory: BELLHOP_PLUGIN_DIR, or DefaultDir.
func DirFromEnv(getenv func(string) string) string {
	if d := getenv("BELLHOP_PLUGIN_DIR"); d != "" {
		return d
	}
	return DefaultDir
}

// Config says where the plugins are and how patient to be with them. Zero
// durations take the defaults.
type Config struct {
	Dir          string        // the plugin directory (see DirFromEnv)
	Logger       *slog.Logger  // receives go-plugin's and the plugins' logs; default slog.Default()
	CallTimeout  time.Duration // longest a single call may take; default 30s
	StartTimeout time.Duration // longest a plugin may take to start and describe itself; default 10s
	MinBackoff   time.Duration // wait before the second restart in a row; default 250ms
	MaxBackoff   time.Duration // longest wait between restarts; default 30s
	// Observer hears of every call to a plugin, for metrics. Default: none.
	Observer Observer
}

// Observer hears of the calls the host makes to its plugins, for an
// operator's metrics (the hub wires core/prom's). It is called once per
// call, on the delivery path: an implementation must be cheap and must
// not block. Which plugins run, and how often they restarted, is read from
// Manager.States instead.
type Observer interface {
	// PluginCalled reports one call, method (deliver, check, validate,
	// describe, options, limits), to connector's plugin that took took and
	// returned err.
	PluginCalled(connector, method string, took time.Duration, err error)
}

// nopObserver is the Observer of a Manager given none.
type nopObserver struct{}

func (nopObserver) PluginCalled(string, string, time.Duration, error) {}

func (c *Config) defaults() {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.CallTimeout == 0 {
		c.CallTimeout = 30 * time.Second
	}
	if c.StartTimeout == 0 {
		c.StartTimeout = 10 * time.Second
	}
	if c.MinBackoff == 0 {
		c.MinBackoff = 250 * time.Millisecond
	}
	if c.MaxBackoff == 0 {
		c.MaxBackoff = 30 * time.Second
	}
	if c.Observer == nil {
		c.Observer = nopObserver{}
	}
}

// Manager runs the connector plugins of one directory for the hub. It finds
// the binaries each time it is asked (so a newly built plugin shows up
// without a restart), starts a plugin on first use, restarts one that
// crashed, and stops them all on Close. It is safe for concurrent use.
type Manager struct {
	cfg    Config
	closed atomic.Bool

	mu      sync.Mutex
	entries map[string]*entry
}

// New returns a Manager over cfg.Dir. It starts nothing: plugins start on
// first use.
func New(cfg Config) *Manager {
	cfg.defaults()
	return &Manager{cfg: cfg, entries: map[string]*entry{}}
}

// State is where a connector plugin stands.
type State string

// The states of a connector plugin.
const (
	StateAvailable State = "available" // found in the directory, not running
	StateRunning   State = "running"   // its process answers
	StateCrashed   State = "crashed"   // its process died; restarted on next use, after a backoff
	StateError     State = "error"     // it cannot be started or is not a Bellhop connector
)

// ConnectorInfo is what the hub shows about one connector plugin.
type ConnectorInfo struct {
	Name        string              `json:"name"`
	State       State               `json:"state"`
	Error       string              `json:"error,omitempty"` // with StateError and StateCrashed: why
	Description plugins.Description `json:"description"`     // empty until the plugin has started once
	Pid         int                 `json:"pid,omitempty"`
	Restarts    int                 `json:"restarts"`
	Path        string              `json:"-"`
}

// List describes every connector plugin in the directory, sorted by name,
// starting the ones not yet described so that each has its description. A
// plugin that cannot start is listed with StateError and the reason.
func (m *Manager) List(ctx context.Context) []ConnectorInfo {
	entries := m.discover()
	infos := make([]ConnectorInfo, 0, len(entries))
	for _, e := range entries {
		if !e.isDescribed() && !m.closed.Load() {
			_, _ = e.ensure(ctx) // failure is recorded in the entry's state
		}
		infos = append(infos, e.info())
	}
	return infos
}

// States describes every connector plugin in the directory as it stands,
// sorted by name, without starting any: for the health recorder, which
// must not start plugins nobody uses. A plugin never started is
// StateAvailable, with an empty Description.
func (m *Manager) States() []ConnectorInfo {
	entries := m.discover()
	infos := make([]ConnectorInfo, len(entries))
	for i, e := range entries {
		infos[i] = e.info()
	}
	return infos
}

// Connector returns the connector named name, started if it was not. The
// returned Connector survives crashes of the plugin: each call restarts it
// if needed and is bounded by Config.CallTimeout.
//
// Returns ENOTFOUND if there is no bellhop-connector-<name> in the
// directory, and EUNAVAILABLE if the plugin cannot be started (with the
// reason, naming the file) or the Manager is closed.
func (m *Manager) Connector(ctx context.Context, name string) (plugins.Connector, error) {
	e := m.lookup(name)
	if e == nil {
		return nil, core.NotFound("connector", name)
	}
	if _, err := e.ensure(ctx); err != nil {
		return nil, err
	}
	return &managed{e: e, timeout: m.cfg.CallTimeout}, nil
}

// Close stops every plugin process and waits for them to exit. Later calls
// through a Connector return EUNAVAILABLE.
func (m *Manager) Close() error {
	m.closed.Store(true)
	m.mu.Lock()
	entries := make([]*entry, 0, len(m.entries))
	for _, e := range m.entries {
		entries = append(entries, e)
	}
	m.mu.Unlock()
	var wg sync.WaitGroup
	for _, e := range entries {
		wg.Go(e.stop)
	}
	wg.Wait()
	return nil
}

// lookup finds name, looking at the directory again if it is not known yet.
func (m *Manager) lookup(name string) *entry {
	m.mu.Lock()
	e := m.entries[name]
	m.mu.Unlock()
	if e != nil {
		return e
	}
	for _, e := range m.discover() {
		if e.name == name {
			return e
		}
	}
	return nil
}

// discover reads the directory and returns its connectors sorted by name. A
// binary that disappeared is stopped and forgotten; one that was rebuilt is
// restarted on next use.
func (m *Manager) discover() []*entry {
	found := map[string]os.FileInfo{}
	dirents, err := os.ReadDir(m.cfg.Dir)
	if err != nil && !os.IsNotExist(err) {
		m.cfg.Logger.Warn("read plugin directory", "dir", m.cfg.Dir, "error", err)
	}
	for _, d := range dirents {
		name, ok := strings.CutPrefix(d.Name(), BinaryPrefix)
		if !ok || name == "" || strings.ContainsAny(name, ". ") {
			continue
		}
		if fi, err := d.Info(); err == nil && fi.Mode().IsRegular() {
			found[name] = fi
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var gone []*entry
	for name, e := range m.entries {
		if _, ok := found[name]; !ok {
			gone = append(gone, e)
			delete(m.entries, name)
		}
	}
	list := make([]*entry, 0, len(found))
	for name, fi := range found {
		e := m.entries[name]
		if e == nil {
			e = newEntry(m, name, filepath.Join(m.cfg.Dir, fi.Name()))
			m.entries[name] = e
		}
		e.noteModTime(fi.ModTime())
		list = append(list, e)
	}
	for _, e := range gone {
		go e.stop()
	}
	sort.Slice(list, func(i, j int) bool { return list[i].name < list[j].name })
	return list
}
