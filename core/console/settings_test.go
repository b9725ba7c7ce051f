package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/core"
)

func TestSettings(t *testing.T) {
	h := newHarness(t)
	owner := h.as(t, core.RoleOwner)
	status, body := owner.get(t, "/settings")
	if status != http.StatusOK {
		t.Fatalf("GET /settings = %d", status)
	}
	wantContains(t, "page", body, `id="account-name"`, `value="default"`, h.account, "disabled endpoint")

	status, _, loc := owner.post(t, "/settings", url.Values{"name": {xss}, "developer_contact": {"dev@aurora.example"}})
	if status != http.StatusSeeOther || loc != "/settings?saved=1" {
		t.Fatalf("save = %d → %q", status, loc)
	}
	a, _ := h.Store.FindAccount(context.Background(), h.account)
	if a.Name != xss || a.DeveloperContact != "dev@aurora.example" {
		t.Fatalf("account after save: %+v", a)
	}
	_, body = owner.get(t, "/settings?saved=1")
	wantEscaped(t, body)
	wantContains(t, "page", body, "Settings saved.", `value="dev@aurora.example"`)

	// A refused save says what to fix and keeps the input.
	status, body, _ = owner.post(t, "/settings", url.Values{"name": {"Aurora"}, "developer_contact": {"not an email"}})
	if status != http.StatusBadRequest || !strings.Contains(body, "The developer contact must be one email address") || !strings.Contains(body, `value="not an email"`) {
		t.Fatalf("a bad contact: %d\n%s", status, body)
	}
	status, body, _ = owner.post(t, "/settings", url.Values{"name": {"  "}, "developer_contact": {""}})
	if status != http.StatusBadRequest || !strings.Contains(body, "The account needs a name.") {
		t.Fatalf("a blank name: %d\n%s", status, body)
	}

	// Lower roles read, and cannot change.
	for _, role := range []core.Role{core.RoleViewer, core.RoleDeveloper} {
		c := h.as(t, role)
		_, body := c.get(t, "/settings")
		if strings.Contains(body, `action="/settings"`) || !strings.Contains(body, "dev@aurora.example") {
			t.Fatalf("%s's settings page:\n%s", role, body)
		}
		if status, _, _ := c.post(t, "/settings", url.Values{"name": {"Mine"}}); status != http.StatusForbidden {
			t.Fatalf("%s saves settings: %d, want 403", role, status)
		}
	}
	if a, _ := h.Store.FindAccount(context.Background(), h.account); a.Name != xss {
		t.Fatalf("a refused save changed the name to %q", a.Name)
	}
}
