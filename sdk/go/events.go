package bellhop

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"time"

	"github.com/bellhop/bellhop/sdk/go/api"
)

// EventData is the data.object of an event: a struct of the catalog
// (ReservationCreated, GuestCheckedIn, …), whose EventType names its type,
// or a Custom for a type the account registered itself.
type EventData interface {
	EventType() string
}

// Custom is the data.object of an event of a type the account registered
// itself (POST /v1/event_types), or of any type when a struct is not wanted.
// Object is encoded as JSON: a map, or a struct of the caller's own.
type Custom struct {
	Type   string
	Object any
}

// EventType returns c.Type.
func (c Custom) EventType() string { return c.Type }

// MarshalJSON encodes c.Object.
func (c Custom) MarshalJSON() ([]byte, error) { return json.Marshal(c.Object) }

// Event is one event as the API answers it and as a webhook delivers it:
// the envelope, with data.object left encoded until Object decodes it.
type Event struct {
	// ID is unique and stable across retries, replays and backfills: a
	// receiver uses it as its idempotency key.
	ID         string    `json:"id"`
	Type       string    `json:"type"`
	CreatedAt  time.Time `json:"created_at"`
	APIVersion string    `json:"api_version"`
	Livemode   bool      `json:"livemode"`
	PropertyID string    `json:"property_id"`
	Data       struct {
		Object json.RawMessage `json:"object"`
	} `json:"data"`
}

// Object decodes data.object: a pointer to the catalog struct of the
// event's type (*ReservationCreated for reservation.created), or a *Custom
// holding a map[string]any for a type the catalog does not have.
//
//	obj, err := ev.Object()
//	switch o := obj.(type) {
//	case *bellhop.ReservationCreated:
//		fmt.Println(o.CheckIn, o.Guest.Email)
//	}
func (e *Event) Object() (EventData, error) {
	if newObject, ok := catalog[e.Type]; ok {
		obj := newObject()
		if err := json.Unmarshal(e.Data.Object, obj); err != nil {
			return nil, fmt.Errorf("bellhop: decode the data.object of %s %s: %w", e.Type, e.ID, err)
		}
		return obj, nil
	}
	var m map[string]any
	if err := json.Unmarshal(e.Data.Object, &m); err != nil {
		return nil, fmt.Errorf("bellhop: decode the data.object of %s %s: %w", e.Type, e.ID, err)
	}
	return &Custom{Type: e.Type, Object: m}, nil
}

// EventsService publishes and reads events.
type EventsService struct {
	api api.ClientInterface
}

// PublishOption sets an optional field of a published event.
type PublishOption func(*publishRequest)

// WithEventID publishes the event under id: publishing an id that exists
// returns the stored event instead of storing a second one, so an id from
// the publisher's own records makes a publish safe to repeat at any time.
func WithEventID(id string) PublishOption {
	return func(r *publishRequest) { r.ID = id }
}

// OccurredAt sets when the event happened; the hub's clock at the publish
// unless set.
func OccurredAt(t time.Time) PublishOption {
	return func(r *publishRequest) { r.CreatedAt = t }
}

// publishRequest is the body of POST /v1/events.
type publishRequest struct {
	ID         string    `json:"id,omitempty"`
	Type       string    `json:"type"`
	PropertyID string    `json:"property_id"`
	CreatedAt  time.Time `json:"created_at,omitzero"`
	Data       struct {
		Object EventData `json:"object"`
	} `json:"data"`
}

// Publish publishes an event of the property propertyID whose data.object
// is data, and its type data's EventType:
//
//	ev, err := client.Events.Publish(ctx, "prop_8hJk3m", bellhop.ReservationCreated{ID: "res_9kLm2p", …})
//	ev, err := client.Events.Publish(ctx, "prop_8hJk3m", bellhop.Custom{Type: "spa.booked", Object: map[string]any{…}})
//
// It answers once the event is durably stored. The request carries an
// Idempotency-Key, so a retry after a lost answer stores nothing twice.
//
// Returns an *Error of type invalid_request_error when data does not match
// the type's schema (Param names the field, e.g. data.object.adults) or the
// type is unknown (code resource_missing, status 404).
func (s *EventsService) Publish(ctx context.Context, propertyID string, data EventData, opts ...PublishOption) (*Event, error) {
	if data == nil {
		return nil, fmt.Errorf("bellhop: Publish needs the event's data")
	}
	req := publishRequest{Type: data.EventType(), PropertyID: propertyID}
	req.Data.Object = data
	for _, o := range opts {
		o(&req)
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("bellhop: encode the %s event: %w", req.Type, err)
	}
	return decode[Event](s.api.PublishEventWithBody(ctx, nil, "application/json", bytes.NewReader(body)))
}

// ListEventsParams filters a list of events: by Type, PropertyID, a window
// of CreatedGte/CreatedLte, and the cursors and page size every list has.
type ListEventsParams = api.ListEventsParams

// List iterates over the account's events, newest first, fetching pages as
// it goes:
//
//	for ev, err := range client.Events.List(ctx, &bellhop.ListEventsParams{Type: "reservation.created"}) {
//		if err != nil { return err }
//		fmt.Println(ev.ID)
//	}
func (s *EventsService) List(ctx context.Context, params *ListEventsParams) iter.Seq2[Event, error] {
	p := ptrOr(params)
	return paginate(&p.StartingAfter, &p.EndingBefore,
		func() (*http.Response, error) { return s.api.ListEvents(ctx, &p) },
		func(e Event) string { return e.ID })
}

// Get returns the event id. Returns an *Error with code resource_missing
// (status 404) when the account has no such event.
func (s *EventsService) Get(ctx context.Context, id string) (*Event, error) {
	return decode[Event](s.api.GetEvent(ctx, id))
}
