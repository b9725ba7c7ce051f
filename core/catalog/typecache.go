package catalog

import (
	"sync"
	"time"

	"github.com/bellhop/bellhop/core"
)

// typeCacheTTL is how long a hub trusts the compiled schema it found for a
// custom type of a scope without reading the type from the store again.
// Custom types are never changed once created, so the only staleness is a
// type deleted with its account and created again differently, which
// this bounds to a few seconds; in exchange a publish of a custom type
// skips a Redis read and a JSON decode, at every rate above one every
// typeCacheTTL.
const typeCacheTTL = 10 * time.Second

// typeCacheSize bounds the entries; past it the cache starts over, which
// costs each scope's next publish one read.
const typeCacheSize = 4096

// typeCache maps a scope's custom type name to its compiled schema for
// typeCacheTTL. Unknown types are not cached: one created by another hub
// is found at once.
type typeCache struct {
	mu  sync.Mutex
	now func() time.Time
	m   map[typeKey]typeEntry
}

type typeKey struct {
	scope core.Scope
	name  string
}

type typeEntry struct {
	schema *schema
	until  time.Time
}

func newTypeCache(now func() time.Time) *typeCache {
	return &typeCache{now: now, m: make(map[typeKey]typeEntry)}
}

func (c *typeCache) get(scope core.Scope, name string) (*schema, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[typeKey{scope, name}]
	if !ok || !c.now().Before(e.until) {
		return nil, false
	}
	return e.schema, true
}

func (c *typeCache) put(scope core.Scope, name string, sch *schema) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= typeCacheSize {
		clear(c.m)
	}
	c.m[typeKey{scope, name}] = typeEntry{schema: sch, until: c.now().Add(typeCacheTTL)}
}
