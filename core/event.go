package core

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"time"
)

// APIVersion is the schema version stamped on every event envelope.
const APIVersion = "2026-01-15"

// Event is the envelope every delivery carries. ID is stable across retries,
// replays and backfills, so receivers use it as their idempotency key.
type Event struct {
	ID         string    `json:"id"` // evt_…
	Type       string    `json:"type"`
	CreatedAt  time.Time `json:"created_at"` // UTC, whole seconds
	APIVersion string    `json:"api_version"`
	Livemode   bool      `json:"livemode"`
	PropertyID string    `json:"property_id"`
	Data       EventData `json:"data"`
}

// EventData holds the resource the event is about, as it was when the event
// was created.
type EventData struct {
	Object json.RawMessage `json:"object"`
}

// EventInput is what a publisher sends. The hub fills in the rest of the
// envelope. ID and CreatedAt are optional: a publisher that sets ID makes its
// publish idempotent (the same id returns the stored event).
type EventInput struct {
	ID         string
	Type       string
	PropertyID string
	CreatedAt  *time.Time
	Object     json.RawMessage
	// Once, when set, is the request's Idempotency-Key, which the append
	// settles itself (see OnceKey); PublishEvent then returns
	// ErrOnceKeyUsed, storing nothing, if the key already has a record.
	Once *OnceKey
}

// PublishResult is the outcome of one input of EventService.PublishEvents:
// the stored event (Created false when its id already existed), or Err, the
// EINVALID error naming the param at fault.
type PublishResult struct {
	Event   *Event
	Created bool
	Err     error
}

// KeyedEventID is the id of an event published without one under an
// Idempotency-Key: evt_ and 24 base62 characters of a SHA-256 of the scope
// and the key (a byte modulo 62: a little bias, of no matter for an id
// that is not a secret), so that a retry names the same event and finds it
// (OnceKey.InEvent), while two accounts, or test and live mode, using one
// key name different events (a receiver dedupes on event ids).
func KeyedEventID(scope Scope, key string) string {
	sum := sha256.Sum256([]byte("bellhop event id\x00" + scope.AccountID + "\x00" + scope.Mode() + "\x00" + key))
	id := make([]byte, 0, 28)
	id = append(id, "evt_"...)
	for _, b := range sum[:24] {
		id = append(id, base62[int(b)%len(base62)])
	}
	return string(id)
}

// EventFilter narrows a list of events.
type EventFilter struct {
	Type       string
	PropertyID string
	CreatedGTE *time.Time
	CreatedLTE *time.Time
	Page       Page
}

// EventType describes one kind of event: what it means, the JSON Schema of its
// data.object and a realistic sample of data.object.
type EventType struct {
	Type        string          `json:"type"`
	Description string          `json:"description"`
	Group       string          `json:"group"` // "hotel", "guest_app", "operational" or "custom"
	Schema      json.RawMessage `json:"schema"`
	Sample      json.RawMessage `json:"sample"`
	Custom      bool            `json:"custom"`
}

// EventService publishes and reads events.
type EventService interface {
	// PublishEvent validates input, fills in the envelope and appends the
	// event to the scope's events stream. It returns only once the event is
	// durably stored. created is false when an event with input.ID already
	// existed; that stored event is returned instead. Returns EINVALID naming
	// the param at fault for an unknown type or a schema violation.
	PublishEvent(ctx context.Context, scope Scope, input EventInput) (ev *Event, created bool, err error)

	// PublishEvents publishes a batch (POST /v1/events/batch): each input is
	// checked exactly as PublishEvent checks one, and those that pass are
	// stored together, so a batch costs one store round trip, not one per
	// event. It returns one result per input, in order, once every accepted
	// event is durably stored. An input's own fault (EINVALID) is in its
	// result; err is set only when nothing can be said of the batch (the
	// store or the catalog failed), and then no result is returned.
	PublishEvents(ctx context.Context, scope Scope, inputs []EventInput) ([]PublishResult, error)

	// FindEvent returns an event by id. Returns ENOTFOUND if it is not in scope
	// or has aged out of retention.
	FindEvent(ctx context.Context, scope Scope, id string) (*Event, error)

	// ListEvents lists events newest first.
	ListEvents(ctx context.Context, scope Scope, filter EventFilter) (List[*Event], error)
}

// EventTypeService is the catalog of event types: the shipped ones, shared by
// every account, and those an account registers itself.
type EventTypeService interface {
	// ListEventTypes lists the shipped types and the scope's own, by name.
	ListEventTypes(ctx context.Context, scope Scope) ([]*EventType, error)

	// FindEventType returns one type. Returns ENOTFOUND if it is unknown in scope.
	FindEventType(ctx context.Context, scope Scope, name string) (*EventType, error)

	// CreateEventType registers a custom type. Returns EINVALID for a bad name
	// or schema, ECONFLICT if the name is taken.
	CreateEventType(ctx context.Context, scope Scope, t *EventType) error

	// ValidateObject checks data.object against the type's schema. Returns
	// ENOTFOUND-free EINVALID errors whose Param is the path of the bad field
	// (for example "data.object.guest.email").
	ValidateObject(ctx context.Context, scope Scope, typeName string, object json.RawMessage) error
}

// EventStore keeps events in each scope's events stream. It is the storage
// side of EventService; validation and the envelope are EventService's job.
type EventStore interface {
	// AppendEvent adds a complete event to the stream unless an event with
	// its id exists, atomically, and returns the stored event and whether it
	// was added.
	AppendEvent(ctx context.Context, scope Scope, ev *Event) (stored *Event, created bool, err error)
	// AppendEvents appends several events of one scope in one atomic step,
	// each exactly as AppendEvent would, in order (a later event with the id
	// of an earlier one finds it), and returns the stored event and whether
	// it was added for each.
	AppendEvents(ctx context.Context, scope Scope, evs []*Event) (stored []*Event, created []bool, err error)
	// AppendEventOnce is AppendEvent that also writes once's record as
	// done, naming the stored event, in the same atomic step, or does
	// nothing and returns ErrOnceKeyUsed if the key already has a record.
	AppendEventOnce(ctx context.Context, scope Scope, ev *Event, once OnceKey) (stored *Event, created bool, err error)
	FindEvent(ctx context.Context, scope Scope, id string) (*Event, error)
	ListEvents(ctx context.Context, scope Scope, filter EventFilter) (List[*Event], error)
}

// EventTypeStore keeps the event types an account registers itself.
type EventTypeStore interface {
	// SaveEventType stores a custom type. Returns ECONFLICT if the name is taken.
	SaveEventType(ctx context.Context, scope Scope, t *EventType) error
	// FindCustomEventType returns ENOTFOUND if the scope has no such type.
	FindCustomEventType(ctx context.Context, scope Scope, name string) (*EventType, error)
	ListCustomEventTypes(ctx context.Context, scope Scope) ([]*EventType, error)
}
