// Package sheetsfake is a local stand-in for Google's OAuth2 token endpoint
// and the parts of the Sheets API v4 the Sheets connector calls:
// spreadsheets.get, spreadsheets.values.get and spreadsheets.values.append.
//
// New generates an RSA key and a service account; CredentialsJSON is its key
// file with token_uri pointing at the fake, whose token endpoint verifies the
// JWT assertion's RS256 signature with the public key before it hands out an
// access token. API calls need that token (or a self-signed JWT from the same
// key, which Google's client libraries may send instead).
//
//	fake := sheetsfake.New(t)                      // spreadsheet fake.SpreadsheetID with tabs "Bookings", "Archive"
//	cfg := plugins.Config{"credentials_json": string(fake.CredentialsJSON()),
//		"spreadsheet_id": fake.SpreadsheetID, "sheet": "Bookings", "api_base_url": fake.URL + "/"}
//	fake.Rows("Bookings")                           // the values written
//	fake.Cells("Bookings")                          // and what kind each became (Text, Number, Formula…)
//	fake.SetTabs("Hoja 1", "Reservas")              // a spreadsheet made in another locale
//
// # What it enforces, and from where
//
// Where the real service's behaviour changes a delivery's outcome, the fake
// does the same:
//
//   - values.append requires valueInputOption and stores each value the way
//     that option reads it (cells.go): RAW stores strings as-is, USER_ENTERED
//     turns "=…" into a formula and number- or date-like text into numbers and
//     dates. Cells carry that Kind, so a test sees a guest's name become a
//     formula. Only bool, string, double and null are values; a nested list
//     or object is a 400.
//   - The AppendValuesResponse has tableRange only when the tab held a table,
//     and its ranges quote tab names that need it ('Hoja 1'!A2:E2).
//   - Errors are Google's body {"error":{"code","message","status","details"}}:
//     429 RESOURCE_EXHAUSTED with an ErrorInfo (RATE_LIMIT_EXCEEDED, the
//     quota's metric and limit) and a Help link, past WritesPerWindow; 403
//     PERMISSION_DENIED when unshared, or with a SERVICE_DISABLED ErrorInfo
//     (Failure.Reason); 404 NOT_FOUND for an unknown spreadsheet; 400
//     INVALID_ARGUMENT "Unable to parse range" for an unknown tab.
//
// # References checked
//
//   - The Sheets v4 discovery document shipped with google.golang.org/api
//     (sheets/v4/sheets-api.json, revision 20261019): ValueInputOption,
//     InsertDataOption, ValueRange.values, AppendValuesResponse,
//     UpdateValuesResponse, Spreadsheet.sheets[].properties.title.
//   - The spreadsheets.values.append reference
//     (developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets.values/append)
//     and the A1 notation section of the API overview
//     (developers.google.com/workspace/sheets/api/guides/concepts).
//   - Error bodies Google's servers sent, as recorded by r-lib/gargle
//     (tests/testthat/_snaps/response_process.md): Sheets 429
//     RESOURCE_EXHAUSTED, 403 SERVICE_DISABLED, 400 "Unable to parse range",
//     404 NOT_FOUND.
//
// Behaviour not found in those references is marked as an assumption where
// it is coded: how USER_ENTERED reads +, -, @ and a leading apostrophe, the
// quoting of non-ASCII tab names, the write quota's metric names, and the
// text of the 400 for a nested value.
package sheetsfake
