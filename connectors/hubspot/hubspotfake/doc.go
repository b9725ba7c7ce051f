// Package hubspotfake is a local stand-in for the parts of HubSpot's CRM API
// the HubSpot connector calls, answering with HubSpot's shapes: Bearer
// private-app tokens (401 INVALID_AUTHENTICATION otherwise), batch upsert of
// contacts by email that answers 200, or 207 Multi-Status with per-record
// VALIDATION_ERRORs, notes with associations, the account details call, the
// X-HubSpot-RateLimit-* headers on every answer, and 429 with
// `{"status":"error","category":"RATE_LIMITS",…}` past 100 requests in a
// rolling 10 seconds (https://developers.hubspot.com/docs/api/usage-details).
//
//	fake := hubspotfake.New(t)
//	cfg := plugins.Config{"token": fake.Token, "api_base_url": fake.URL}
//	fake.Fail(hubspotfake.Failure{Status: 503}) // the next request
//	fake.Contact("ada@example.com")              // what was upserted
package hubspotfake
