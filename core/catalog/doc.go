// Package catalog is Bellhop's event-type catalog: the event types the hub
// ships, each with a description, a JSON Schema (2020-12) of its data.object
// and a realistic sample, plus the custom types an account registers.
//
// Use it through core.EventTypeService:
//
//	cat, err := catalog.New(store) // store: a core.EventTypeStore (core/redisstore)
//	err = cat.ValidateObject(ctx, scope, "reservation.created", object)
//	// err is EINVALID with Param "data.object.guest.email" and the message
//	// "data.object.guest.email: must be an email address (and 1 more problem)"
//
// Shipped() lists the types every account has without a store round trip,
// and SampleEvent wraps a type's sample in a full envelope for endpoint,
// connection and script tests.
//
// # Shipped types
//
// One file per type in types/ (types/reservation.created.json holds
// {description, group, schema, sample}), embedded in the binary:
//
//   - group "hotel": the 12 types of the SwiftGuest hotel reference
//     (reservation.*, payment.succeeded|failed|refunded, guest.created,
//     housekeeping.status_changed, rate.updated, inventory.updated).
//     reservation.created's sample is the reference's example exactly.
//   - group "guest_app": the 8 types of the GuestOS event app reference
//     (guest.checked_in, guest.updated, rsvp.submitted, rsvp.updated,
//     event.published, event.closed, photo.approved, payment.received).
//     GuestOS names its events (weddings, parties) evt_…, as its API does;
//     they appear only inside data.object, never as an envelope id.
//   - group "operational": endpoint.disabled, which the hub itself publishes
//     when it disables a webhook endpoint; data.object is {id, url, reason,
//     disabled_at}.
//
// Conventions the schemas share: ids carry a prefix (res_, gst_, rt_, rp_,
// pay_, fol_, rm_, usr_, …) followed by 1–64 of [A-Za-z0-9_]; dates are
// "format": "date", instants "format": "date-time"; money is {amount,
// currency} with amount an integer in minor units and currency an ISO 4217
// code; statuses are enums; *.updated types carry previous_attributes with
// the old values of the fields that changed.
//
// Additional properties are allowed on the resource objects and their nested
// records, and refused only in money. data.object is "the full resource at
// the time of the event": the platforms that publish it add fields as they
// grow, and receivers are told to ignore fields they do not know, so a new
// field must not make publishing fail. Money is a closed value object where a
// stray field ("amount_cents", "value") almost always means a mistake.
// Formats (email, date, date-time, uri) are asserted, not just annotated.
//
// # Custom types
//
// An account registers its own types (CreateEventType): a dotted lower-case
// name (loyalty.points_earned) that is not a shipped type, a schema that
// compiles (at most 64 KiB) and an optional sample that must validate. A
// schema may not reach outside itself: "$ref" to a file or URL fails to
// compile, so validation never reads the disk or the network.
//
// Compiled custom schemas are cached by the SHA-256 of their text in a
// bounded LRU (1,024 entries). The type itself is read from the store on each
// validation (one Redis GET), so a cache entry can never be stale, whichever
// hub process registered or changed the type; the cache only saves the
// compile.
package catalog
