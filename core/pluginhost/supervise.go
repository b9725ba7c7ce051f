package pluginhost

import (
	"context"
	"time"
)

// HealthCheck pings every running plugin and restarts the ones that died or
// do not answer, so that a crash is repaired before the next delivery needs
// the plugin. It returns when every check is done.
func (m *Manager) HealthCheck(ctx context.Context) {
	m.mu.Lock()
	entries := make([]*entry, 0, len(m.entries))
	for _, e := range m.entries {
		entries = append(entries, e)
	}
	m.mu.Unlock()
	for _, e := range entries {
		e.mu.Lock()
		p, crashed := e.p, e.state == StateCrashed
		e.mu.Unlock()
		if p == nil && !crashed {
			continue // never started, stopped, or refused: started on use
		}
		if p != nil && !p.Exited() {
			pctx, cancel := context.WithTimeout(ctx, pingTimeout)
			err := p.Ping(pctx)
			cancel()
			if err == nil {
				continue
			}
			e.kill(p, err)
		}
		_, _ = e.ensure(ctx) // a failure is kept in the entry's state
	}
}

// Supervise runs HealthCheck every interval until ctx ends. The hub runs it
// in a goroutine; without it, crashed plugins are restarted on next use.
func (m *Manager) Supervise(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if m.closed.Load() {
				return
			}
			m.HealthCheck(ctx)
		}
	}
}
