package sheets_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/bellhop/bellhop/connectors/sheets/sheetsfake"
	"github.com/bellhop/bellhop/plugins"
)

func withoutSheet(fake *sheetsfake.Server) plugins.Config {
	cfg := config(fake)
	delete(cfg, "sheet")
	return cfg
}

// Without a sheet, rows go to the spreadsheet's first tab, whatever the
// locale called it, and the lookup is made once per spreadsheet.
func TestDeliverDefaultsToTheFirstTab(t *testing.T) {
	fake := sheetsfake.New(t)
	fake.SetTabs("Hoja 1", "Reservas")
	c := newConnector()
	var last plugins.Result
	for i := 0; i < 3; i++ {
		res, err := c.Deliver(context.Background(), withoutSheet(fake), json.RawMessage(sampleInput))
		if err != nil || res.Outcome != plugins.Delivered {
			t.Fatalf("delivery %d = %+v, %v", i, res, err)
		}
		last = res
	}
	if got := len(fake.Rows("Hoja 1")); got != 4 {
		t.Errorf("Hoja 1 has %d rows, want header + 3", got)
	}
	if got := fake.SpreadsheetGets(); got != 1 {
		t.Errorf("spreadsheets.get called %d times, want once (the first tab is cached)", got)
	}
	// Sheets quotes a tab name with a space in the ranges it answers.
	if want := "'Hoja 1'!A4:E4"; last.ExternalID != want {
		t.Errorf("external id = %q, want %q", last.ExternalID, want)
	}
	if _, err := c.Check(context.Background(), withoutSheet(fake)); err != nil {
		t.Errorf("Check without a sheet = %v, want ok", err)
	}
}

// When the first tab is renamed, the write fails and the next delivery looks
// the first tab up again.
func TestDeliverLooksTheFirstTabUpAgainAfterAFailure(t *testing.T) {
	fake := sheetsfake.New(t)
	fake.SetTabs("Feuille 1")
	c := newConnector()
	if res, _ := c.Deliver(context.Background(), withoutSheet(fake), json.RawMessage(sampleInput)); res.Outcome != plugins.Delivered {
		t.Fatalf("first = %+v", res)
	}
	fake.SetTabs("Réservations", "Feuille 1") // renamed and moved: a new first tab
	if res, _ := c.Deliver(context.Background(), withoutSheet(fake), json.RawMessage(sampleInput)); res.Outcome != plugins.Delivered {
		t.Fatalf("while the old tab still exists = %+v", res)
	}
	fake.SetTabs("Réservations")
	if res, _ := c.Deliver(context.Background(), withoutSheet(fake), json.RawMessage(sampleInput)); res.Outcome != plugins.Failed {
		t.Fatalf("after the tab went = %+v, want failed (Google: unable to parse range)", res)
	}
	res, _ := c.Deliver(context.Background(), withoutSheet(fake), json.RawMessage(sampleInput))
	if res.Outcome != plugins.Delivered || res.ExternalID != "'Réservations'!A1:E2" {
		t.Fatalf("next = %+v, want delivered to the new first tab", res)
	}
}
