package delivery

import (
	"sync"
	"time"

	"github.com/bellhop/bellhop/core"
)

// targetCache keeps looked-up targets for a short time, so that a burst of
// deliveries to one endpoint reads and unseals it once instead of once per
// attempt. This hub forgets an entry when it changes the target; changes
// made by other hubs are seen within the TTL (a rotated secret keeps its
// predecessor signing far longer than that).
type targetCache struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[targetKey]cachedTarget
}

type targetKey struct {
	scope core.Scope
	id    string
}

type cachedTarget struct {
	info *TargetInfo
	at   time.Time
}

func newTargetCache(ttl time.Duration) *targetCache {
	return &targetCache{ttl: ttl, m: map[targetKey]cachedTarget{}}
}

// get returns a target looked up less than the TTL ago.
func (c *targetCache) get(scope core.Scope, id string, now time.Time) (*TargetInfo, bool) {
	if c.ttl <= 0 {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.m[targetKey{scope, id}]
	if !ok || now.Sub(t.at) >= c.ttl {
		return nil, false
	}
	return t.info, true
}

func (c *targetCache) put(scope core.Scope, id string, info *TargetInfo, now time.Time) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) > 10000 { // bounded: drop everything rather than track age
		clear(c.m)
	}
	c.m[targetKey{scope, id}] = cachedTarget{info: info, at: now}
}

// forget drops a target this hub just changed.
func (c *targetCache) forget(scope core.Scope, id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, targetKey{scope, id})
}
