package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestFollowBackfill: following reads the backfill until it ends and shows
// each change once: as lines where no terminal is, as one bar redrawn in
// place on a terminal; and it returns the last state.
func TestFollowBackfill(t *testing.T) {
	var reads atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/backfills/bf_1" {
			http.NotFound(w, r)
			return
		}
		status, queued := "running", 5*int(reads.Add(1))
		if queued >= 10 {
			status, queued = "completed", 10
		}
		fmt.Fprintf(w, `{"id":"bf_1","object":"backfill","status":%q,"count":10,"queued":%d}`, status, queued)
	}))
	t.Cleanup(srv.Close)
	first := []byte(`{"id":"bf_1","object":"backfill","status":"running","count":10,"queued":0}`)
	for _, tt := range []struct {
		bar  bool
		want string
	}{
		{false, "bf_1  running: 0/10 events queued\nbf_1  running: 5/10 events queued\nbf_1  completed: 10/10 events queued\n"},
		{true, "\rbf_1  [------------------------------]  0/10 events queued" +
			"\rbf_1  [###############---------------]  5/10 events queued" +
			"\rbf_1  completed: 10/10 events queued\n"},
	} {
		reads.Store(0)
		var progress bytes.Buffer
		c := &apiClient{base: srv.URL, key: "bh_test_x", http: srv.Client()}
		last, err := followBackfill(context.Background(), c, first, &progress, tt.bar)
		if err != nil {
			t.Fatal(err)
		}
		if progress.String() != tt.want {
			t.Errorf("bar %v: progress\n%q\nwant\n%q", tt.bar, progress.String(), tt.want)
		}
		if !strings.Contains(string(last), `"status":"completed"`) {
			t.Errorf("bar %v: returned %s, want the completed backfill", tt.bar, last)
		}
	}
}
