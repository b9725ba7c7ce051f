package ingest

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/bellhop/bellhop/core"
)

// Limits on what a publisher sends.
const (
	// MaxPropertyIDLen bounds property_id (prop_8hJk3m in the reference).
	MaxPropertyIDLen = 64
	// MaxObjectBytes bounds data.object, the same as the API's body limit, so
	// the stream path cannot store what the API would refuse.
	MaxObjectBytes = 256 << 10
	// MaxClockSkew is how far in the future a publisher's created_at may be.
	MaxClockSkew = 5 * time.Minute
)

// idPattern is the form of a publisher-chosen event id.
var idPattern = regexp.MustCompile(`^evt_[A-Za-z0-9_]{1,64}$`)

// Service publishes events: it checks the input, validates data.object
// against the event type's schema, fills in the envelope and appends the
// event to the scope's events stream. It implements core.EventService and is
// safe for concurrent use.
type Service struct {
	types core.EventTypeService
	store core.EventStore
	clock func() time.Time
}

var _ core.EventService = (*Service)(nil)

// New returns a Service that validates with types, stores in store and
// stamps events with clock (time.Now in production; tests pass a fixed one).
func New(types core.EventTypeService, store core.EventStore, clock func() time.Time) *Service {
	if clock == nil {
		clock = time.Now
	}
	return &Service{types: types, store: store, clock: clock}
}

// PublishEvent validates input, fills in the envelope (id if absent,
// created_at, api_version, livemode from scope) and appends the event to the
// scope's events stream; it returns once the event is in Redis. When an event
// with input.ID is already stored, it returns that event and created false.
// With input.Once, the append settles the Idempotency-Key too, or returns
// core.ErrOnceKeyUsed (wrapped) if the key has a record; an event without
// an id is then named after the key (core.KeyedEventID), and found, created
// false, when the key's first request stored it, or refused with
// EIDEMPOTENCY when that request had other parameters.
//
// property_id is required except for the hub's operational types
// (endpoint.disabled), which concern no property and carry "".
//
// Returns EINVALID naming the param at fault: type (missing or unknown in
// scope), id, property_id, created_at, data.object, or the path of a field
// that breaks the type's schema (data.object.guest.email). Store failures
// pass through (EUNAVAILABLE when Redis cannot be reached).
func (s *Service) PublishEvent(ctx context.Context, scope core.Scope, in core.EventInput) (*core.Event, bool, error) {
	ev, err := s.prepare(ctx, scope, in, s.clock().UTC())
	if err != nil {
		return nil, false, err
	}
	var stored *core.Event
	var created bool
	if in.Once != nil {
		once := *in.Once
		if in.ID == "" { // the event is the key's record (core.OnceKey)
			ev.ID, once.InEvent = core.KeyedEventID(scope, once.Key), true
		}
		stored, created, err = s.store.AppendEventOnce(ctx, scope, ev, once)
	} else {
		stored, created, err = s.store.AppendEvent(ctx, scope, ev)
	}
	if err != nil {
		return nil, false, fmt.Errorf("publish event: %w", err)
	}
	return stored, created, nil
}

// prepare checks in and validates data.object against its type's schema,
// then returns the complete event to store, stamped now unless in says when.
// It is the whole of a publish but the append, so that a single publish and
// every event of a batch are checked by the same code.
func (s *Service) prepare(ctx context.Context, scope core.Scope, in core.EventInput, now time.Time) (*core.Event, error) {
	if err := checkInput(in, now, s.operational(ctx, scope, in)); err != nil {
		return nil, err
	}
	// Compacting checks the JSON in the same pass, so the object is scanned
	// once here, read once more by the schema check, and stored compact.
	obj, err := core.CompactObject(in.Object)
	if err != nil {
		return nil, core.ParamError("data.object", "data.object: must be a JSON object.")
	}
	if err := s.types.ValidateObject(ctx, scope, in.Type, obj); err != nil {
		return nil, err
	}
	ev := &core.Event{
		ID:         in.ID,
		Type:       in.Type,
		CreatedAt:  now.Truncate(time.Second),
		APIVersion: core.APIVersion,
		Livemode:   scope.Livemode,
		PropertyID: in.PropertyID,
		Data:       core.EventData{Object: obj},
	}
	if ev.ID == "" {
		ev.ID = NewEventID()
	}
	if in.CreatedAt != nil {
		ev.CreatedAt = in.CreatedAt.UTC().Truncate(time.Second)
	}
	return ev, nil
}

// operational reports whether in is an event the hub publishes about
// itself (endpoint.disabled), which belongs to no property. It looks the
// type up only when property_id is missing, the only case it matters.
func (s *Service) operational(ctx context.Context, scope core.Scope, in core.EventInput) bool {
	if in.PropertyID != "" || in.Type == "" {
		return false
	}
	t, err := s.types.FindEventType(ctx, scope, in.Type)
	return err == nil && t.Group == "operational"
}

// checkInput checks everything but the schema, cheapest first. property_id
// may be empty only for an operational type.
func checkInput(in core.EventInput, now time.Time, operational bool) error {
	if in.Type == "" {
		return core.ParamError("type", "type is required, e.g. \"reservation.created\".")
	}
	if in.ID != "" && !idPattern.MatchString(in.ID) {
		return core.ParamError("id", "id: must be evt_ followed by 1 to 64 letters, digits or underscores.")
	}
	if in.PropertyID == "" && !operational {
		return core.ParamError("property_id", "property_id is required: the property the event belongs to, e.g. \"prop_8hJk3m\".")
	}
	if len(in.PropertyID) > MaxPropertyIDLen || strings.ContainsFunc(in.PropertyID, unicode.IsControl) {
		return core.ParamError("property_id", "property_id: must be at most %d characters, without control characters.", MaxPropertyIDLen)
	}
	if in.CreatedAt != nil && in.CreatedAt.After(now.Add(MaxClockSkew)) {
		return core.ParamError("created_at", "created_at: must not be more than %v in the future (the hub's clock says %s).",
			MaxClockSkew, now.Format(time.RFC3339))
	}
	obj := bytes.TrimSpace(in.Object)
	if len(obj) == 0 || string(obj) == "null" {
		return core.ParamError("data.object", "data.object is required: the resource the event is about.")
	}
	if len(obj) > MaxObjectBytes {
		return core.ParamError("data.object", "data.object: must be at most %d KiB.", MaxObjectBytes>>10)
	}
	if obj[0] != '{' {
		return core.ParamError("data.object", "data.object: must be a JSON object.")
	}
	return nil // whether it is valid JSON is learnt once, when it is compacted
}

// FindEvent returns an event by id. Returns ENOTFOUND if it is not in scope
// or has aged out of retention.
func (s *Service) FindEvent(ctx context.Context, scope core.Scope, id string) (*core.Event, error) {
	return s.store.FindEvent(ctx, scope, id)
}

// ListEvents lists events newest first.
func (s *Service) ListEvents(ctx context.Context, scope core.Scope, filter core.EventFilter) (core.List[*core.Event], error) {
	return s.store.ListEvents(ctx, scope, filter)
}

// NewEventID returns a fresh event id: evt_ and 24 random base62 characters
// (about 143 bits), for anything that creates events outside PublishEvent.
func NewEventID() string { return "evt_" + core.RandomBase62(24) }
