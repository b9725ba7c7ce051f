package delivery

import (
	"sync"
	"time"

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
//
// A match is also read again once it is matchKeep old: a hub of a release
// before the version (389219f and earlier) saves targets without moving it
// on, and while one runs beside this one, during a rolling upgrade, its
// saves are seen within matchKeep, as its endpoint caches' are.
type matches struct {
	mu      sync.Mutex
	byScope map[core.Scope]*scopeMatches
	kept    int           // matches in byScope, of every scope
	keep    time.Duration // 0: matchKeep
}

// scopeMatches are one scope's matches, all read at version.
type scopeMatches struct {
	version string
	byType  map[string]keptMatch
}

type keptMatch struct {
	subs []Subscription
	read time.Time
}

// matchKeep is how long a match is kept however its version stands.
const matchKeep = time.Second

// maxKeptMatches bounds the matches kept, of every scope and event type;
// past it all are dropped, to be matched again as they come. A match is
// kept a second at most, so it is only ever full of ones no longer used
// when an account publishes more types a second than it holds (custom
// types are not capped): its hub's memory stays bounded.
const maxKeptMatches = 50_000

// get returns the subscriptions kept for scope's eventType and the version
// they were read at.
func (m *matches) get(scope core.Scope, eventType string) ([]Subscription, string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	sm := m.byScope[scope]
	if sm == nil {
		return nil, "", false
	}
	k, ok := sm.byType[eventType]
	keep := m.keep
	if keep == 0 {
		keep = matchKeep
	}
	if !ok || time.Since(k.read) >= keep {
		return nil, "", false
	}
	return k.subs, sm.version, true
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
	if m.byScope == nil || m.kept >= maxKeptMatches {
		m.byScope, m.kept = map[core.Scope]*scopeMatches{}, 0
	}
	sm := m.byScope[scope]
	if sm == nil || sm.version != version {
		if sm != nil {
			m.kept -= len(sm.byType)
		}
		sm = &scopeMatches{version: version, byType: map[string]keptMatch{}}
		m.byScope[scope] = sm
	}
	if _, ok := sm.byType[eventType]; !ok {
		m.kept++
	}
	sm.byType[eventType] = keptMatch{subs: subs, read: time.Now()}
}

// forget drops scope's matches: the dispatch script found them out of date.
func (m *matches) forget(scope core.Scope) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if sm := m.byScope[scope]; sm != nil {
		m.kept -= len(sm.byType)
		delete(m.byScope, scope)
	}
}
