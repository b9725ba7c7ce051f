package api

import (
	"net/http"
	"testing"

	"github.com/bellhop/bellhop/core"
)

func TestPublishAndFetch(t *testing.T) {
	a := newTestAPI(t)
	a.do(t, http.MethodGet, "/healthz", nil, withoutKey()).wantStatus(t, http.StatusOK)
	a.do(t, http.MethodGet, "/readyz", nil, withoutKey()).wantStatus(t, http.StatusOK)
	a.do(t, http.MethodGet, "/v1/openapi.json", nil, withoutKey()).wantStatus(t, http.StatusOK)
	ev := a.publish(t)
	r := a.do(t, http.MethodGet, "/v1/events/"+ev.ID, nil)
	r.wantStatus(t, http.StatusOK)
	var got core.Event
	r.decode(t, &got)
	if got.ID != ev.ID || got.Type != "reservation.created" || got.Livemode {
		t.Errorf("got %+v, want the published test-mode event %s", got, ev.ID)
	}
	a.do(t, http.MethodGet, "/v1/events?limit=2", nil).wantStatus(t, http.StatusOK)
	a.do(t, http.MethodGet, "/v1/event_types", nil).wantStatus(t, http.StatusOK)
	a.do(t, http.MethodGet, "/v1/api_keys", nil).wantStatus(t, http.StatusOK)
	a.do(t, http.MethodGet, "/v1/activity", nil).wantStatus(t, http.StatusOK)
}
