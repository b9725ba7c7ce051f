// Package hubspot is Bellhop's HubSpot connector: guests become contacts,
// and reservations and payments become timeline notes on those contacts.
//
// Its input is what scripts/hubspot/default.js returns:
//
//	{"contacts": [{"email": "ada@example.com", "properties": {"firstname": "Ada"}}],
//	 "note": "Reservation R-1001, 12–14 May, 2 guests" }   // or null
//
// Contacts are written with one batch upsert
// (POST /crm/v3/objects/contacts/batch/upsert, idProperty email), so
// delivering the same event twice changes nothing. The note, when there is
// one, is created with POST /crm/v3/objects/notes (hs_note_body,
// hs_timestamp) and associated with every contact that was saved
// (associationTypeId 202, HUBSPOT_DEFINED).
//
// Why a note and not a deal: a note needs nothing set up in the portal (no
// pipeline, stages or custom properties that a no-code operator would have to
// create and keep in step with ours), and it shows on the contact's timeline,
// which is where front-desk and sales staff look when a guest calls. A hotel
// that wants deals can attach its own transform and connector.
//
// Outcomes: a 207 Multi-Status answer is read record by record. Records that
// fail validation (an invalid email) will never succeed, so the delivery
// fails for good once the others are saved and the note written, and the
// Summary names the failed records; a retryable record error (RATE_LIMITS,
// INTERNAL_ERROR) retries the whole delivery, which the upsert makes safe.
// 401 and 403 and other 4xx fail for good; 429 retries after Retry-After or
// HubSpot's rate-limit window; 5xx and transport errors retry. A client-side
// limiter keeps each token under 100 requests per rolling 10 s (a bucket of
// 10 refilled at 9 a second).
//
// Check calls GET /account-info/v3/details.
package hubspot
