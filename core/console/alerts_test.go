package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
)

// The home page lists the alerts the hub told lately, what each was about
// with a link to act on it, why, the last errors and what became of the
// email; an account's name or URL is escaped.
func TestHomeListsAlerts(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for _, a := range []*core.Alert{
		{Kind: core.AlertEndpointDisabled, Target: core.Target{Kind: core.TargetEndpoint, ID: "whe_1"}, Name: "https://hooks.example/<b>x</b>",
			Reason: "50 consecutive failed delivery attempts", LastErrors: []string{"2026-04-13T16:00:00Z  whd_1 (guest.created) attempt 3: HTTP 500"},
			Email: "Emailed to dev@aurora.example.", CreatedAt: time.Now().Add(-2 * time.Minute)},
		{Kind: core.AlertBackfillFailed, BackfillID: "bf_1", Target: core.Target{Kind: core.TargetEndpoint, ID: "whe_1"},
			Reason: "The event stream cannot be read.", Email: "Not emailed: the hub has no SMTP server (BELLHOP_SMTP_URL).", CreatedAt: time.Now()},
	} {
		if err := h.Store.SaveAlert(ctx, h.scope, a); err != nil {
			t.Fatal(err)
		}
	}
	status, body := h.as(t, core.RoleViewer).get(t, "/")
	wantStatus(t, "home", status, http.StatusOK, body)
	wantContains(t, "home", body, `id="alerts"`, `href="/endpoints/whe_1"`, "https://hooks.example/&lt;b&gt;x&lt;/b&gt;", "endpoint disabled",
		"50 consecutive failed delivery attempts", "whd_1 (guest.created) attempt 3: HTTP 500", "Emailed to dev@aurora.example.",
		`href="/backfills/bf_1"`, "backfill failed", "Not emailed: the hub has no SMTP server (BELLHOP_SMTP_URL).")

	// Another mode's alerts are not this one's.
	other := h.scope
	other.Livemode = !other.Livemode
	h.Store.SaveAlert(ctx, other, &core.Alert{Kind: core.AlertEndpointDisabled, Target: core.Target{Kind: core.TargetEndpoint, ID: "whe_other"}, Reason: "r"})
	if _, body = h.as(t, core.RoleViewer).get(t, "/"); strings.Contains(body, "whe_other") {
		t.Error("the other mode's alert is shown")
	}
}

// An owner picks one of the mode's Slack connections and a channel for
// the alerts; a connection of another kind or a bad channel is refused,
// naming it; a viewer sees the choice and cannot change it.
func TestSettingsPickASlackConnectionForAlerts(t *testing.T) {
	h, fake := slackHarness(t)
	ctx := context.Background()
	slack := "slack"
	conn, err := h.deps.Connections.CreateConnection(ctx, h.scope, core.ConnectionInput{Connector: &slack, EnabledEvents: []string{"guest.created"},
		Config: map[string]any{"token": fake.Token, "channel": "C0GENERAL", "api_base_url": fake.APIURL()}})
	if err != nil {
		t.Fatal(err)
	}
	owner := h.as(t, core.RoleOwner)
	if _, body := owner.get(t, "/settings"); !strings.Contains(body, `value="`+conn.ID+`"`) || !strings.Contains(body, "Alerts in Slack") {
		t.Fatalf("the settings do not offer the Slack connection:\n%s", body)
	}
	status, body, _ := owner.post(t, "/settings/alerts", url.Values{"alert_connection": {conn.ID}, "alert_channel": {"#front desk"}})
	if status != http.StatusBadRequest || !strings.Contains(body, "The channel must be a channel id") {
		t.Errorf("a bad channel = %d", status)
	}
	status, _, _ = owner.post(t, "/settings/alerts", url.Values{"alert_connection": {"conn_nope"}, "alert_channel": {"#ops"}})
	if status != http.StatusBadRequest {
		t.Errorf("an unknown connection = %d, want 400", status)
	}
	if status, _, loc := owner.post(t, "/settings/alerts", url.Values{"alert_connection": {conn.ID}, "alert_channel": {"C0GENERAL"}}); status != http.StatusSeeOther || loc != "/settings?saved=1" {
		t.Fatalf("save = %d %q", status, loc)
	}
	if got, err := h.Store.AlertSlack(ctx, h.scope); err != nil || got == nil || got.ConnectionID != conn.ID || got.Channel != "C0GENERAL" {
		t.Fatalf("stored %+v, %v", got, err)
	}
	if _, body := h.as(t, core.RoleViewer).get(t, "/settings"); !strings.Contains(body, conn.ID) || strings.Contains(body, `action="/settings/alerts"`) {
		t.Error("a viewer does not see the choice, or may change it")
	}
	if status, _, _ := h.as(t, core.RoleDeveloper).post(t, "/settings/alerts", url.Values{"alert_connection": {""}}); status != http.StatusForbidden {
		t.Errorf("a developer's change = %d, want 403", status)
	}
	owner.post(t, "/settings/alerts", url.Values{"alert_connection": {""}})
	if got, _ := h.Store.AlertSlack(ctx, h.scope); got != nil {
		t.Errorf("not cleared: %+v", got)
	}
}
