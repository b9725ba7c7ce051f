package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/core"
)

func TestPagesCarryAStrictContentSecurityPolicy(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{"/signin", "/setup", "/no-such-page", "/static/console.css"} {
		resp, err := http.Get(h.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		csp := resp.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: Content-Security-Policy %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: Content-Security-Policy allows inline code: %q", path, csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", path)
		}
	}
}

func TestSignedOutBrowsersAreSentToSignInAndBack(t *testing.T) {
	h := newHarness(t)
	anon := h.anonymous(t)
	status, _ := anon.get(t, "/?since=1h")
	resp, _ := anon.http.Get(h.URL + "/?since=1h")
	resp.Body.Close()
	if status != http.StatusSeeOther || resp.Header.Get("Location") != "/signin?next="+url.QueryEscape("/?since=1h") {
		t.Fatalf("GET /events signed out: %d to %q, want 303 to the sign-in page with next", status, resp.Header.Get("Location"))
	}

	if _, err := h.Users.CreateUser(context.Background(), h.account, "ada@hotel.example", "correct horse battery staple", core.RoleViewer); err != nil {
		t.Fatal(err)
	}
	status, _, loc := anon.post(t, "/signin", url.Values{"email": {"ada@hotel.example"}, "password": {"correct horse battery staple"}, "next": {"/?since=1h"}})
	if status != http.StatusSeeOther || loc != "/?since=1h" {
		t.Fatalf("sign in: %d to %q, want 303 back to where the user was going", status, loc)
	}
}

func TestSignInNeverFollowsANextLinkOffSite(t *testing.T) {
	for next, want := range map[string]string{
		"/endpoints":            "/endpoints",
		"//evil.example/x":      "/",
		"https://evil.example/": "/",
		"/\\evil.example":       "/",
		"":                      "/",
	} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}

func TestAWrongPasswordAndAnUnknownEmailGetTheSameAnswer(t *testing.T) {
	h := newHarness(t)
	if _, err := h.Users.CreateUser(context.Background(), h.account, "ada@hotel.example", "correct horse battery staple", core.RoleOwner); err != nil {
		t.Fatal(err)
	}
	c := h.anonymous(t)
	s1, wrongPassword, _ := c.post(t, "/signin", url.Values{"email": {"ada@hotel.example"}, "password": {"not the password"}})
	s2, unknownEmail, _ := c.post(t, "/signin", url.Values{"email": {"nobody@hotel.example"}, "password": {"not the password"}})
	if s1 != http.StatusUnauthorized || s2 != http.StatusUnauthorized {
		t.Fatalf("statuses %d and %d, want 401 both", s1, s2)
	}
	if !strings.Contains(wrongPassword, "Incorrect email or password.") || !strings.Contains(unknownEmail, "Incorrect email or password.") {
		t.Fatalf("the answers differ or say too much:\n%s\n---\n%s", wrongPassword, unknownEmail)
	}
	if !strings.Contains(wrongPassword, `value="ada@hotel.example"`) {
		t.Error("the form did not keep the email the user typed")
	}
}

