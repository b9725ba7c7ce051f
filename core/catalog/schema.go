package catalog

import (
	"bytes"
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// compileSchema compiles one JSON Schema document. It reads nothing but the
// document itself: the compiler's loader is replaced by one that knows no URL
// scheme, so a "$ref" to a file or a web address fails to compile instead of
// reading the hub's disk or calling out. Formats (email, date, date-time,
// uri) are asserted, because "format": "email" that accepts anything would
// surprise every schema author. Drafts other than 2020-12 still work when a
// schema names one in "$schema" (their meta-schemas ship with the library).
//
// The result carries a fast check made from the compiled schema (see
// fastNode) when the schema uses only keywords it knows.
func compileSchema(name string, text []byte) (*schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(jsonschema.SchemeURLLoader{})
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	url := "urn:bellhop:schema:" + name
	if err := c.AddResource(url, doc); err != nil {
		return nil, err
	}
	full, err := c.Compile(url)
	if err != nil {
		return nil, err
	}
	fast := newFastNode(full, map[*jsonschema.Schema]*fastNode{}, map[*jsonschema.Schema]bool{})
	return &schema{full: full, fast: fast}, nil
}

// schemaCache keeps compiled custom schemas by the SHA-256 of their text, at
// most max of them, dropping the least recently used. Keying by content
// rather than by scope and name means a cached schema can never be stale:
// whatever the store holds for a type is hashed on every use, so a type
// changed or re-created by another hub process simply misses the cache.
// Accounts that register the same schema share one entry.
type schemaCache struct {
	mu    sync.Mutex
	max   int
	order *list.List // of *cacheEntry, most recently used first
	byKey map[string]*list.Element
}

type cacheEntry struct {
	key    string
	schema *schema
}

func newSchemaCache(max int) *schemaCache {
	return &schemaCache{max: max, order: list.New(), byKey: make(map[string]*list.Element)}
}

// get returns the compiled schema for text, compiling it on a miss. Two
// goroutines missing at once both compile; the result is the same.
func (c *schemaCache) get(name string, text []byte) (*schema, error) {
	sum := sha256.Sum256(text)
	key := hex.EncodeToString(sum[:])
	c.mu.Lock()
	if el, ok := c.byKey[key]; ok {
		c.order.MoveToFront(el)
		c.mu.Unlock()
		return el.Value.(*cacheEntry).schema, nil
	}
	c.mu.Unlock()

	sch, err := compileSchema(name, text)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byKey[key]; !ok {
		c.byKey[key] = c.order.PushFront(&cacheEntry{key: key, schema: sch})
		for c.order.Len() > c.max {
			last := c.order.Back()
			c.order.Remove(last)
			delete(c.byKey, last.Value.(*cacheEntry).key)
		}
	}
	return sch, nil
}

// len returns how many schemas are cached.
func (c *schemaCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
