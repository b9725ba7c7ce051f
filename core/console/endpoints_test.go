package console

import (
	"context"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/core"
)

func TestEndpointsEmptyAndRoles(t *testing.T) {
	h := newHarness(t)
	viewer := h.as(t, core.RoleViewer)
	status, body := viewer.get(t, "/endpoints")
	wantStatus(t, "endpoints", status, http.StatusOK, body)
	wantContains(t, "endpoints", body, "No endpoints yet", "signed webhooks")
	wantLacks(t, "endpoints as viewer", body, `href="/endpoints/new"`)
	status, body = viewer.get(t, "/endpoints/new")
	wantStatus(t, "new endpoint as viewer", status, http.StatusForbidden, body)
	status, body, _ = viewer.post(t, "/endpoints", form("url", "http://127.0.0.1:1/x", "enabled_events", "*"))
	wantStatus(t, "create as viewer", status, http.StatusForbidden, body)

	dev := h.as(t, core.RoleDeveloper)
	_, body = dev.get(t, "/endpoints")
	wantContains(t, "endpoints as developer", body, `href="/endpoints/new"`)
	status, body = dev.get(t, "/endpoints/new")
	wantStatus(t, "new endpoint", status, http.StatusOK, body)
	wantContains(t, "new endpoint", body, "reservation.*", `value="reservation.created"`, `value="*"`,
		`name="retry_schedule"`, `name="rate_limit"`, `name="max_concurrency"`, `name="header_name"`, `<label for="url">`)
}

func TestCreateEndpointShowsSecretOnce(t *testing.T) {
	h := newHarness(t)
	dev := h.as(t, core.RoleDeveloper)
	for _, tc := range []struct {
		name string
		form []string
		want string
	}{
		{"no events", []string{"url", "https://example.com/h"}, "Choose the events this endpoint receives"},
		{"bad url", []string{"url", "not a url", "enabled_events", "*"}, "url must be an absolute http or https URL"},
		{"bad rate", []string{"url", "https://example.com/h", "enabled_events", "*", "rate_limit", "lots"}, "Rate limit must be a whole number"},
		{"rate out of range", []string{"url", "https://example.com/h", "enabled_events", "*", "rate_limit", "-3"}, "rate_limit must be between"},
		{"unknown type", []string{"url", "https://example.com/h", "enabled_events", "nope.never"}, "nope.never"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := dev.post(t, "/endpoints", form(tc.form...))
			wantStatus(t, tc.name, status, http.StatusBadRequest, body)
			wantContains(t, tc.name, body, tc.want, `id="endpoint-form"`)
		})
	}
	// The form comes back with what was typed.
	_, body, _ := dev.post(t, "/endpoints", form("url", "https://example.com/kept", "description", xss, "enabled_events", "reservation.created", "rate_limit", "x"))
	wantContains(t, "kept input", body, `value="https://example.com/kept"`, `value="reservation.created" checked`)
	assertEscaped(t, body)

	status, body, _ := dev.post(t, "/endpoints", form("url", "https://example.com/hook", "description", xss,
		"enabled_events", "reservation.created", "enabled_events", "reservation.cancelled",
		"retry_schedule", "guestos", "rate_limit", "5", "max_concurrency", "2",
		"header_name", "Authorization", "header_value", "Bearer topsecret-value", "header_name", "", "header_value", ""))
	wantStatus(t, "create", status, http.StatusCreated, body)
	secret := secretPattern.FindString(html.UnescapeString(body))
	if secret == "" {
		t.Fatalf("the created page shows no secret:\n%s", trimBody(body))
	}
	wantContains(t, "created", body, `id="secret-once"`, `data-copy="#secret"`, "shown only this once")
	assertEscaped(t, body)

	list, err := h.deps.Endpoints.ListEndpoints(context.Background(), h.scope, core.Page{Limit: 10})
	if err != nil || len(list.Data) != 1 {
		t.Fatalf("endpoints = %v, %v; want the one created", list.Data, err)
	}
	ep := list.Data[0]
	if ep.RateLimit != 5 || ep.MaxConcurrency != 2 || ep.RetrySchedule.Preset != "guestos" || len(ep.EnabledEvents) != 2 || len(ep.Headers) != 1 {
		t.Errorf("endpoint = %+v, want what the form said", ep)
	}

	viewer := h.as(t, core.RoleViewer)
	status, body = viewer.get(t, "/endpoints/"+ep.ID)
	wantStatus(t, "endpoint page", status, http.StatusOK, body)
	wantContains(t, "endpoint page", body, "Authorization: "+core.SecretMask, "guestos", "5 a second", "Last hour", "Last 24 hours", "No deliveries yet")
	wantLacks(t, "endpoint page", html.UnescapeString(body), secret, "topsecret-value", "Rotate secret", "Delete endpoint")
	assertEscaped(t, body)
	_, body = viewer.get(t, "/endpoints")
	wantContains(t, "endpoints list", body, "/endpoints/"+ep.ID, "2 types", "enabled", "no attempts")
	wantLacks(t, "endpoints list", html.UnescapeString(body), secret)
}

