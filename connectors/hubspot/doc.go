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
// # A bad contact among good ones
//
// HubSpot reports partial failures (207 Multi-Status) only when each input
// carries an objectWriteTraceId; without one, a batch with one bad record
// fails whole with 400 and nothing is saved. So each input is traced by its
// index, and a 207 is read record by record, its errors naming their
// contact. Should HubSpot still refuse a batch of several contacts whole
// with 400, they are sent again one by one (one request each, no second
// split), so the good ones are saved all the same. Either way the good
// contacts are saved and the note is written once, on them; a record that
// fails validation (an invalid email, an unknown property) will never
// succeed, so the delivery then fails for good and its Summary names the
// failed records. When every contact fails, no note is written. A
// retryable record error (RATE_LIMITS, INTERNAL_ERROR) retries the whole
// delivery, which the upsert makes safe.
//
// Other answers: 401 and 403 and other 4xx fail for good; 429 retries after
// Retry-After or HubSpot's rate-limit window; 5xx and transport errors
// retry. A client-side limiter keeps each token under 100 requests per
// rolling 10 s (a bucket of 10 refilled at 9 a second).
//
// Check calls GET /account-info/v3/details.
//
// # The private app and its scopes
//
// The token is a private app's access token, granted these scopes, in the
// words of HubSpot's screens (Settings › Integrations › Private Apps ›
// Create a private app › Scopes tab, "Select the Read or Write checkbox"):
//
//   - crm.objects.contacts.write: the batch upsert, and the notes too:
//     the spec lists no notes scope of its own, creating a note asks for
//     this one;
//   - crm.objects.contacts.read: HubSpot's notes guide lists it beside
//     write.
//
// Then Create app, and Show token on the app's page: paste the pat-… token
// into the connection's token field. The account check needs no further
// scope (the spec lists only oauth, which is not one to tick).
//
// HubSpot stopped the creation of these apps on 26 October 2026 (changelog
// "Legacy Private App Creation Being Disabled"): existing ones keep working
// and are now under Development › Legacy apps › the app › Auth tab › Show
// token. For a new connection HubSpot points to service keys (Development ›
// Keys › Service keys › Create service key, Add new scope: the same two
// scopes); they are made for calling the REST APIs directly, but the
// connector has not been run against one.
//
// # References
//
// The connector and its fake (hubspotfake) were checked on 2026-12-01
// against:
//
//   - HubSpot/HubSpot-public-api-spec-collection:
//     PublicApiSpecs/CRM/Contacts/Rollouts/424/v3/contacts.json (batch
//     upsert: inputs with objectWriteTraceId, properties required, 200 and
//     207, scope crm.objects.contacts.write),
//     PublicApiSpecs/CRM/Notes/Rollouts/424/v3/notes.json (create with
//     associations, required; same scope), and
//     PublicApiSpecs/Account/Account Info/Rollouts/144923/v3/accountInfo.json;
//   - https://developers.hubspot.com/docs/api-reference/error-handling
//     (multi-status errors and objectWriteTraceId; the error body);
//   - https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines
//     (100 requests per 10 s, rate-limit headers, the 429 body);
//   - https://developers.hubspot.com/docs/api-reference/crm-notes-v3/guide
//     (hs_timestamp; the notes scopes) and
//     https://developers.hubspot.com/docs/api-reference/legacy/crm/associations/associate-records/guide
//     (202: note to contact);
//   - https://developers.hubspot.com/docs/api/private-apps (creating a
//     private app, the Scopes tab),
//     https://developers.hubspot.com/changelog/legacy-private-app-creation-sunset
//     and
//     https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/account-service-keys.
//
// What the fake does beyond these (a batch refused whole names no input; a
// 207 in which every input failed; mixed or repeated trace ids) is marked
// as its own assumption where it is made.
package hubspot
