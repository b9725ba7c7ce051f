package delivery

import (
	"sync"

	"github.com/bellhop/bellhop/core"
)

// matches keep what the dispatcher matched, per scope and event type, with
// the scope's subscriptions version it was read at (redisstore.Targets).
// At a low rate each read of the events stream holds one event, and its
// match was a script and a round trip of the few a delivery makes; kept,
// an event type's subscribers are read again only once an endpoint or a
// connection of the scope was saved or deleted, on any hub: the dispatch
// script compares the version and writes nothing when it moved on
// (redisstore.ErrStaleMatch), and the batch is matched afresh.
type matches struct {
	mu      sync.Mutex
	byScope map[core.Scope]*scopeMatches
}

// scopeMatches are one scope's matches, all read at version.
type scopeMatches struct {
	version string
	byType  map[string][]Subscription
}

// maxMatchedScopes bounds the scopes kept; past it all are dropped, to be
// matched again as they come.
const maxMatchedScopes = 10_000

// get returns the subscriptions kept for scope's eventType and the version
// they were read at.
func (m *matches) get(scope core.Scope, eventType string) ([]Subscription, string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	sm := m.byScope[scope]
	if sm == nil {
		return nil, "", false
	}
	subs, ok := sm.byType[eventType]
	return subs, sm.version, ok
}

// put keeps subs, read at version, for scope's eventType. A version other
// than the one kept replaces the scope's matches; "" (one that cannot be
// checked) keeps nothing.
func (m *matches) put(scope core.Scope, eventType string, subs []Subscription, version string) {
	if version == "" {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	sm := m.byScope[scope]
	if sm == nil || sm.version != version {
		if m.byScope == nil || len(m.byScope) >= maxMatchedScopes {
			m.byScope = map[core.Scope]*scopeMatches{}
		}
		sm = &scopeMatches{version: version, byType: map[string][]Subscription{}}
		m.byScope[scope] = sm
	}
	sm.byType[eventType] = subs
}

// forget drops scope's matches: the dispatch script found them out of date.
func (m *matches) forget(scope core.Scope) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.byScope, scope)
}
