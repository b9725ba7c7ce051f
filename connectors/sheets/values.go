package sheets

import "fmt"

// valueInputOption is how Sheets reads the values the connector sends.
//
// RAW, because the values are a guest's text: with USER_ENTERED, Sheets
// parses each string "as if the user typed them into the UI", so a guest
// named =HYPERLINK("http://…","click") or =IMPORTXML(…) becomes a live
// formula in the hotel's spreadsheet, and "12.50" or "05/06" is read in the
// spreadsheet's locale. Under RAW a string is stored as-is, always text;
// JSON numbers and booleans stay numbers and booleans (Sheets' reference:
// "Numbers will stay as numbers"). So a script that wants a real number in
// the sheet sends a JSON number, as scripts/sheets/default.js does for
// amounts; dates go as ISO 8601 text (2026-05-12), which sorts and filters
// correctly in any locale.
//
// The alternative, USER_ENTERED with text that begins with =, +, -, @, tab
// or CR escaped by a leading apostrophe, would turn dates into date cells but
// leaves every other string to the locale's parser and must keep up with
// whatever else Sheets treats as a formula.
const valueInputOption = "RAW"

// checkRows reports the first cell Sheets would refuse. The discovery
// document allows bool, string, double and null in ValueRange.values; a
// nested list or object makes Google refuse the whole append, which would
// fail every delivery coalesced into it, so a delivery carrying one fails on
// its own before it joins a batch.
func checkRows(header []any, rows [][]any) error {
	for c, v := range header {
		if !scalar(v) {
			return fmt.Errorf("header column %d is a %s; Sheets takes text, numbers, booleans and null", c+1, kind(v))
		}
	}
	for r, row := range rows {
		for c, v := range row {
			if !scalar(v) {
				return fmt.Errorf("row %d column %d is a %s; Sheets takes text, numbers, booleans and null", r+1, c+1, kind(v))
			}
		}
	}
	return nil
}

func scalar(v any) bool {
	switch v.(type) {
	case nil, bool, float64, string:
		return true
	}
	return false
}

func kind(v any) string {
	if _, ok := v.([]any); ok {
		return "list"
	}
	return "object"
}
