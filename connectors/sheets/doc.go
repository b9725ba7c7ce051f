// Package sheets is Bellhop's Google Sheets connector: each event becomes a
// row appended to a tab of a spreadsheet, under a header row it writes into
// an empty tab.
//
// Its input is what scripts/sheets/default.js returns:
//
//	{"header": ["Event ID", "Type", "Guest", "Check-in", "Amount"], "rows": [["evt_1", "reservation.created", "Ada", "2026-05-12", 860]]}
//
// It authenticates as a service account (credentials_json, the key file
// Google's console downloads) through cloud.google.com/go/auth and
// google.golang.org/api/sheets/v4 with the spreadsheets scope, and appends
// with spreadsheets.values.append (insertDataOption INSERT_ROWS) to the tab
// named by sheet, or to the spreadsheet's first tab, looked up once with
// spreadsheets.get (it is "Hoja 1" or "Feuille 1" in other locales, not
// always "Sheet1").
//
// Values are written RAW: a string is always text, never a formula, however
// a guest spelled their name, and JSON numbers and booleans stay numbers and
// booleans; send amounts as numbers and dates as ISO 8601 text (see
// valueInputOption in values.go for why). A cell that is a list or an object
// fails its delivery.
//
// Sheets allows 60 write requests a minute per user and project. A limiter
// per service account keeps under it (a burst of 3, then 57 a minute), and
// deliveries that arrive while a write is waiting for its turn are
// coalesced: one append carries all their rows, and each delivery gets that
// append's result. A delivery whose context ends while its rows still wait
// takes them back and retries later; a batch that would wait more than two
// minutes for its turn is retried later, after the wait.
//
// That limiter is shared by every hub through Redis, like Slack's and
// HubSpot's, but it is taken differently: those are declared per delivery
// (plugins.RateLimited) and taken by the hub before Deliver, while Google
// counts writes, and one write carries many deliveries, so a per-delivery
// budget would cap a sheet at 60 rows a minute and undo the coalescing.
// Instead the hub lends each Deliver a write budget (plugins.BudgetFrom; in
// a plugin process a callback to the hub over go-plugin's broker), and the
// batch's writer takes one token of it, keyed by the service account's
// email, when it is about to append. The writer runs on its own goroutine,
// so it takes through the budget of a delivery still waiting in the batch,
// whose Deliver has not returned and whose budget is therefore still lent;
// when that delivery leaves, the next one's is used. Three hubs writing
// through one service account so spend Google's 60 writes once. Without a
// hub's budget (the connector used directly, an older hub) the limiter is
// kept in this process and sees only its share; Google's 429 then retries
// after its Retry-After.
//
// Outcomes: 429 RESOURCE_EXHAUSTED and 5xx retry (after Retry-After when
// given); 403 PERMISSION_DENIED (an unshared spreadsheet, or SERVICE_DISABLED
// in the error's details: the API is not enabled), 404 NOT_FOUND, 400 and a
// refused key fail for good; transport errors retry. ExternalID is the range
// the rows went to, as Google wrote it ('Hoja 1'!A5:M5).
//
// Check calls spreadsheets.get and checks that the tab exists;
// Options("sheet") lists the spreadsheet's tabs.
//
// # Permissions to grant
//
// The connector needs a service account that can edit the one spreadsheet,
// and nothing else; it needs no IAM role on the Cloud project. In the
// words of Google's screens:
//
//  1. In the Google Cloud console, pick or create a project, then go to
//     APIs & Services → Library, find "Google Sheets API" and click Enable.
//     (Without it every call answers 403 "Google Sheets API has not been used
//     in project … before or it is disabled".)
//  2. IAM & Admin → Service Accounts → Create service account; give it a
//     name, click Create and continue, skip the optional role and user
//     steps, and click Done.
//  3. Open the service account, go to its Keys tab, Add key → Create new
//     key, choose JSON and click Create. The browser downloads the key file:
//     paste its whole content into credentials_json. (An organization policy,
//     iam.disableServiceAccountKeyCreation, may forbid keys; an administrator
//     has to allow them for this project.)
//  4. In the spreadsheet, click Share, add the service account's email (the
//     key file's client_email, …@….iam.gserviceaccount.com) as Editor, and
//     click Send (or Share). Viewer is not enough: appending is a write.
//
// # References checked
//
//   - The Sheets v4 discovery document shipped with google.golang.org/api
//     (sheets/v4/sheets-api.json, revision 20261019) and the client generated
//     from it: values.append's valueInputOption (RAW: "stored as-is";
//     USER_ENTERED: "parsed as if the user typed them into the UI") and
//     insertDataOption, ValueRange.values (bool, string, double; nulls
//     skipped), AppendValuesResponse (tableRange "Empty if no table was
//     found", updates.updatedRange), Spreadsheet.sheets[].properties (title,
//     index, sheetType).
//   - developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets.values/append
//     and the A1 notation section of .../sheets/api/guides/concepts (tab
//     names with spaces or special characters are quoted).
//   - Google's error body {"error":{"code","message","status","details"}}
//     as sheets.googleapis.com sent it, recorded by r-lib/gargle
//     (tests/testthat/_snaps/response_process.md): 429 RESOURCE_EXHAUSTED
//     with ErrorInfo RATE_LIMIT_EXCEEDED, 403 with ErrorInfo
//     SERVICE_DISABLED, 400 "Unable to parse range", 404 NOT_FOUND.
//
// sheetsfake models these, and says where it had to assume.
package sheets
