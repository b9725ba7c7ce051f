package sheets

import (
	"context"
	"sort"
	"sync"

	sheetsapi "google.golang.org/api/sheets/v4"
)

// firstTabs remembers each spreadsheet's first tab, the tab a connection
// without a sheet writes to. Its name is not "Sheet1" everywhere: a
// spreadsheet made in Spanish starts with "Hoja 1", in French "Feuille 1",
// in German "Tabellenblatt1", and people rename it. One spreadsheets.get
// per spreadsheet and client is enough: the name is kept until a write to
// it fails for good (the tab was renamed or deleted), so the next delivery
// asks again. Reordering tabs does not move the rows: they keep going to the
// tab first found, which is what a hotel watching that tab expects.
type firstTabs struct {
	mu sync.Mutex
	m  map[string]string
}

func (f *firstTabs) get(key string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name, ok := f.m[key]
	return name, ok
}

func (f *firstTabs) set(key, name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil {
		f.m = map[string]string{}
	}
	f.m[key] = name
}

func (f *firstTabs) forget(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.m, key)
}

// firstTabKey names a spreadsheet as seen through one client.
func firstTabKey(ctx context.Context, cfg config) string {
	return serviceKey(ctx, cfg) + "\x00" + cfg.spreadsheetID
}

// firstTab returns the spreadsheet's first tab that can hold cells, from the
// cache or from spreadsheets.get.
func (c *Connector) firstTab(ctx context.Context, cfg config, svc *sheetsapi.Service) (string, error) {
	key := firstTabKey(ctx, cfg)
	if name, ok := c.first.get(key); ok {
		return name, nil
	}
	sheets, err := listSheets(ctx, cfg, svc)
	if err != nil {
		return "", err
	}
	name := firstGrid(sheets)
	c.first.set(key, name)
	return name, nil
}

// listSheets reads the spreadsheet's tabs (title, position, type).
func listSheets(ctx context.Context, cfg config, svc *sheetsapi.Service) ([]*sheetsapi.SheetProperties, error) {
	ss, err := svc.Spreadsheets.Get(cfg.spreadsheetID).Fields("sheets.properties(title,index,sheetType)").Context(ctx).Do()
	if err != nil {
		return nil, err
	}
	var out []*sheetsapi.SheetProperties
	for _, sh := range ss.Sheets {
		if sh.Properties != nil {
			out = append(out, sh.Properties)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Index < out[j].Index })
	return out, nil
}

// firstGrid is the title of the first tab in index order that is a grid of
// cells: an OBJECT sheet (a chart on its own tab) cannot take rows. A
// missing sheetType is GRID, its default. With no grid at all it returns
// the first title, so Google's own refusal names the problem.
func firstGrid(sheets []*sheetsapi.SheetProperties) string {
	for _, p := range sheets {
		if p.SheetType == "" || p.SheetType == "GRID" {
			return p.Title
		}
	}
	if len(sheets) > 0 {
		return sheets[0].Title
	}
	return ""
}
