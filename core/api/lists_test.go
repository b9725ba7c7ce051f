package api

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/bellhop/bellhop/core"
)

func TestEventPagination(t *testing.T) {
	a := newTestAPI(t)
	var ids []string // oldest first
	for i := range 5 {
		body := a.sampleEvent(t, "reservation.created")
		body["id"] = fmt.Sprintf("evt_page%d", i)
		a.do(t, http.MethodPost, "/v1/events", body).wantStatus(t, http.StatusCreated)
		ids = append(ids, body["id"].(string))
	}
	tests := []struct {
		query    string
		want     []string
		wantMore bool
	}{
		{"limit=2", []string{ids[4], ids[3]}, true},
		{"limit=2&starting_after=" + ids[3], []string{ids[2], ids[1]}, true},
		{"limit=2&starting_after=" + ids[1], []string{ids[0]}, false},
		{"limit=2&ending_before=" + ids[1], []string{ids[3], ids[2]}, true},
		{"limit=2&ending_before=" + ids[3], []string{ids[4]}, false},
		{"limit=100", []string{ids[4], ids[3], ids[2], ids[1], ids[0]}, false},
		{"type=guest.checked_in", nil, false},
		{"type=reservation.created&property_id=prop_8hJk3m&limit=1", []string{ids[4]}, true},
		{"created[gte]=2000-01-01T00:00:00Z&created[lte]=" + strconv.FormatInt(1<<40, 10) + "&limit=1", []string{ids[4]}, true},
		{"created[lte]=946684800", nil, false},
	}
	// What a client generated from the OpenAPI document sends for the
	// optional params it was not given, an empty value each (which the
	// document's integer limit does not allow): read as absent.
	t.Run("empty params", func(t *testing.T) {
		r := a.do(t, http.MethodGet, "/v1/events?limit=&starting_after=&ending_before=&type=&property_id=&created[gte]=&created[lte]=", nil, badRequest())
		r.wantStatus(t, http.StatusOK)
		var l listBody[*core.Event]
		r.decode(t, &l)
		if len(l.Data) != len(ids) || l.HasMore {
			t.Errorf("got %d events has_more %v, want all %d as without the params", len(l.Data), l.HasMore, len(ids))
		}
	})
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := a.do(t, http.MethodGet, "/v1/events?"+tt.query, nil)
			r.wantStatus(t, http.StatusOK)
			var l listBody[*core.Event]
			r.decode(t, &l)
			var got []string
			for _, ev := range l.Data {
				got = append(got, ev.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) || l.HasMore != tt.wantMore || l.Object != "list" || l.URL != "/v1/events" {
				t.Errorf("got %v has_more %v, want %v has_more %v", got, l.HasMore, tt.want, tt.wantMore)
			}
		})
	}
}

func TestListParamErrors(t *testing.T) {
	a := newTestAPI(t)
	tests := []struct {
		path, wantParam string
	}{
		{"/v1/events?limit=0", "limit"},
		{"/v1/events?limit=101", "limit"},
		{"/v1/events?limit=many", "limit"},
		{"/v1/events?starting_after=evt_a&ending_before=evt_b", "ending_before"},
		{"/v1/events?created[gte]=last-tuesday", "created[gte]"},
		{"/v1/events?created[lte]=2026-13-45T00:00:00Z", "created[lte]"},
		{"/v1/api_keys?limit=1000", "limit"},
		{"/v1/activity?limit=-1", "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			a.do(t, http.MethodGet, tt.path, nil, badRequest()).wantError(t, http.StatusBadRequest, typeInvalidRequest, tt.wantParam)
		})
	}
}
