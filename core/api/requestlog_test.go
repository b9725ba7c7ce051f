package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"
)

// logLines decodes a JSON log into one map per line.
func logLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		lines = append(lines, m)
	}
	return lines
}

// TestRequestLog: at level info every failed request has a line of its own
// and the successful ones are counted in a summary line; at level debug
// every request has its line.
func TestRequestLog(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelDebug} {
		t.Run(level.String(), func(t *testing.T) {
			logs := &lockedBuffer{}
			a := newTestAPI(t, func(c *Config, d *Deps) {
				c.RequestLogEvery = time.Hour // the test flushes it
				d.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: level}))
			})
			var failed []string
			for range 2 {
				r := a.do(t, http.MethodGet, "/v1/events/evt_missing", nil)
				r.wantStatus(t, http.StatusNotFound)
				failed = append(failed, r.Header.Get("X-Request-Id"))
			}
			r := a.do(t, http.MethodGet, "/v1/events?limit=-1", nil, badRequest())
			r.wantStatus(t, http.StatusBadRequest)
			failed = append(failed, r.Header.Get("X-Request-Id"))
			var succeeded []string
			for range 3 {
				r := a.do(t, http.MethodGet, "/v1/events?limit=1", nil)
				r.wantStatus(t, http.StatusOK)
				succeeded = append(succeeded, r.Header.Get("X-Request-Id"))
			}
			a.Server.FlushRequestLog()

			byID := map[string]map[string]any{}
			var summaries []map[string]any
			for _, l := range logLines(t, logs.String()) {
				switch l["msg"] {
				case "api request":
					byID[l["request_id"].(string)] = l
				case "api requests":
					summaries = append(summaries, l)
				}
			}
			for _, id := range failed {
				if l := byID[id]; l == nil || l["status"].(float64) < 400 || l["level"] != "INFO" {
					t.Errorf("failed request %s logged as %v, want a line of its own at INFO with its status", id, l)
				}
			}
			for _, id := range succeeded {
				if _, ok := byID[id]; ok != (level == slog.LevelDebug) {
					t.Errorf("successful request %s has a line of its own: %v, want %v at level %s", id, ok, !ok, level)
				}
			}
			var want []map[string]any
			if level == slog.LevelInfo {
				want = []map[string]any{{"method": "GET", "route": "/v1/events", "status": 200.0, "count": 3.0}}
			}
			if len(summaries) != len(want) {
				t.Fatalf("summary lines %v, want %v", summaries, want)
			}
			for i, w := range want {
				for k, v := range w {
					if summaries[i][k] != v {
						t.Errorf("summary %s = %v, want %v (%v)", k, summaries[i][k], v, summaries[i])
					}
				}
			}
		})
	}
}
