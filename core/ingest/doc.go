// Package ingest is how events enter Bellhop: Service implements
// core.EventService (POST /v1/events calls its PublishEvent), and
// StreamConsumer feeds it from a Redis stream that a host platform sharing
// the hub's Redis writes to directly.
//
//	svc := ingest.New(catalog, store, time.Now)
//	ev, created, err := svc.PublishEvent(ctx, scope, core.EventInput{
//		Type: "reservation.created", PropertyID: "prop_8hJk3m", Object: obj})
//
// PublishEvent checks the input (type, property_id, optional id and
// created_at, data.object a JSON object of at most 256 KiB; property_id may
// be empty only for the hub's own operational types, endpoint.disabled), validates
// data.object against the type's schema through the catalog, fills in the
// envelope (id evt_ and 24 base62 characters, created_at in UTC whole
// seconds, api_version, livemode from the scope) and appends the event to
// the scope's events stream. It returns once the event is in Redis. A
// publisher that sets id makes its publish idempotent: the same id returns
// the stored event with created false, whatever else the second call says.
//
// PublishEvents does the same for a batch (POST /v1/events/batch): each
// input is checked by the same code and answered in its own result, and the
// accepted ones are appended in one store call, one Redis round trip.
//
// # The ingest stream
//
// A host that shares Redis with the hub may publish by XADD instead of HTTP,
// to the stream <prefix>ingest (bh:ingest with the default prefix). Each
// entry has three fields:
//
//	account   the account id the event belongs to (acct_…)
//	livemode  "true" or "false": the mode of the scope
//	event     JSON {"id"?, "type", "property_id", "created_at"?, "data": {"object": {…}}}
//
// For example:
//
//	redis-cli XADD bh:ingest '*' account acct_1 livemode false \
//	  event '{"type":"guest.created","property_id":"prop_8hJk3m","data":{"object":{"id":"gst_4fPq2x","first_name":"Ada","last_name":"Lovelace","marketing_opt_in":false,"created_at":"2026-04-13T14:22:29Z"}}}'
//
// Every hub process runs a StreamConsumer in the consumer group "bellhop",
// so the entries are shared among them. Each entry goes through the same
// PublishEvent as the API. An entry is acknowledged only after its event is
// stored, or after it was written to the dead-letter stream
// <prefix>ingest:dead. A dead-letter entry holds the original fields plus
// error_code, error_message, error_param (the field at fault, e.g.
// data.object.guest.email), source_id (the ingest entry id) and failed_at.
// Malformed fields, unknown fields in event, unknown types and schema
// violations are dead-lettered at once. When Redis or another dependency
// fails (EUNAVAILABLE, or an unexpected error), the entry is retried a few
// times, then left pending; a consumer reclaims it (XAUTOCLAIM) once it has
// been idle for ClaimIdle, which is also how the entries of a crashed hub
// are picked up. After MaxDeliveries deliveries it is dead-lettered too, so
// one poison entry cannot cycle for ever. A crash between the dead-letter
// write and the acknowledgement may dead-letter an entry twice; an event is
// never stored twice, when it carries an id.
//
// The consumer trims the ingest stream of entries every consumer has
// acknowledged and that are older than KeepAcked (one hour), and caps the
// dead-letter stream at DeadLetterMaxLen entries; a host need not trim.
//
// Accounts: the stream is a trusted channel (only what can write to the
// hub's Redis can write to it, and that can already do anything), so the
// account is taken as given, like the account of an API key. It must be of a
// valid form (1–64 of [A-Za-z0-9_-]) because it becomes part of Redis keys,
// but the consumer does not look it up: an event for an account that does
// not exist is stored in a scope nobody reads and ages out with retention.
// Check the account on the host side if that matters.
package ingest
