package sheetsfake

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
)

// The fake's answers keep the shapes its doc promises, since the
// connector's tests lean on them without looking.
func TestAppendAnswer(t *testing.T) {
	row := []Cell{{Kind: Text, Value: "a"}, {Kind: Text, Value: "b"}}
	tests := []struct {
		name, tab       string
		before          [][]Cell
		wantTable, want string
	}{
		{"empty tab: no table found", "Bookings", nil, "", "Bookings!A1:B1"},
		{"table found", "Bookings", [][]Cell{row, row}, "Bookings!A1:B2", "Bookings!A3:B3"},
		{"a space is quoted", "My Tab", [][]Cell{row}, "'My Tab'!A1:B1", "'My Tab'!A2:B2"},
		{"non-ASCII is quoted", "Réservations", nil, "", "'Réservations'!A1:B1"},
		{"an apostrophe is doubled", "Jon's", nil, "", "'Jon''s'!A1:B1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ans := appendAnswer("id", tt.tab, tt.before, [][]Cell{row})
			table, has := ans["tableRange"]
			if tt.wantTable == "" && has {
				t.Errorf("tableRange = %v, want none: Google leaves it out when no table was found", table)
			}
			if tt.wantTable != "" && table != tt.wantTable {
				t.Errorf("tableRange = %v, want %q", table, tt.wantTable)
			}
			if got := ans["updates"].(map[string]any)["updatedRange"]; got != tt.want {
				t.Errorf("updatedRange = %v, want %q", got, tt.want)
			}
		})
	}
}

func TestQuotaExceededBody(t *testing.T) {
	w := httptest.NewRecorder()
	writeError(w, quotaExceeded())
	var body struct {
		Error struct {
			Code    int
			Status  string
			Message string
			Details []map[string]any
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	e := body.Error
	if w.Code != 429 || e.Code != 429 || e.Status != "RESOURCE_EXHAUSTED" || !strings.Contains(e.Message, "Write requests per minute per user") {
		t.Fatalf("answer = %d %+v", w.Code, e)
	}
	if len(e.Details) != 2 || e.Details[0]["@type"] != "type.googleapis.com/google.rpc.ErrorInfo" || e.Details[0]["reason"] != "RATE_LIMIT_EXCEEDED" {
		t.Errorf("details = %v, want an ErrorInfo RATE_LIMIT_EXCEEDED then a Help link", e.Details)
	}
}
