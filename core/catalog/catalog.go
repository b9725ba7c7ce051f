package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Catalog is the event-type catalog: the types Bellhop ships, shared by every
// account, plus each scope's custom types kept in an EventTypeStore. It
// implements core.EventTypeService and is safe for concurrent use.
type Catalog struct {
	store   core.EventTypeStore
	shipped []*core.EventType          // sorted by name
	byName  map[string]*core.EventType // shipped types by name
	schemas map[string]*schema         // compiled shipped schemas by name
	custom  *schemaCache
	types   *typeCache // a scope's custom type to its compiled schema, for a few seconds
}

var _ core.EventTypeService = (*Catalog)(nil)

// customCacheSize bounds how many compiled custom schemas a hub keeps. A
// compiled schema is a few kilobytes; a miss costs one compile (well under a
// millisecond for a typical schema), so the bound only has to cover the
// types in active use.
const customCacheSize = 1024

// New returns the catalog with the shipped types compiled, and custom types
// read from store. A nil store gives a catalog of the shipped types alone
// (for code generators and tests that need only Shipped and SampleEvent):
// no custom type is found, and CreateEventType fails. New fails only if a
// shipped type file is broken, which the package's tests rule out.
func New(store core.EventTypeStore) (*Catalog, error) {
	if store == nil {
		store = noCustomTypes{}
	}
	shipped, err := loadShipped()
	if err != nil {
		return nil, err
	}
	c := &Catalog{
		store:   store,
		shipped: shipped,
		byName:  make(map[string]*core.EventType, len(shipped)),
		schemas: make(map[string]*schema, len(shipped)),
		custom:  newSchemaCache(customCacheSize),
		types:   newTypeCache(time.Now),
	}
	for _, t := range shipped {
		sch, err := compileSchema(t.Type, t.Schema)
		if err != nil {
			return nil, fmt.Errorf("compile shipped type %s: %w", t.Type, err)
		}
		c.byName[t.Type], c.schemas[t.Type] = t, sch
	}
	return c, nil
}

// Shipped returns the types every account has, sorted by name: the webhook
// endpoint and connection code list them as subscribable without a scope.
// The slice and types are copies the caller may keep.
func (c *Catalog) Shipped() []*core.EventType {
	out := make([]*core.EventType, len(c.shipped))
	for i, t := range c.shipped {
		cp := *t
		out[i] = &cp
	}
	return out
}

// ListEventTypes lists the shipped types and the scope's custom types,
// sorted by name. It fails only when the store does, with the store's error
// wrapped (its code kept).
func (c *Catalog) ListEventTypes(ctx context.Context, scope core.Scope) ([]*core.EventType, error) {
	custom, err := c.store.ListCustomEventTypes(ctx, scope)
	if err != nil {
		return nil, fmt.Errorf("list custom event types: %w", err)
	}
	all := append(c.Shipped(), custom...)
	sort.Slice(all, func(i, j int) bool { return all[i].Type < all[j].Type })
	return all, nil
}

// FindEventType returns a shipped or custom type. Returns ENOTFOUND if the
// name is unknown in scope.
func (c *Catalog) FindEventType(ctx context.Context, scope core.Scope, name string) (*core.EventType, error) {
	if t, ok := c.byName[name]; ok {
		cp := *t
		return &cp, nil
	}
	if !validName(name) {
		return nil, core.NotFound("event type", name)
	}
	t, err := c.store.FindCustomEventType(ctx, scope, name)
	if core.ErrorCode(err) == core.ENOTFOUND {
		return nil, core.NotFound("event type", name)
	} else if err != nil {
		return nil, fmt.Errorf("find custom event type: %w", err)
	}
	return t, nil
}

// ValidateObject checks object, an event's data.object, against the schema
// of type typeName. Returns EINVALID with Param "type" if the type is
// unknown in scope, with Param "data.object" if object is not JSON, and with
// Param the path of the first bad field (data.object.guest.email) if it
// breaks the schema.
func (c *Catalog) ValidateObject(ctx context.Context, scope core.Scope, typeName string, object json.RawMessage) error {
	sch, err := c.schema(ctx, scope, typeName)
	if err != nil {
		return err
	}
	return validate(sch, object, "data.object")
}

// schema returns the compiled schema of a type known in scope.
func (c *Catalog) schema(ctx context.Context, scope core.Scope, name string) (*schema, error) {
	if sch, ok := c.schemas[name]; ok {
		return sch, nil
	}
	if sch, ok := c.types.get(scope, name); ok {
		return sch, nil
	}
	t, err := c.FindEventType(ctx, scope, name)
	if core.ErrorCode(err) == core.ENOTFOUND {
		return nil, core.ParamError("type", "Unknown event type '%s'. GET /v1/event_types lists the types known to this account.", name)
	} else if err != nil {
		return nil, err
	}
	sch, err := c.custom.get(name, t.Schema)
	if err != nil {
		// The schema compiled when the type was created; failing now means
		// the stored copy is damaged, which is the hub's fault.
		return nil, fmt.Errorf("compile custom event type %s: %w", name, err)
	}
	c.types.put(scope, name, sch)
	return sch, nil
}

// validate checks raw JSON against sch; root names it in errors. The fast
// check answers for most valid values (a schema that takes any object
// without even decoding it); the full validator decides the rest and words
// the error.
func validate(sch *schema, raw json.RawMessage, root string) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		return core.ParamError(root, "%s is required.", root)
	}
	if sch.fast != nil && sch.fast.okJSON(raw) {
		return nil
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return core.ParamError(root, "%s: must be valid JSON.", root)
	}
	if err := sch.full.Validate(inst); err != nil {
		return violation(err, root, inst)
	}
	return nil
}

// noCustomTypes is the store of a catalog made without one.
type noCustomTypes struct{}

func (noCustomTypes) SaveEventType(context.Context, core.Scope, *core.EventType) error {
	return errors.New("this catalog has no store for custom event types")
}

func (noCustomTypes) FindCustomEventType(_ context.Context, _ core.Scope, name string) (*core.EventType, error) {
	return nil, core.NotFound("event type", name)
}

func (noCustomTypes) ListCustomEventTypes(context.Context, core.Scope) ([]*core.EventType, error) {
	return nil, nil
}
