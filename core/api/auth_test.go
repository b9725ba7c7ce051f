package api

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
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
		{"revoked key", []callOpt{withKey(created.Secret)}, "api_key_revoked"},
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
	distinct := map[string]bool{}
	for _, m := range messages {
		distinct[m] = true
	}
	if len(distinct) != 4 {
		t.Errorf("no key, malformed, unknown and revoked keys do not have 4 messages of their own: %v", messages)
	}
	if got, want := messages["api_key_revoked"], "This API key was revoked."; got != want {
		t.Errorf("revoked key message = %q, want %q", got, want)
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

// TestKeyCacheRevocation: a key revoked behind this hub's back (by another
// hub, here straight in the store) keeps working until its cache entry is
// KeyCacheTTL old, and not a moment longer; one revoked through this hub
// stops at once.
func TestKeyCacheRevocation(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 4, 13, 14, 0, 0, 0, time.UTC)}
	a := newTestAPI(t, func(c *Config, d *Deps) { c.KeyCacheTTL = 5 * time.Second; d.Clock = clock.now })
	ctx := context.Background()
	sc := core.Scope{AccountID: "acct_cache" + randomBase62(t, 6)}
	elsewhere, elsewhereSecret, err := a.Store.CreateAPIKey(ctx, sc, "revoked elsewhere", 0)
	if err != nil {
		t.Fatal(err)
	}
	_, hereSecret, err := a.Store.CreateAPIKey(ctx, sc, "revoked here", 0)
	if err != nil {
		t.Fatal(err)
	}
	hereKey := a.do(t, http.MethodGet, "/v1/api_keys", nil, withKey(hereSecret))
	hereKey.wantStatus(t, http.StatusOK)
	a.do(t, http.MethodGet, "/v1/events", nil, withKey(elsewhereSecret)).wantStatus(t, http.StatusOK)

	if err := a.Store.RevokeAPIKey(ctx, sc, elsewhere.ID); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		advance time.Duration
		want    int
	}{
		{0, http.StatusOK},
		{4 * time.Second, http.StatusOK},
		{999 * time.Millisecond, http.StatusOK},
		{time.Millisecond, http.StatusUnauthorized}, // exactly KeyCacheTTL after it was cached
		{time.Hour, http.StatusUnauthorized},
	}
	for _, st := range steps {
		clock.add(st.advance)
		r := a.do(t, http.MethodGet, "/v1/events", nil, withKey(elsewhereSecret), badRequest())
		if r.Status != st.want {
			t.Fatalf("%s after caching: status %d, want %d", clock.since(), r.Status, st.want)
		}
	}

	var list struct{ Data []core.APIKey }
	hereKey.decode(t, &list)
	var hereID string
	for _, k := range list.Data {
		if k.Name == "revoked here" {
			hereID = k.ID
		}
	}
	a.do(t, http.MethodDelete, "/v1/api_keys/"+hereID, nil, withKey(elsewhereSecret), badRequest()).wantStatus(t, http.StatusUnauthorized)
	a.do(t, http.MethodDelete, "/v1/api_keys/"+hereID, nil, withKey(hereSecret)).wantStatus(t, http.StatusOK)
	r := a.do(t, http.MethodGet, "/v1/events", nil, withKey(hereSecret), badRequest())
	if d := r.wantError(t, http.StatusUnauthorized, typeAuthentication, ""); d.Code != "api_key_revoked" {
		t.Errorf("a key revoked through this hub: code %q at once, want api_key_revoked", d.Code)
	}
}

// fakeClock is a clock a test moves by hand.
type fakeClock struct {
	mu    sync.Mutex
	start time.Time
	t     time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.start.IsZero() {
		c.start = c.t
	}
	c.t = c.t.Add(d)
}

func (c *fakeClock) since() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t.Sub(c.start)
}
