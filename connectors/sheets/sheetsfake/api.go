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
		writeError(w, http.StatusUnauthorized, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.")
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
		writeError(w, http.StatusNotFound, "NOT_FOUND", "Requested entity was not found.")
	case !shared:
		writeError(w, http.StatusForbidden, "PERMISSION_DENIED", "The caller does not have permission")
	case len(segs) == 1 && r.Method == http.MethodGet:
		s.getSpreadsheet(w)
	case len(segs) == 3 && segs[1] == "values":
		rng, _ := url.PathUnescape(segs[2])
		if a, ok := strings.CutSuffix(rng, ":append"); ok && r.Method == http.MethodPost {
			s.appendValues(w, r, a)
		} else if r.Method == http.MethodGet {
			s.getValues(w, rng)
		} else {
			writeError(w, http.StatusNotFound, "NOT_FOUND", "Method not found.")
		}
	default:
		writeError(w, http.StatusNotFound, "NOT_FOUND", "Method not found.")
	}
}

func (s *Server) getSpreadsheet(w http.ResponseWriter) {
	s.mu.Lock()
	defer s.mu.Unlock()
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
		writeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Unable to parse range: "+rng)
		return
	}
	ans := map[string]any{"range": rng, "majorDimension": "ROWS"}
	if len(rows) > 0 {
		ans["values"] = rows[:1]
	}
	writeJSON(w, http.StatusOK, ans)
}

func (s *Server) appendValues(w http.ResponseWriter, r *http.Request, rng string) {
	q := r.URL.Query()
	switch q.Get("valueInputOption") {
	case "USER_ENTERED", "RAW":
	case "":
		writeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "'valueInputOption' is required but not specified")
		return
	default:
		writeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Invalid value at 'value_input_option'")
		return
	}
	var body struct {
		Values [][]any `json:"values"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Invalid JSON payload received.")
		return
	}
	tab := tabOf(rng)
	if !s.takeWrite() {
		status, msg := statusFor(http.StatusTooManyRequests)
		writeError(w, http.StatusTooManyRequests, status, msg)
		return
	}
	s.mu.Lock()
	rows, ok := s.tabs[tab]
	if !ok {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Unable to parse range: "+rng)
		return
	}
	first := len(rows) + 1
	s.tabs[tab] = append(rows, body.Values...)
	s.appends++
	s.mu.Unlock()
	cols := 0
	for _, row := range body.Values {
		cols = max(cols, len(row))
	}
	updated := fmt.Sprintf("%s!A%d:%s%d", tab, first, column(cols), first+len(body.Values)-1)
	writeJSON(w, http.StatusOK, map[string]any{
		"spreadsheetId": s.SpreadsheetID,
		"tableRange":    fmt.Sprintf("%s!A1:%s%d", tab, column(cols), max(first-1, 1)),
		"updates": map[string]any{
			"spreadsheetId": s.SpreadsheetID, "updatedRange": updated,
			"updatedRows": len(body.Values), "updatedColumns": cols, "updatedCells": len(body.Values) * cols,
		},
	})
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
