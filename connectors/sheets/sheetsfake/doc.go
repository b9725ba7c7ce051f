// Package sheetsfake is a local stand-in for Google's OAuth2 token endpoint
// and the parts of the Sheets API v4 the Sheets connector calls, answering in
// Google's shapes: errors as {"error":{"code","message","status"}} (429
// RESOURCE_EXHAUSTED past the write quota, 403 PERMISSION_DENIED, 404
// NOT_FOUND, 400 INVALID_ARGUMENT), values.append that insists on
// valueInputOption, values.get and spreadsheets.get.
//
// New generates an RSA key and a service account; CredentialsJSON is its key
// file with token_uri pointing at the fake, whose token endpoint verifies the
// JWT assertion's RS256 signature with the public key before it hands out an
// access token. API calls need that token (or a self-signed JWT from the same
// key, which Google's client libraries may send instead).
//
//	fake := sheetsfake.New(t)                      // spreadsheet fake.SpreadsheetID with tab "Bookings"
//	cfg := plugins.Config{"credentials_json": string(fake.CredentialsJSON()),
//		"spreadsheet_id": fake.SpreadsheetID, "sheet": "Bookings", "api_base_url": fake.URL + "/"}
//	fake.Rows("Bookings")                           // what was written
package sheetsfake
