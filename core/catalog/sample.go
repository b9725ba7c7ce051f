package catalog

import (
	"encoding/json"
	"time"

	"github.com/bellhop/bellhop/core"
)

// SampleProperty is the property_id of sample events: the one of the
// reservation.created example in the SwiftGuest reference.
const SampleProperty = "prop_8hJk3m"

// SampleEvent returns a complete envelope around t's sample, as a publisher
// would have produced it at now in scope: what endpoint tests, connection
// tests and `scripts test` send when a person asks "show me one". Its id is
// evt_sample_ plus random characters, so it never collides with a stored
// event and a receiver that dedupes by id still sees each test. A type
// without a sample gets an empty data.object.
func SampleEvent(t *core.EventType, scope core.Scope, now time.Time) *core.Event {
	obj := t.Sample
	if len(obj) == 0 {
		obj = json.RawMessage(`{}`)
	}
	return &core.Event{
		ID:         "evt_sample_" + core.RandomBase62(16),
		Type:       t.Type,
		CreatedAt:  now.UTC().Truncate(time.Second),
		APIVersion: core.APIVersion,
		Livemode:   scope.Livemode,
		PropertyID: SampleProperty,
		Data:       core.EventData{Object: append(json.RawMessage(nil), obj...)},
	}
}
