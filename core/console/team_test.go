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

func TestTeamInvite(t *testing.T) {
	h := newHarness(t)
	owner := h.as(t, core.RoleOwner)

	status, body := owner.get(t, "/team")
	if status != http.StatusOK {
		t.Fatalf("GET /team = %d", status)
	}
	wantContains(t, "page", body, owner.email, "No open invites.", `action="/team/invites"`, "The only owner")

	status, body, _ = owner.post(t, "/team/invites", url.Values{"email": {"new@hotel.example"}, "role": {"developer"}})
	if status != http.StatusOK {
		t.Fatalf("invite = %d\n%s", status, body)
	}
	m := regexp.MustCompile(`<code id="invite-link">(http://127\.0\.0\.1:\d+/invite\?token=([^<]+))</code>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no invite link on the page:\n%s", body)
	}
	wantContains(t, "page", body, `data-copy="#invite-link"`, "new@hotel.example")
	inv, err := h.Users.LookupInvite(context.Background(), m[2])
	if err != nil || inv.Email != "new@hotel.example" || inv.Role != core.RoleDeveloper {
		t.Fatalf("the link's token names %+v, %v", inv, err)
	}
	// The link is shown once; the list shows the invite.
	_, body = owner.get(t, "/team")
	if strings.Contains(body, m[2]) {
		t.Fatal("the team page shows the token again")
	}
	wantContains(t, "page", body, "/team/invites/"+inv.ID+"/revoke")

	status, _, loc := owner.post(t, "/team/invites/"+inv.ID+"/revoke", nil)
	if status != http.StatusSeeOther || loc != "/team?done=revoked" {
		t.Fatalf("revoke invite = %d → %q", status, loc)
	}
	if _, err := h.Users.LookupInvite(context.Background(), m[2]); err == nil {
		t.Fatal("the revoked invite's link still works")
	}
}

func TestTeamInviteUsesPublicURL(t *testing.T) {
	h := newHarness(t, func(c *Config, _ *Deps) { c.PublicURL = "https://console.hotel.example/" })
	owner := h.as(t, core.RoleOwner)
	_, body, _ := owner.post(t, "/team/invites", url.Values{"email": {"a@hotel.example"}, "role": {"viewer"}})
	wantContains(t, "page", body, `<code id="invite-link">https://console.hotel.example/invite?token=`)
}

func TestTeamFormErrors(t *testing.T) {
	h := newHarness(t)
	owner := h.as(t, core.RoleOwner)
	status, body, _ := owner.post(t, "/team/invites", url.Values{"email": {xss}, "role": {"developer"}})
	if status != http.StatusBadRequest || !strings.Contains(body, `class="alert error"`) {
		t.Fatalf("a bad email: %d\n%s", status, body)
	}
	wantEscaped(t, body)
	status, body, _ = owner.post(t, "/team/invites", url.Values{"email": {"x@hotel.example"}, "role": {"admin"}})
	if status != http.StatusBadRequest || !strings.Contains(body, `value="x@hotel.example"`) {
		t.Fatalf("an unknown role: %d\n%s", status, body)
	}
}

func TestTeamRolesAndLastOwner(t *testing.T) {
	h := newHarness(t)
	owner := h.as(t, core.RoleOwner)
	dev := h.as(t, core.RoleDeveloper)
	ctx := context.Background()
	users, _ := h.Users.ListUsers(ctx, h.account)
	id := map[string]string{}
	for _, u := range users {
		id[u.Email] = u.ID
	}

	// The last owner cannot be demoted or removed: the page says why.
	status, body, _ := owner.post(t, "/team/users/"+id[owner.email]+"/role", url.Values{"role": {"viewer"}})
	if status != http.StatusConflict || !strings.Contains(body, "at least one owner") {
		t.Fatalf("demoting the last owner: %d\n%s", status, body)
	}
	status, body, _ = owner.post(t, "/team/users/"+id[owner.email]+"/remove", nil)
	if status != http.StatusConflict || !strings.Contains(body, "at least one owner") {
		t.Fatalf("removing the last owner: %d\n%s", status, body)
	}

	// Lower roles cannot change the team.
	for _, path := range []string{"/team/users/" + id[owner.email] + "/role", "/team/users/" + id[owner.email] + "/remove", "/team/invites"} {
		if status, _, _ := dev.post(t, path, url.Values{"role": {"viewer"}, "email": {"z@hotel.example"}}); status != http.StatusForbidden {
			t.Fatalf("developer POST %s = %d, want 403", path, status)
		}
	}
	_, body = dev.get(t, "/team")
	if strings.Contains(body, `action="/team/invites"`) || strings.Contains(body, "/remove") {
		t.Fatal("a developer sees the team's change forms")
	}

	// The owner promotes the developer, then removes them.
	status, _, loc := owner.post(t, "/team/users/"+id[dev.email]+"/role", url.Values{"role": {"owner"}})
	if status != http.StatusSeeOther || loc != "/team?done=role" {
		t.Fatalf("promote = %d → %q", status, loc)
	}
	if u, _ := h.Users.GetUser(ctx, h.account, id[dev.email]); u.Role != core.RoleOwner {
		t.Fatalf("role after promotion: %s", u.Role)
	}
	status, _, _ = owner.post(t, "/team/users/"+id[dev.email]+"/remove", nil)
	if status != http.StatusSeeOther {
		t.Fatalf("remove = %d", status)
	}
	if _, err := h.Users.GetUser(ctx, h.account, id[dev.email]); core.ErrorCode(err) != core.ENOTFOUND {
		t.Fatalf("the removed user is still there: %v", err)
	}
	if status, _ := dev.get(t, "/team"); status != http.StatusSeeOther {
		t.Fatalf("the removed user's session still works: %d", status)
	}
}
