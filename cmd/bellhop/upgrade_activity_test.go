package main

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
)

// fixtureFirstRequest is, by fixture, the first request the earlier
// version recorded when the fixture was captured (its activity stream's
// first entry).
var fixtureFirstRequest = map[string]string{
	"37c217d": "req_393af02d3af1255aff6abd57",
	"3b34df4": "req_02761e0a36fc58234c71dffa",
	"c6c8e4a": "req_0000mx63lr9ubh7q6shklpmm",
	"d5e1b19": "req_0000mx68r42vcql9l7c0muao",
	"67407c8": "req_0000mx6f8x0j93p9dr0yf0mq",
	"0640f54": "req_0000mx7aivak99yewbsqsez0",
	"c813375": "req_0000mx9ah7fsnwe55o7je52g",
	"bc99871": "req_0000mx9e2ru3jbn2kubursl3",
}

// activityPage is the part of GET /v1/activity the upgrade test reads.
type activityPage struct {
	Data []struct {
		ID     string `json:"id"`
		Path   string `json:"path"`
		Status int    `json:"status"`
	} `json:"data"`
	HasMore bool `json:"has_more"`
}

// activityIDs lists the ids of a page of GET /v1/activity?query.
func (h *upgradeHub) activityIDs(t *testing.T, query string) ([]string, activityPage) {
	t.Helper()
	var page activityPage
	h.call(t, h.m.BootstrapKey, "GET", "/v1/activity?"+query, "", &page)
	var ids []string
	for _, a := range page.Data {
		ids = append(ids, a.ID)
	}
	return ids, page
}

// checkActivity: the activity log the previous version wrote (JSON entries
// and a per-day index of request ids, 24 hex digits each) is listed under
// the requests made since, and its request ids still serve as page
// cursors.
func (h *upgradeHub) checkActivity(t *testing.T) {
	// Page through the whole log: the cursors cross from this version's
	// entries to the previous one's.
	var all []string
	var last activityPage
	for q := "limit=20"; ; {
		ids, page := h.activityIDs(t, q)
		all, last = append(all, ids...), page
		if !page.HasMore || len(all) > 1000 {
			break
		}
		q = "limit=20&starting_after=" + ids[len(ids)-1]
	}
	first := fixtureFirstRequest[h.m.From]
	if len(all) < 10 || all[len(all)-1] != first {
		t.Fatalf("activity lists %d requests ending with %v, want the fixture's first, %q, last", len(all), all[max(len(all)-1, 0):], first)
	}
	if a := last.Data[len(last.Data)-1]; a.Path != "/v1/event_types" || a.Status != 201 {
		t.Errorf("the fixture's first request = %+v, want POST /v1/event_types 201 as recorded", a)
	}
	if ms, _, ok := core.ParseRequestID(all[0]); !ok || time.Since(time.UnixMilli(ms)).Abs() > time.Hour {
		t.Errorf("newest request %s is not one of this version's time-ordered ids", all[0])
	}
	mid := len(all) - 5 // one of the fixture's requests
	for _, c := range []struct {
		query string
		want  []string
	}{
		{fmt.Sprintf("limit=4&starting_after=%s", all[mid]), all[mid+1:]},
		{fmt.Sprintf("limit=3&ending_before=%s", all[mid]), all[mid-3 : mid]},
	} {
		if got, _ := h.activityIDs(t, c.query); !slices.Equal(got, c.want) {
			t.Errorf("GET /v1/activity?%s = %v, want %v", c.query, got, c.want)
		}
	}
}
