package sheetsfake

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Kind is what a cell holds once Sheets has read the value it was sent.
type Kind string

// The kinds of cell the fake tells apart. A connector's test checks Kind to
// see whether a guest's text stayed text.
const (
	Empty   Kind = "empty"   // a null in the request: Sheets skips it
	Text    Kind = "text"    // a string value
	Number  Kind = "number"  // a double value
	Bool    Kind = "bool"    // a boolean value
	Date    Kind = "date"    // USER_ENTERED text Sheets reads as a date
	Formula Kind = "formula" // USER_ENTERED text Sheets evaluates
)

// Cell is one stored cell: its kind and the value as sent (for a Formula,
// the formula's text; for text behind a leading apostrophe, the text
// without it).
type Cell struct {
	Kind  Kind
	Value any
}

// parseCell stores one value of a values.append request the way Sheets
// does for the given valueInputOption. The discovery document (ValueRange
// values) allows only bool, string and double, and skips nulls; a nested
// list or object is refused. Its message ("Invalid values[r][c]: …") is
// the shape Google's answers take; the exact text is an assumption, not
// found in the reference.
func parseCell(v any, option string, r, c int) (Cell, error) {
	switch v := v.(type) {
	case nil:
		return Cell{Kind: Empty}, nil
	case bool:
		return Cell{Kind: Bool, Value: v}, nil
	case float64:
		return Cell{Kind: Number, Value: v}, nil
	case string:
		if option == "RAW" {
			// "The values the user has entered will not be parsed and will
			// be stored as-is." (ValueInputOption RAW, discovery document)
			return Cell{Kind: Text, Value: v}, nil
		}
		return userEntered(v), nil
	case []any:
		return Cell{}, fmt.Errorf("Invalid values[%d][%d]: list_value", r, c)
	default:
		return Cell{}, fmt.Errorf("Invalid values[%d][%d]: struct_value", r, c)
	}
}

var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?`)

// userEntered reads a string "as if the user typed them into the UI"
// (ValueInputOption USER_ENTERED, discovery document): "=1+2" becomes a
// formula, and numbers and dates are parsed. The rest models the UI, and is
// an assumption not stated in the reference:
//   - a leading apostrophe forces text and is not part of the value (as in
//     the Sheets UI);
//   - text that begins with +, - or @ and is not a plain number counts as a
//     formula: Excel and LibreOffice evaluate such cells, and the fake
//     assumes the worse so a test catches a connector that lets them through;
//   - numbers are read in the en_US locale (a "." decimal point), while a
//     real spreadsheet reads them in its own locale;
//   - TRUE and FALSE become booleans.
func userEntered(s string) Cell {
	switch {
	case strings.HasPrefix(s, "'"):
		return Cell{Kind: Text, Value: s[1:]}
	case strings.HasPrefix(s, "="):
		return Cell{Kind: Formula, Value: s}
	}
	if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
		return Cell{Kind: Number, Value: f}
	}
	switch {
	case strings.HasPrefix(s, "+"), strings.HasPrefix(s, "-"), strings.HasPrefix(s, "@"):
		return Cell{Kind: Formula, Value: s}
	case isoDate.MatchString(s):
		return Cell{Kind: Date, Value: s}
	case strings.EqualFold(s, "TRUE"), strings.EqualFold(s, "FALSE"):
		return Cell{Kind: Bool, Value: strings.EqualFold(s, "TRUE")}
	}
	return Cell{Kind: Text, Value: s}
}

// a1Tab writes a tab name for an A1 range in an answer. Google's A1 guide
// says names with spaces or special characters must be quoted ('My Custom
// Sheet'!A:A) and shows answers such as 'My Tab'!A5:C5; that Sheets also
// quotes names with non-ASCII letters or a leading digit is an assumption,
// and the fake quotes whenever the name is not plain ASCII letters, digits
// and underscores.
func a1Tab(name string) string {
	plain := name != "" && (name[0] < '0' || name[0] > '9')
	for _, r := range name {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			plain = false
		}
	}
	if plain {
		return name
	}
	return "'" + strings.ReplaceAll(name, "'", "''") + "'"
}