func TestEndpointActions(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	rcv := newReceiver(t, http.StatusOK)
	ep := newEndpoint(t, h, rcv.URL, map[string]string{"X-Api-Key": "k-123456"})
	viewer, dev := h.as(t, core.RoleViewer), h.as(t, core.RoleDeveloper)
	base := "/endpoints/" + ep.ID

	for _, path := range []string{"/rotate", "/disable", "/enable", "/test", "/delete"} {
		status, body, _ := viewer.post(t, base+path, form("event_type", "reservation.created"))
		wantStatus(t, "viewer "+path, status, http.StatusForbidden, body)
	}

	t.Run("test", func(t *testing.T) {
		status, body, _ := dev.post(t, base+"/test", form("event_type", "reservation.created"))
		wantStatus(t, "test", status, http.StatusOK, body)
		wantContains(t, "test", body, `id="test-result"`, "Delivered", "X-Api-Key: "+core.SecretMask)
		wantLacks(t, "test", body, "k-123456")
		status, body, _ = dev.post(t, base+"/test", form("event_type", ""))
		wantStatus(t, "test without type", status, http.StatusBadRequest, body)
		wantContains(t, "test without type", body, "Choose the event type")
	})

	t.Run("rotate", func(t *testing.T) {
		status, body, _ := dev.post(t, base+"/rotate", form("grace_period", "3600"))
		wantStatus(t, "rotate", status, http.StatusOK, body)
		if secretPattern.FindString(html.UnescapeString(body)) == "" {
			t.Errorf("rotation shows no new secret")
		}
		wantContains(t, "rotate", body, "The old secret keeps signing", "in 59 min")
		status, body, _ = dev.post(t, base+"/rotate", form("grace_period", "99999999"))
		wantStatus(t, "rotate with a long grace", status, http.StatusBadRequest, body)
		wantContains(t, "rotate with a long grace", body, "up to 7 days")
	})

	t.Run("disable and enable", func(t *testing.T) {
		status, body, loc := dev.post(t, base+"/disable", form("reason", "receiver "+xss))
		wantStatus(t, "disable", status, http.StatusSeeOther, body)
		if loc != base {
			t.Errorf("disable went to %q", loc)
		}
		_, body = dev.get(t, base)
		wantContains(t, "disabled", body, `id="disabled-notice"`, "Re-enable", "receiver &lt;script&gt;")
		assertEscaped(t, body)
		status, body, _ = dev.post(t, base+"/enable", nil)
		wantStatus(t, "enable", status, http.StatusSeeOther, body)
		if got, _ := h.deps.Endpoints.FindEndpoint(ctx, h.scope, ep.ID); got.Disabled {
			t.Error("still disabled")
		}
	})

	t.Run("delivery log and stats", func(t *testing.T) {
		ev := publish(t, h, xssType(t, h))
		d := waitDelivery(t, h, ev.ID, endpointTarget(ep))
		_, body := dev.get(t, base)
		wantContains(t, "log", body, "/deliveries/"+d.ID, "100.0%", `class="hbar"`)
		_, body = dev.get(t, base+"?status=failed")
		wantLacks(t, "failed log", body, "/deliveries/"+d.ID)
		wantContains(t, "failed log", body, "No failed deliveries")
	})

	t.Run("delete", func(t *testing.T) {
		_, body := dev.get(t, base)
		wantContains(t, "delete form", body, `data-confirm="Delete this endpoint`)
		status, body, loc := dev.post(t, base+"/delete", nil)
		wantStatus(t, "delete", status, http.StatusSeeOther, body)
		if loc != "/endpoints" {
			t.Errorf("delete went to %q", loc)
		}
		status, body = dev.get(t, base)
		wantStatus(t, "deleted endpoint", status, http.StatusNotFound, body)
		if strings.Contains(body, "k-123456") {
			t.Error("the header value leaked")
		}
	})
}

// A disabled endpoint names the account's developer contact, as the
// settings page promises; an owner without one is asked to name one.
func TestDisabledEndpointNamesTheDeveloperContact(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	ep := newEndpoint(t, h, "https://example.com/hook", nil)
	if _, err := h.deps.Endpoints.DisableEndpoint(ctx, h.scope, ep.ID, "receiver kept failing"); err != nil {
		t.Fatal(err)
	}
	owner := h.as(t, core.RoleOwner)
	if _, body := owner.get(t, "/endpoints/"+ep.ID); !strings.Contains(body, "Name a developer contact") {
		t.Fatal("an owner without a developer contact is not asked to name one")
	}
	contact := "dev@aurora.example"
	if _, err := h.Store.UpdateAccount(ctx, h.account, core.AccountUpdate{DeveloperContact: &contact}); err != nil {
		t.Fatal(err)
	}
	if _, body := h.as(t, core.RoleViewer).get(t, "/endpoints/"+ep.ID); !strings.Contains(body, `href="mailto:dev@aurora.example"`) {
		t.Fatal("the disabled endpoint does not name the developer contact")
	}
}
