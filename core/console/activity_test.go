package console

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
)

func TestActivityPage(t *testing.T) {
	h := newHarness(t)
	viewer := h.as(t, core.RoleViewer)
	status, body := viewer.get(t, "/activity")
	if status != http.StatusOK {
		t.Fatalf("GET /activity = %d", status)
	}
	wantContains(t, "page", body, "No activity in test mode yet.", "Kept for 7 days.")

	ctx := context.Background()
	now := time.Now().UTC()
	// An API request, and a console user's change (through the console itself).
	err := h.deps.Activity.RecordActivity(ctx, h.scope, &core.Activity{
		ID: core.NewRequestID(now), Method: "POST", Path: "/v1/events/" + xss, Status: 201, KeyID: "key_abc123", LatencyMS: 4.2, CreatedAt: now,
	})
	if err != nil {
		t.Fatal(err)
	}
	owner := h.as(t, core.RoleOwner)
	owner.post(t, "/settings", url.Values{"name": {"Aurora"}, "developer_contact": {""}})

	_, body = viewer.get(t, "/activity")
	wantEscaped(t, body)
	wantContains(t, "page", body, "key_abc123", "4.2 ms", ">201<", ">POST<")
	// The console change names the owner by email.
	row := regexp.MustCompile(`(?s)<tr>\s*<td><span class="method">POST</span> <code>/settings</code>.*?</tr>`).FindString(body)
	if !strings.Contains(row, owner.email) {
		t.Fatalf("the console change does not name %s:\n%s", owner.email, body)
	}
}

func TestActivityPaging(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for i := range 30 {
		err := h.deps.Activity.RecordActivity(ctx, h.scope, &core.Activity{
			ID: core.NewRequestID(time.Now()), Method: "GET", Path: fmt.Sprintf("/v1/n/%02d", i), Status: 200, KeyID: "key_x",
			CreatedAt: time.Now().UTC(),
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	c := h.as(t, core.RoleViewer)
	_, body := c.get(t, "/activity")
	if n := strings.Count(body, "/v1/n/"); n != 25 || !strings.Contains(body, "/v1/n/29") {
		t.Fatalf("first page holds %d requests", n)
	}
	next := regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(body)
	if next == nil {
		t.Fatal("no next link")
	}
	_, body = c.get(t, strings.ReplaceAll(next[1], "&amp;", "&"))
	if n := strings.Count(body, "/v1/n/"); n != 5 || !strings.Contains(body, "/v1/n/00") || !strings.Contains(body, `rel="prev"`) {
		t.Fatalf("second page holds %d requests:\n%s", n, body)
	}
}
