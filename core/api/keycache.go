package api

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"

	"github.com/bellhop/bellhop/core"
)

// DefaultKeyCacheTTL is how long a hub trusts a key it has authenticated
// before asking Redis again. It bounds how late a revocation made on another
// hub process takes effect here.
const DefaultKeyCacheTTL = 5 * time.Second

// keyCacheMax bounds the keys a hub remembers. Past it the expired entries
// are swept, and if none had expired the cache starts over: a hub serving
// more distinct keys than this within one TTL only loses the shortcut.
const keyCacheMax = 10_000

// keyCache remembers the keys that authenticated, by the SHA-256 of their
// secret (never the secret itself), for ttl. Only successes are kept: an
// unknown or revoked key asks Redis every time, so a key created on another
// hub works at once. Safe for concurrent use.
type keyCache struct {
	keys core.KeyService
	ttl  time.Duration
	now  func() time.Time

	mu     sync.RWMutex
	byHash map[[sha256.Size]byte]cachedKey
}

type cachedKey struct {
	key     *core.APIKey
	expires time.Time
}

// newKeyCache returns a cache in front of keys; ttl <= 0 turns it off.
func newKeyCache(keys core.KeyService, ttl time.Duration, now func() time.Time) *keyCache {
	return &keyCache{keys: keys, ttl: ttl, now: now, byHash: make(map[[sha256.Size]byte]cachedKey)}
}

// Authenticate returns the key with secret from the cache while its entry
// is fresh, and otherwise from the key service, with the same errors. The
// returned key is shared: callers must not change it.
func (c *keyCache) Authenticate(ctx context.Context, secret string) (*core.APIKey, error) {
	if c.ttl <= 0 {
		return c.keys.Authenticate(ctx, secret)
	}
	h := sha256.Sum256([]byte(secret))
	now := c.now()
	c.mu.RLock()
	e, ok := c.byHash[h]
	c.mu.RUnlock()
	if ok && now.Before(e.expires) {
		return e.key, nil
	}
	key, err := c.keys.Authenticate(ctx, secret)
	if err != nil {
		c.drop(h)
		return nil, err
	}
	c.put(h, cachedKey{key: key, expires: now.Add(c.ttl)})
	return key, nil
}

func (c *keyCache) put(h [sha256.Size]byte, e cachedKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.byHash) >= keyCacheMax {
		now := c.now()
		for k, v := range c.byHash {
			if !now.Before(v.expires) {
				delete(c.byHash, k)
			}
		}
		if len(c.byHash) >= keyCacheMax {
			clear(c.byHash)
		}
	}
	c.byHash[h] = e
}

func (c *keyCache) drop(h [sha256.Size]byte) {
	c.mu.Lock()
	delete(c.byHash, h)
	c.mu.Unlock()
}

// forget drops key id at once, for a revocation made through this hub.
func (c *keyCache) forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for h, e := range c.byHash {
		if e.key.ID == id {
			delete(c.byHash, h)
		}
	}
}
