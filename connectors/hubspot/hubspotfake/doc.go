// Package hubspotfake is a local stand-in for the parts of HubSpot's CRM API
// the HubSpot connector calls, answering with HubSpot's shapes: Bearer
// private-app tokens (401 INVALID_AUTHENTICATION otherwise), batch upsert of
// contacts by email, notes with associations, the account details call, the
// X-HubSpot-RateLimit-* headers on every answer, and 429 past 100 requests
// in a rolling 10 seconds.
//
// A batch upsert with a bad input answers as HubSpot's error-handling guide
// says: 207 Multi-Status with the good inputs saved and one error per bad
// input, naming it in context.objectWriteTraceId, only when every input
// carries a unique objectWriteTraceId; otherwise 400 VALIDATION_ERROR for
// the whole batch, with nothing saved. NoMultiStatus makes it answer 400
// even to a traced batch, since the guide promises 207 for batch creates
// and only the spec hints at it for upserts.
//
//	fake := hubspotfake.New(t)
//	cfg := plugins.Config{"token": fake.Token, "api_base_url": fake.URL}
//	fake.Fail(hubspotfake.Failure{Status: 503}) // the next request
//	fake.Contact("ada@example.com")              // what was upserted
//
// References, checked on 2026-12-01; where the fake goes beyond them a
// comment says so at the spot:
//
//   - HubSpot/HubSpot-public-api-spec-collection, PublicApiSpecs/CRM/Contacts/Rollouts/424/v3/contacts.json
//     (batch upsert: inputs, 200, 207, the Error schema) and
//     PublicApiSpecs/CRM/Notes/Rollouts/424/v3/notes.json (POST
//     /crm/v3/objects/notes, associations of HUBSPOT_DEFINED types; scope
//     crm.objects.contacts.write for both);
//   - https://developers.hubspot.com/docs/api-reference/error-handling (the
//     error body {"status":"error","message","correlationId","category",
//     "errors":[…]}, multi-status errors and objectWriteTraceId);
//   - https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines
//     (100 requests per 10 s for a private app, the rate-limit headers, the
//     429 body with errorType RATE_LIMIT and policyName);
//   - https://developers.hubspot.com/docs/api-reference/crm-notes-v3/guide
//     (hs_timestamp required) and
//     https://developers.hubspot.com/docs/api-reference/legacy/crm/associations/associate-records/guide
//     (type id 202: note to contact).
package hubspotfake
