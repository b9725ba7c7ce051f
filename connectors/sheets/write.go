package sheets

import (
	"context"
	"fmt"
	"strings"

	sheetsapi "google.golang.org/api/sheets/v4"

	"github.com/bellhop/bellhop/connectors"
	"github.com/bellhop/bellhop/plugins"
)

// write appends rows to the tab, with the header first when the tab is
// empty. It reports whether the tab has a header afterwards, so the check
// is not repeated for every batch.
func (c *Connector) write(ctx context.Context, cfg config, svc *sheetsapi.Service, header []any, rows [][]any, hasHeader bool) (plugins.Result, bool) {
	tab := quoteTab(cfg.sheet)
	if !hasHeader && len(header) > 0 {
		first, err := svc.Spreadsheets.Values.Get(cfg.spreadsheetID, tab+"!1:1").Context(ctx).Do()
		if err != nil {
			return classify(err, cfg), false
		}
		if len(first.Values) == 0 {
			rows = append([][]any{header}, rows...)
		}
	}
	resp, err := svc.Spreadsheets.Values.Append(cfg.spreadsheetID, tab+"!A1", &sheetsapi.ValueRange{Values: rows}).
		ValueInputOption(valueInputOption).
		InsertDataOption("INSERT_ROWS").
		Context(ctx).Do()
	if err != nil {
		return classify(err, cfg), false
	}
	rng := ""
	if resp.Updates != nil {
		rng = resp.Updates.UpdatedRange
	}
	return connectors.Delivered(rng, fmt.Sprintf("appended %d rows at %s", len(rows), rng)), true
}

// quoteTab quotes a tab name for an A1 range, as Sheets requires for names
// with spaces or punctuation.
func quoteTab(name string) string {
	return "'" + strings.ReplaceAll(name, "'", "''") + "'"
}
