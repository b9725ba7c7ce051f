package api

import (
	"net/http"
	"strings"
	"testing"
)

// TestScopeIsolation: a key never sees another account's or another mode's
// objects, and learns nothing from trying (404, as for an id that does not
// exist).
func TestScopeIsolation(t *testing.T) {
	a := newTestAPI(t)
	testEvent := a.publish(t)
	liveEvent := a.publish(t, withKey(a.LiveKey))
	if !liveEvent.Livemode || testEvent.Livemode {
		t.Fatalf("livemode: test event %v, live event %v", testEvent.Livemode, liveEvent.Livemode)
	}
	r := a.do(t, http.MethodPost, "/v1/api_keys", map[string]any{"name": "a's"})
	r.wantStatus(t, http.StatusCreated)
	var aKey createdAPIKey
	r.decode(t, &aKey)

	tests := []struct {
		name, method, path, key string
	}{
		{"test key, live event", http.MethodGet, "/v1/events/" + liveEvent.ID, a.Key},
		{"live key, test event", http.MethodGet, "/v1/events/" + testEvent.ID, a.LiveKey},
		{"other account's event", http.MethodGet, "/v1/events/" + testEvent.ID, a.OtherKey},
		{"other account's key", http.MethodDelete, "/v1/api_keys/" + aKey.ID, a.OtherKey},
		{"no such event", http.MethodGet, "/v1/events/evt_doesnotexist", a.Key},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := a.do(t, tt.method, tt.path, nil, withKey(tt.key)).wantError(t, http.StatusNotFound, typeInvalidRequest, "")
			if d.Code != "resource_missing" {
				t.Errorf("code = %q, want resource_missing", d.Code)
			}
		})
	}
	for _, key := range []string{a.LiveKey, a.OtherKey} {
		list := a.do(t, http.MethodGet, "/v1/events", nil, withKey(key))
		list.wantStatus(t, http.StatusOK)
		if strings.Contains(string(list.Body), testEvent.ID) {
			t.Errorf("another scope lists the test event: %s", list.Body)
		}
	}
	a.do(t, http.MethodGet, "/v1/api_keys/"+aKey.ID, nil, withKey(a.Key), notInSpec()).wantStatus(t, http.StatusMethodNotAllowed)
	a.do(t, http.MethodGet, "/v1/events", nil, withKey(aKey.Secret)).wantStatus(t, http.StatusOK) // still alive
}
