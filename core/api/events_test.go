package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/core"
)

// sampleObject returns the catalog sample of typ as a map to edit.
func (a *testAPI) sampleObject(t testing.TB, typ string) map[string]any {
	t.Helper()
	var o map[string]any
	if err := json.Unmarshal(a.sampleEvent(t, typ)["data"].(map[string]any)["object"].(json.RawMessage), &o); err != nil {
		t.Fatalf("sample: %v", err)
	}
	return o
}

// TestPublishRejects: every malformed publish gets 400 (or 413) naming the
// param, and stores nothing.
func TestPublishRejects(t *testing.T) {
	a := newTestAPI(t)
	badEmail := a.sampleObject(t, "reservation.created")
	badEmail["guest"].(map[string]any)["email"] = "ada-at-example"
	big := `{"type":"reservation.created","data":{"object":{"x":"` + strings.Repeat("a", DefaultBodyLimit) + `"}}}`
	tests := []struct {
		name       string
		body       any
		wantStatus int
		wantParam  string
	}{
		{"bad JSON", `{"type": "reservation.created",`, 400, ""},
		{"not JSON", `type=reservation.created`, 400, ""},
		{"empty body", ``, 400, ""},
		{"unknown field", `{"type":"reservation.created","data":{"object":{}},"colour":"red"}`, 400, "colour"},
		{"wrong type", `{"type":42,"data":{"object":{}}}`, 400, "type"},
		{"data not an object", `{"type":"reservation.created","data":"x"}`, 400, "data"},
		{"data.object not an object", `{"type":"reservation.created","data":{"object":[1]}}`, 400, "data.object"},
		{"data.object missing", `{"type":"reservation.created","data":{}}`, 400, "data.object"},
		{"bad created_at", `{"type":"reservation.created","created_at":"yesterday","data":{"object":{}}}`, 400, "created_at"},
		{"too large", big, 413, ""},
		{"unknown event type", map[string]any{"type": "reservation.teleported", "property_id": "prop_1", "data": map[string]any{"object": map[string]any{}}}, 400, "type"},
		{"schema violation", map[string]any{"type": "reservation.created", "property_id": "prop_1", "data": map[string]any{"object": badEmail}}, 400, "data.object.guest.email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := a.do(t, http.MethodPost, "/v1/events", tt.body, badRequest())
			d := r.wantError(t, tt.wantStatus, typeInvalidRequest, tt.wantParam)
			if d.Message == "" || strings.Contains(d.Message, "json:") {
				t.Errorf("message %q is not for people", d.Message)
			}
		})
	}
	list := a.do(t, http.MethodGet, "/v1/events", nil)
	var l listBody[*core.Event]
	list.decode(t, &l)
	if len(l.Data) != 0 {
		t.Errorf("rejected publishes stored %d events", len(l.Data))
	}
}

func TestPublishWithID(t *testing.T) {
	a := newTestAPI(t)
	body := a.sampleEvent(t, "guest.checked_in")
	body["id"] = "evt_fromthepms1"
	body["created_at"] = "2026-04-13T16:22:31+02:00"
	first := a.do(t, http.MethodPost, "/v1/events", body)
	first.wantStatus(t, http.StatusCreated)
	var ev core.Event
	first.decode(t, &ev)
	if ev.ID != "evt_fromthepms1" || ev.CreatedAt.Format("2006-01-02T15:04:05Z07:00") != "2026-04-13T14:22:31Z" || ev.APIVersion != core.APIVersion {
		t.Errorf("envelope = %+v, want the given id, created_at in UTC and the API version", ev)
	}
	again := a.do(t, http.MethodPost, "/v1/events", body)
	again.wantStatus(t, http.StatusOK)
	if string(again.Body) != string(first.Body) {
		t.Errorf("republish answered %s, want the stored event %s", again.Body, first.Body)
	}
	var l listBody[*core.Event]
	a.do(t, http.MethodGet, "/v1/events", nil).decode(t, &l)
	if len(l.Data) != 1 {
		t.Errorf("%d events stored, want 1", len(l.Data))
	}
}

func TestEventTypes(t *testing.T) {
	a := newTestAPI(t)
	r := a.do(t, http.MethodGet, "/v1/event_types", nil)
	r.wantStatus(t, http.StatusOK)
	var l listBody[*core.EventType]
	r.decode(t, &l)
	if len(l.Data) < 20 {
		t.Errorf("the catalog lists %d types, want the 20 shipped", len(l.Data))
	}
	a.do(t, http.MethodGet, "/v1/event_types/reservation.created", nil).wantStatus(t, http.StatusOK)
	a.do(t, http.MethodGet, "/v1/event_types/nope.nope", nil).wantError(t, http.StatusNotFound, typeInvalidRequest, "")

	custom := map[string]any{
		"type": "minibar.restocked", "description": "A minibar was restocked",
		"schema": map[string]any{"type": "object", "required": []string{"room"}, "properties": map[string]any{"room": map[string]any{"type": "string"}}},
		"sample": map[string]any{"room": "101"},
	}
	a.do(t, http.MethodPost, "/v1/event_types", custom).wantStatus(t, http.StatusCreated)
	a.do(t, http.MethodPost, "/v1/event_types", custom).wantError(t, http.StatusConflict, typeInvalidRequest, "type")
	a.do(t, http.MethodPost, "/v1/events", map[string]any{"type": "minibar.restocked", "property_id": "prop_1", "data": map[string]any{"object": map[string]any{"room": "101"}}}).
		wantStatus(t, http.StatusCreated)
	a.do(t, http.MethodPost, "/v1/events", map[string]any{"type": "minibar.restocked", "property_id": "prop_1", "data": map[string]any{"object": map[string]any{}}}).
		wantError(t, http.StatusBadRequest, typeInvalidRequest, "data.object.room")
	a.do(t, http.MethodGet, "/v1/event_types/minibar.restocked", nil, withKey(a.OtherKey)).
		wantError(t, http.StatusNotFound, typeInvalidRequest, "")
}
