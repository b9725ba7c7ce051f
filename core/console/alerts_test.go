package console

import (
	"context"
	"net/http"
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
