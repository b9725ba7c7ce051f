package console

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/core"
)

func TestHomeEmpty(t *testing.T) {
	h := newHarness(t)
	viewer := h.as(t, core.RoleViewer)
	status, body := viewer.get(t, "/")
	wantStatus(t, "home", status, http.StatusOK, body)
	wantContains(t, "home", body, "Get your first delivery out", "Everything is healthy", "No failed deliveries", "No attempts in the last hour")
}

// TestHomeShowsFailuresAndReenables checks the last hour, the failing and
// disabled targets and the newest failures, and that only a developer may
// re-enable from there.
func TestHomeShowsFailuresAndReenables(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	bad := newEndpoint(t, h, newReceiver(t, http.StatusInternalServerError).URL, nil)
	good := newEndpoint(t, h, newReceiver(t, http.StatusOK).URL, nil)
	ev := publish(t, h, xssType(t, h))
	failed := waitDelivery(t, h, ev.ID, endpointTarget(bad))
	waitDelivery(t, h, ev.ID, endpointTarget(good))
	if _, err := h.deps.Endpoints.DisableEndpoint(ctx, h.scope, good.ID, "maintenance <b>window</b>"); err != nil {
		t.Fatal(err)
	}

	viewer := h.as(t, core.RoleViewer)
	status, body := viewer.get(t, "/")
	wantStatus(t, "home", status, http.StatusOK, body)
	rate := fmt.Sprintf("%.1f%%", 100/float64(failed.AttemptCount+1)) // one success, the rest failed
	wantContains(t, "home", body, "/deliveries/"+failed.ID, "failing", "disabled", "maintenance &lt;b&gt;window&lt;/b&gt;",
		rate, `class="spark"`, "/endpoints/"+bad.ID)
	wantLacks(t, "home as viewer", body, "Re-enable", "Get your first delivery out")
	assertEscaped(t, body)

	status, body, _ = viewer.post(t, "/reenable", form("kind", core.TargetEndpoint, "id", good.ID))
	wantStatus(t, "re-enable as viewer", status, http.StatusForbidden, body)

	dev := h.as(t, core.RoleDeveloper)
	_, body = dev.get(t, "/")
	wantContains(t, "home as developer", body, "Re-enable")
	status, body, loc := dev.post(t, "/reenable", form("kind", core.TargetEndpoint, "id", good.ID))
	wantStatus(t, "re-enable", status, http.StatusSeeOther, body)
	if loc != "/" {
		t.Errorf("re-enable went to %q, want /", loc)
	}
	if ep, _ := h.deps.Endpoints.FindEndpoint(ctx, h.scope, good.ID); ep.Disabled {
		t.Error("endpoint still disabled after re-enable")
	}
	status, body, _ = dev.post(t, "/reenable", form("kind", "nope", "id", good.ID))
	wantStatus(t, "re-enable of an unknown kind", status, http.StatusBadRequest, body)
	if !strings.Contains(body, "Choose an endpoint or a connection") {
		t.Errorf("unknown kind: the error does not say what to choose")
	}
}