func TestPostsWithoutTheCSRFTokenOrFromAnotherSiteAreRefused(t *testing.T) {
	h := newHarness(t)
	dev := h.as(t, core.RoleDeveloper)

	status, body, _ := dev.postRaw(t, "/mode", url.Values{"mode": {"live"}})
	if status != http.StatusForbidden || !strings.Contains(body, "did not come from the console") {
		t.Fatalf("post without a token: %d, want 403 saying why\n%s", status, body)
	}
	status, _, _ = dev.postRaw(t, "/mode", url.Values{"mode": {"live"}, csrfField: {"forged"}})
	if status != http.StatusForbidden {
		t.Fatalf("post with a forged token: %d, want 403", status)
	}

	req, _ := http.NewRequest(http.MethodPost, h.URL+"/mode", strings.NewReader(url.Values{"mode": {"live"}, csrfField: {dev.csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := dev.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("post from another origin with the right token: %d, want 403", resp.StatusCode)
	}

	// Nothing changed: the session is still in test mode.
	if _, page := dev.get(t, "/"); !strings.Contains(page, "Test mode") {
		t.Fatal("a refused post switched the mode")
	}
	// And the real form works.
	status, _, _ = dev.post(t, "/mode", url.Values{"mode": {"live"}, "next": {"/"}})
	if _, page := dev.get(t, "/"); status != http.StatusSeeOther || !strings.Contains(page, "Live mode") {
		t.Fatalf("switch to live: %d, and the page does not say Live mode", status)
	}
}

func TestSignInRotatesTheSessionAndSignOutEndsIt(t *testing.T) {
	h := newHarness(t)
	dev := h.as(t, core.RoleDeveloper)
	u, _ := url.Parse(h.URL)
	first := cookieValue(dev, u, sessionCookie)
	if first == "" {
		t.Fatal("no session cookie after sign-in")
	}
	// Signing in again from the same browser replaces the session.
	if _, err := h.Users.CreateUser(context.Background(), h.account, "second@hotel.example", "correct horse battery staple", core.RoleViewer); err != nil {
		t.Fatal(err)
	}
	if status, body, _ := dev.post(t, "/signin", url.Values{"email": {"second@hotel.example"}, "password": {"correct horse battery staple"}}); status != http.StatusSeeOther {
		t.Fatalf("second sign-in: %d\n%s", status, body)
	}
	second := cookieValue(dev, u, sessionCookie)
	if second == "" || second == first {
		t.Fatal("sign-in kept the session id from before")
	}
	if _, err := h.Store.GetSession(context.Background(), first); core.ErrorCode(err) != core.EUNAUTHORIZED {
		t.Fatalf("the replaced session still works: %v", err)
	}

	dev.get(t, "/") // a new session has a new CSRF token
	status, _, loc := dev.post(t, "/signout", nil)
	if status != http.StatusSeeOther || loc != "/signin" {
		t.Fatalf("sign out: %d to %q", status, loc)
	}
	if _, err := h.Store.GetSession(context.Background(), second); core.ErrorCode(err) != core.EUNAUTHORIZED {
		t.Fatalf("the session outlived sign-out: %v", err)
	}
	if status, _ := dev.get(t, "/"); status != http.StatusSeeOther {
		t.Fatalf("home after sign-out: %d, want a redirect to sign in", status)
	}
}

func cookieValue(c *client, u *url.URL, name string) string {
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

func TestTheSetupLinkCreatesTheFirstOwnerOnce(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	token, err := h.Users.SetupToken(ctx)
	if err != nil || token == "" {
		t.Fatalf("setup token: %q, %v", token, err)
	}
	c := h.anonymous(t)
	if status, page := c.get(t, "/setup?token="+url.QueryEscape(token)); status != http.StatusOK || !strings.Contains(page, "Create the first owner") {
		t.Fatalf("setup page: %d", status)
	}
	form := url.Values{"token": {token}, "email": {"owner@hotel.example"}, "password": {"correct horse battery staple"}, "password_confirm": {"correct horse battery stapler"}}
	if status, page, _ := c.post(t, "/setup", form); status != http.StatusBadRequest || !strings.Contains(page, "not the same") {
		t.Fatalf("mismatched passwords: %d, want 400 saying so", status)
	}
	form.Set("password_confirm", "correct horse battery staple")
	status, _, loc := c.post(t, "/setup", form)
	if status != http.StatusSeeOther || loc != "/" {
		t.Fatalf("setup: %d to %q", status, loc)
	}
	if _, page := c.get(t, "/"); !strings.Contains(page, "owner@hotel.example") {
		t.Fatal("the new owner is not signed in")
	}
	other := h.anonymous(t)
	form.Set("email", "intruder@hotel.example")
	if status, _, _ := other.post(t, "/setup", form); status < 400 {
		t.Fatalf("the setup link worked twice: %d", status)
	}
	list, _ := h.Users.ListUsers(ctx, h.account)
	if len(list) != 1 || list[0].Role != core.RoleOwner {
		t.Fatalf("users after setup: %+v", list)
	}
}

func TestAnInviteLinkSignsTheNewUserInWithTheirRole(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	owner, err := h.Users.CreateUser(ctx, h.account, "owner@hotel.example", "correct horse battery staple", core.RoleOwner)
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := h.Users.CreateInvite(ctx, h.account, "viewer@hotel.example", core.RoleViewer, owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	c := h.anonymous(t)
	status, page := c.get(t, "/invite?token="+url.QueryEscape(token))
	if status != http.StatusOK || !strings.Contains(page, "viewer@hotel.example") || !strings.Contains(page, "viewer") {
		t.Fatalf("invite page: %d\n%s", status, page)
	}
	pw := "a long enough passphrase"
	status, _, _ = c.post(t, "/invite", url.Values{"token": {token}, "password": {pw}, "password_confirm": {pw}})
	if status != http.StatusSeeOther {
		t.Fatalf("accept: %d", status)
	}
	if _, page := c.get(t, "/"); !strings.Contains(page, "viewer@hotel.example") {
		t.Fatal("the invited user is not signed in")
	}
	if status, page := h.anonymous(t).get(t, "/invite?token="+url.QueryEscape(token)); status < 400 || strings.Contains(page, "Choose a password") {
		t.Fatalf("a used invite still offers the form: %d", status)
	}
}
