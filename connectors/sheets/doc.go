// Package sheets is Bellhop's Google Sheets connector: each event becomes a
// row appended to a tab of a spreadsheet, under a header row it writes into
// an empty tab.
//
// Its input is what scripts/sheets/default.js returns:
//
//	{"header": ["Event ID", "Type", "Guest", "Check-in"], "rows": [["evt_1", "reservation.created", "Ada", "2026-05-12"]]}
//
// It authenticates as a service account (credentials_json, the key file
// Google's console downloads; share the spreadsheet with its client_email)
// through google.golang.org/api/sheets/v4, and appends with
// spreadsheets.values.append (insertDataOption INSERT_ROWS).
//
// Values are written RAW: a string is always text, never a formula, however
// a guest spelled their name, and JSON numbers and booleans stay numbers and
// booleans; send amounts as numbers and dates as ISO 8601 text (see
// valueInputOption in values.go for why). A cell that is a list or an object
// fails its delivery.
//
// Sheets allows 60 write requests a minute per user and project. A limiter
// per service account keeps under it, and deliveries that arrive while a
// write is waiting for its turn are coalesced: one append carries all their
// rows, and each delivery gets that append's result. A delivery whose
// context ends while its rows still wait takes them back and retries later.
//
// Outcomes: 429 RESOURCE_EXHAUSTED and 5xx retry (after Retry-After when
// given); 403 PERMISSION_DENIED, 404 NOT_FOUND, 400 and a refused key fail for
// good; transport errors retry. ExternalID is the range the rows went to.
//
// Check calls spreadsheets.get and checks that the tab exists;
// Options("sheet") lists the spreadsheet's tabs.
package sheets
