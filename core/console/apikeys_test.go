package console

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/core"
)

func TestAPIKeysPage(t *testing.T) {
	h := newHarness(t)
	owner := h.as(t, core.RoleOwner)

	status, body := owner.get(t, "/api_keys")
	if status != http.StatusOK {
		t.Fatalf("GET /api_keys = %d", status)
	}
	wantContains(t, "page", body, "No test keys yet.", `action="/api_keys"`)

	// Create: the secret is on the page that answers, once.
	status, body, _ = owner.post(t, "/api_keys", url.Values{"name": {xss}, "rate_limit": {"120"}})
	if status != http.StatusOK {
		t.Fatalf("create key = %d\n%s", status, body)
	}
	secret := regexp.MustCompile(`<code id="new-key-secret">(bh_test_[A-Za-z0-9]+)</code>`).FindStringSubmatch(body)
	if secret == nil {
		t.Fatalf("no secret shown:\n%s", body)
	}
	wantEscaped(t, body)
	wantContains(t, "page", body, `data-copy="#new-key-secret"`, "120/min")
	key, err := h.Store.Authenticate(context.Background(), secret[1])
	if err != nil || key.Scope() != h.scope || key.RateLimit != 120 {
		t.Fatalf("the shown secret authenticates as %+v, %v; want a test key of %s", key, err, h.scope.AccountID)
	}
	// Never again.
	_, body = owner.get(t, "/api_keys")
	if strings.Contains(body, secret[1]) {
		t.Fatal("the list shows the secret")
	}
	wantContains(t, "page", body, "bh_test_…"+secret[1][len(secret[1])-4:])

	// A live-mode session makes live keys.
	owner.post(t, "/mode", url.Values{"mode": {"live"}})
	_, body, _ = owner.post(t, "/api_keys", url.Values{"name": {"pms"}})
	if !strings.Contains(body, `<code id="new-key-secret">bh_live_`) {
		t.Fatalf("a key made in live mode is not live:\n%s", body)
	}
	if _, body = owner.get(t, "/api_keys"); strings.Contains(body, xss[:10]) || strings.Contains(body, "&lt;script") {
		t.Fatal("live mode lists the test key")
	}
	owner.post(t, "/mode", url.Values{"mode": {"test"}})

	// Revoke.
	status, _, loc := owner.post(t, "/api_keys/"+key.ID+"/revoke", nil)
	if status != http.StatusSeeOther || loc != "/api_keys?revoked=1" {
		t.Fatalf("revoke = %d → %q", status, loc)
	}
	if _, err := h.Store.Authenticate(context.Background(), secret[1]); core.ErrorCode(err) != core.EUNAUTHORIZED {
		t.Fatalf("the revoked key still authenticates: %v", err)
	}
	_, body = owner.get(t, "/api_keys?revoked=1")
	wantContains(t, "page", body, "The key was revoked", "No test keys yet.")
	if status, _, _ := owner.post(t, "/api_keys/key_nosuch/revoke", nil); status != http.StatusNotFound {
		t.Fatalf("revoking an unknown key = %d, want 404", status)
	}
}

func TestAPIKeysFormErrors(t *testing.T) {
	h := newHarness(t)
	owner := h.as(t, core.RoleOwner)
	for _, rate := range []string{"fast", "-1", "1000001"} {
		status, body, _ := owner.post(t, "/api_keys", url.Values{"name": {"ci"}, "rate_limit": {rate}})
		if status != http.StatusBadRequest || !strings.Contains(body, "rate limit") && !strings.Contains(body, "rate_limit") {
			t.Fatalf("rate %q: %d\n%s", rate, status, body)
		}
		if strings.Contains(body, "new-key-secret") {
			t.Fatalf("rate %q: a refused key shows a secret", rate)
		}
		wantContains(t, "page", body, `value="ci"`, `value="`+rate+`"`) // the input is kept
	}
	list, _ := h.Store.ListAPIKeys(context.Background(), h.scope, core.Page{Limit: 10})
	if len(list.Data) != 0 {
		t.Fatalf("refused forms made %d keys", len(list.Data))
	}
}

func TestAPIKeysRoles(t *testing.T) {
	h := newHarness(t)
	k, _, err := h.Store.CreateAPIKey(context.Background(), h.scope, "ci", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range []core.Role{core.RoleViewer, core.RoleDeveloper} {
		c := h.as(t, role)
		status, body := c.get(t, "/api_keys")
		if status != http.StatusOK || !strings.Contains(body, "bh_test_…"+k.Last4) {
			t.Fatalf("%s reads /api_keys: %d", role, status)
		}
		if strings.Contains(body, `action="/api_keys"`) || strings.Contains(body, "/revoke") {
			t.Fatalf("%s sees the create or revoke forms", role)
		}
		if status, _, _ := c.post(t, "/api_keys", url.Values{"name": {"x"}}); status != http.StatusForbidden {
			t.Fatalf("%s creates a key: %d, want 403", role, status)
		}
		if status, _, _ := c.post(t, "/api_keys/"+k.ID+"/revoke", nil); status != http.StatusForbidden {
			t.Fatalf("%s revokes a key: %d, want 403", role, status)
		}
	}
	if _, err := h.Store.ListAPIKeys(context.Background(), h.scope, core.Page{Limit: 10}); err != nil {
		t.Fatal(err)
	}
}

// The list pages with starting_after / ending_before links.
func TestAPIKeysPaging(t *testing.T) {
	h := newHarness(t)
	for range 3 {
		if _, _, err := h.Store.CreateAPIKey(context.Background(), h.scope, "k", 0); err != nil {
			t.Fatal(err)
		}
	}
	c := h.as(t, core.RoleViewer)
	_, body := c.get(t, "/api_keys?limit=2")
	next := regexp.MustCompile(`href="(/api_keys\?[^"]*starting_after=[^"]+)" rel="next"`).FindStringSubmatch(body)
	if next == nil || strings.Contains(body, `rel="prev"`) {
		t.Fatalf("first page's pager:\n%s", body)
	}
	_, body = c.get(t, strings.ReplaceAll(next[1], "&amp;", "&"))
	if strings.Count(body, "<tr>")-1 != 1 || !strings.Contains(body, `rel="prev"`) || strings.Contains(body, `rel="next"`) {
		t.Fatalf("second page:\n%s", body)
	}
}
