package sheetsfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// api routes /v4/spreadsheets/{id}, …/values/{range} and
// …/values/{range}:append after Google's checks: a token, the spreadsheet,
// the service account's access.
func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) {
		writeError(w, errorFor(http.StatusUnauthorized, ""))
		return
	}
	if s.popFailure(w) {
		return
	}
	segs := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/v4/spreadsheets/"), "/")
	id, _ := url.PathUnescape(segs[0])
	s.mu.Lock()
	shared := s.shared
	s.mu.Unlock()
	switch {
	case id != s.SpreadsheetID:
		writeError(w, errorFor(http.StatusNotFound, ""))
	case !shared:
		writeError(w, errorFor(http.StatusForbidden, ""))
	case len(segs) == 1 && r.Method == http.MethodGet:
		s.getSpreadsheet(w)
	case len(segs) == 3 && segs[1] == "values":
		rng, _ := url.PathUnescape(segs[2])
		if a, ok := strings.CutSuffix(rng, ":append"); ok && r.Method == http.MethodPost {
			s.appendValues(w, r, a)
		} else if r.Method == http.MethodGet {
			s.getValues(w, rng)
		} else {
			writeError(w, googleError{Code: http.StatusNotFound, Status: "NOT_FOUND", Message: "Method not found."})
		}
	default:
		writeError(w, googleError{Code: http.StatusNotFound, Status: "NOT_FOUND", Message: "Method not found."})
	}
}

func (s *Server) getSpreadsheet(w http.ResponseWriter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gets++
	var sheets []map[string]any
	for i, name := range s.order {
		sheets = append(sheets, map[string]any{"properties": map[string]any{
			"sheetId": i * 1000, "title": name, "index": i, "sheetType": "GRID",
		}})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"spreadsheetId": s.SpreadsheetID,
		"properties":    map[string]any{"title": "Bellhop bookings", "locale": "en_GB", "timeZone": "Europe/London"},
		"sheets":        sheets,
	})
}

// tabOf reads the tab of an A1 range: "Bookings!A1:Z1", "'My tab'!A1", "Bookings".
func tabOf(rng string) string {
	tab, _, _ := strings.Cut(rng, "!")
	if strings.HasPrefix(tab, "'") && strings.HasSuffix(tab, "'") && len(tab) >= 2 {
		tab = strings.ReplaceAll(tab[1:len(tab)-1], "''", "'")
	}
	return tab
}

// getValues serves values.get for the first row (the connector's header
// check); an empty tab answers without "values", as Google does.
func (s *Server) getValues(w http.ResponseWriter, rng string) {
	s.mu.Lock()
	rows, ok := s.tabs[tabOf(rng)]
	s.mu.Unlock()
	if !ok {
		writeError(w, badRange(rng))
		return
	}
	ans := map[string]any{"range": rng, "majorDimension": "ROWS"}
	if len(rows) > 0 {
		ans["values"] = [][]any{formatted(rows[0])}
	}
	writeJSON(w, http.StatusOK, ans)
}

// appendValues serves values.append as the reference describes it:
// valueInputOption is required, each value is stored as that option reads
// it, and the answer has tableRange only when the tab held a table
// ("Empty if no table was found", AppendValuesResponse) and tab names
// quoted where A1 notation needs it.
func (s *Server) appendValues(w http.ResponseWriter, r *http.Request, rng string) {
	q := r.URL.Query()
	option := q.Get("valueInputOption")
	switch option {
	case "USER_ENTERED", "RAW":
	case "":
		writeError(w, invalidArgument("value_input_option", "'valueInputOption' is required but not specified"))
		return
	default:
		writeError(w, invalidArgument("value_input_option", fmt.Sprintf("Invalid value at 'value_input_option' (%q)", option)))
		return
	}
	if opt := q.Get("insertDataOption"); opt != "" && opt != "INSERT_ROWS" && opt != "OVERWRITE" {
		writeError(w, invalidArgument("insert_data_option", fmt.Sprintf("Invalid value at 'insert_data_option' (%q)", opt)))
		return
	}
	var body struct {
		Values [][]any `json:"values"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeError(w, googleError{Code: http.StatusBadRequest, Status: "INVALID_ARGUMENT", Message: "Invalid JSON payload received."})
		return
	}
	cells, err := parseRows(body.Values, option)
	if err != nil {
		writeError(w, invalidArgument("data.values", err.Error()))
		return
	}
	if !s.takeWrite() {
		writeError(w, quotaExceeded())
		return
	}
	tab := tabOf(rng)
	s.mu.Lock()
	rows, ok := s.tabs[tab]
	if !ok {
		s.mu.Unlock()
		writeError(w, badRange(rng))
		return
	}
	s.tabs[tab] = append(rows, cells...)
	s.appends++
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, appendAnswer(s.SpreadsheetID, tab, rows, cells))
}

func parseRows(values [][]any, option string) ([][]Cell, error) {
	out := make([][]Cell, len(values))
	for r, row := range values {
		out[r] = make([]Cell, len(row))
		for c, v := range row {
			cell, err := parseCell(v, option, r, c)
			if err != nil {
				return nil, err
			}
			out[r][c] = cell
		}
	}
	return out, nil
}

// appendAnswer is the AppendValuesResponse for rows added below before.
func appendAnswer(id, tab string, before, added [][]Cell) map[string]any {
	cols := width(added)
	first := len(before) + 1
	ans := map[string]any{
		"spreadsheetId": id,
		"updates": map[string]any{
			"spreadsheetId": id,
			"updatedRange":  fmt.Sprintf("%s!A%d:%s%d", a1Tab(tab), first, column(cols), first+len(added)-1),
			"updatedRows":   len(added), "updatedColumns": cols, "updatedCells": len(added) * cols,
		},
	}
	if len(before) > 0 {
		ans["tableRange"] = fmt.Sprintf("%s!A1:%s%d", a1Tab(tab), column(width(before)), len(before))
	}
	return ans
}

func width(rows [][]Cell) int {
	n := 0
	for _, row := range rows {
		n = max(n, len(row))
	}
	return n
}

// formatted renders a row as values.get does by default (FORMATTED_VALUE):
// every value a string. Number formatting in the spreadsheet's locale is
// not modelled.
func formatted(row []Cell) []any {
	out := make([]any, len(row))
	for i, c := range row {
		switch v := c.Value.(type) {
		case nil:
			out[i] = ""
		case bool:
			out[i] = strings.ToUpper(fmt.Sprint(v))
		default:
			out[i] = fmt.Sprint(v)
		}
	}
	return out
}

// takeWrite applies the write quota, if any.
func (s *Server) takeWrite() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.WritesPerWindow <= 0 {
		return true
	}
	_, ok := s.writes.Take(time.Now(), s.WritesPerWindow, s.Window)
	return ok
}

// column is the A1 name of the n-th column (1 → A, 27 → AA).
func column(n int) string {
	if n <= 0 {
		n = 1
	}
	var b []byte
	for n > 0 {
		n--
		b = append([]byte{byte('A' + n%26)}, b...)
		n /= 26
	}
	return string(b)
}
