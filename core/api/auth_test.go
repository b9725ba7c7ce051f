package api

import (
	"net/http"
	"strings"
	"testing"
)

func TestAuthentication(t *testing.T) {
	a := newTestAPI(t)
	r := a.do(t, http.MethodPost, "/v1/api_keys", map[string]any{"name": "to revoke"})
	r.wantStatus(t, http.StatusCreated)
	var created createdAPIKey
	r.decode(t, &created)
	a.do(t, http.MethodDelete, "/v1/api_keys/"+created.ID, nil).wantStatus(t, http.StatusOK)

	tests := []struct {
		name     string
		opts     []callOpt
		wantCode string
	}{
		{"no key", []callOpt{withoutKey()}, "api_key_missing"},
		{"not bearer", []callOpt{withHeader("Authorization", "Basic "+a.Key)}, "api_key_malformed"},
		{"malformed key", []callOpt{withKey("sk_test_123")}, "api_key_malformed"},
		{"short key", []callOpt{withKey("bh_test_abc")}, "api_key_malformed"},
		{"unknown key", []callOpt{withKey("bh_test_" + strings.Repeat("x", 40))}, "api_key_invalid"},
		{"revoked key", []callOpt{withKey(created.Secret)}, "api_key_invalid"},
	}
	messages := map[string]string{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := a.do(t, http.MethodGet, "/v1/events", nil, append(tt.opts, badRequest())...)
			d := r.wantError(t, http.StatusUnauthorized, typeAuthentication, "")
			if d.Code != tt.wantCode {
				t.Errorf("code = %q, want %q", d.Code, tt.wantCode)
			}
			if r.Header.Get("X-RateLimit-Limit") != "" {
				t.Errorf("an unauthenticated response has rate-limit headers")
			}
			messages[tt.wantCode] = d.Message
		})
	}
	if len(messages) == 3 && (messages["api_key_missing"] == messages["api_key_malformed"] || messages["api_key_malformed"] == messages["api_key_invalid"]) {
		t.Errorf("no key, malformed key and revoked key share a message: %v", messages)
	}
}

func TestAPIKeys(t *testing.T) {
	a := newTestAPI(t)
	r := a.do(t, http.MethodPost, "/v1/api_keys", map[string]any{"name": "ci", "rate_limit": 600})
	r.wantStatus(t, http.StatusCreated)
	var created createdAPIKey
	r.decode(t, &created)
	if !strings.HasPrefix(created.Secret, "bh_test_") || created.Livemode || created.RateLimit != 600 {
		t.Fatalf("a test key created %+v, want a test key with rate_limit 600", created)
	}
	if created.Last4 != created.Secret[len(created.Secret)-4:] {
		t.Errorf("last4 = %q, secret ends %q", created.Last4, created.Secret[len(created.Secret)-4:])
	}
	a.do(t, http.MethodGet, "/v1/events", nil, withKey(created.Secret)).wantStatus(t, http.StatusOK)

	list := a.do(t, http.MethodGet, "/v1/api_keys", nil)
	list.wantStatus(t, http.StatusOK)
	if strings.Contains(string(list.Body), created.Secret) || strings.Contains(string(list.Body), `"secret"`) {
		t.Errorf("the key list shows a secret: %s", list.Body)
	}
	if !strings.Contains(string(list.Body), created.ID) {
		t.Errorf("the key list lacks the new key %s: %s", created.ID, list.Body)
	}

	live := a.do(t, http.MethodPost, "/v1/api_keys", map[string]any{"name": "live"}, withKey(a.LiveKey))
	live.wantStatus(t, http.StatusCreated)
	var liveKey createdAPIKey
	live.decode(t, &liveKey)
	if !strings.HasPrefix(liveKey.Secret, "bh_live_") || !liveKey.Livemode {
		t.Errorf("a live key created %+v, want a live key", liveKey)
	}

	a.do(t, http.MethodPost, "/v1/api_keys", map[string]any{"rate_limit": -1}, badRequest()).
		wantError(t, http.StatusBadRequest, typeInvalidRequest, "rate_limit")
	a.do(t, http.MethodPost, "/v1/api_keys", `{"rate_limit":"fast"}`, badRequest()).
		wantError(t, http.StatusBadRequest, typeInvalidRequest, "rate_limit")
}
