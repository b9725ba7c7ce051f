package console

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/core"
)

func TestEventsEmpty(t *testing.T) {
	h := newHarness(t)
	status, body := h.as(t, core.RoleViewer).get(t, "/events")
	wantStatus(t, "events", status, http.StatusOK, body)
	wantContains(t, "events", body, "No events yet")
	status, body = h.as(t, core.RoleViewer).get(t, "/events?type=reservation.created")
	wantStatus(t, "filtered events", status, http.StatusOK, body)
	wantContains(t, "filtered events", body, "No events match these filters")
}

func TestEventsListFiltersAndEventPage(t *testing.T) {
	h := newHarness(t)
	rcv := newReceiver(t, http.StatusOK)
	ep := newEndpoint(t, h, rcv.URL, nil)
	typ := xssType(t, h)
	ev := publish(t, h, typ)
	d := waitDelivery(t, h, ev.ID, endpointTarget(ep))

	viewer := h.as(t, core.RoleViewer)
	status, body := viewer.get(t, "/events")
	wantStatus(t, "events", status, http.StatusOK, body)
	wantContains(t, "events", body, "/events/"+ev.ID, typ)

	_, body = viewer.get(t, "/events?type=reservation.created")
	wantLacks(t, "events of another type", body, "/events/"+ev.ID)
	_, body = viewer.get(t, "/events?property_id=prop_1&type="+typ)
	wantContains(t, "events of the property", body, "/events/"+ev.ID)
	_, body = viewer.get(t, "/events?property_id=prop_other")
	wantLacks(t, "events of another property", body, "/events/"+ev.ID)
	_, body = viewer.get(t, "/events?from=2000-01-01T00:00&to=2000-01-02T00:00")
	wantLacks(t, "events of another day", body, "/events/"+ev.ID)

	status, body = viewer.get(t, "/events?from=yesterday")
	wantStatus(t, "a bad date", status, http.StatusBadRequest, body)
	wantContains(t, "a bad date", body, "from time")

	status, body = viewer.get(t, "/events?q="+ev.ID)
	wantStatus(t, "jump to an id", status, http.StatusSeeOther, body)
	status, body = viewer.get(t, "/events?q=evt_nope")
	wantStatus(t, "jump to an unknown id", status, http.StatusBadRequest, body)
	wantContains(t, "jump to an unknown id", body, "No event &#34;evt_nope&#34;")

	status, body = viewer.get(t, "/events/"+ev.ID)
	wantStatus(t, "event page", status, http.StatusOK, body)
	wantContains(t, "event page", body, `id="payload"`, `data-copy="#payload"`, "/deliveries/"+d.ID, "succeeded", "/endpoints/"+ep.ID)
	wantLacks(t, "event page as viewer", body, "Resend")
	assertEscaped(t, body)

	status, body, _ = viewer.post(t, "/events/"+ev.ID+"/resend", form("target", core.TargetEndpoint+":"+ep.ID))
	wantStatus(t, "resend as viewer", status, http.StatusForbidden, body)

	dev := h.as(t, core.RoleDeveloper)
	_, body = dev.get(t, "/events/"+ev.ID)
	wantContains(t, "event page as developer", body, "Resend", `value="webhook_endpoint:`+ep.ID+`"`)
	status, body, loc := dev.post(t, "/events/"+ev.ID+"/resend", form("target", core.TargetEndpoint+":"+ep.ID))
	wantStatus(t, "resend", status, http.StatusSeeOther, body)
	if !strings.HasPrefix(loc, "/deliveries/whd_") || strings.Contains(loc, d.ID) {
		t.Errorf("resend went to %q, want a new delivery's inspector", loc)
	}
	status, body, _ = dev.post(t, "/events/"+ev.ID+"/resend", form("target", "nonsense"))
	wantStatus(t, "resend to nothing", status, http.StatusBadRequest, body)
	wantContains(t, "resend to nothing", body, "Choose an endpoint or a connection")

	status, body = viewer.get(t, "/events/evt_missing")
	wantStatus(t, "unknown event", status, http.StatusNotFound, body)
}

func TestEventTypes(t *testing.T) {
	h := newHarness(t)
	typ := xssType(t, h)
	viewer := h.as(t, core.RoleViewer)
	status, body := viewer.get(t, "/event_types")
	wantStatus(t, "event types", status, http.StatusOK, body)
	wantContains(t, "event types", body, `id="group-reservation"`, "reservation.created", `id="group-test"`, typ)
	assertEscaped(t, body)

	status, body = viewer.get(t, "/event_types/"+typ)
	wantStatus(t, "event type", status, http.StatusOK, body)
	wantContains(t, "event type", body, `id="sample"`, `id="schema"`)
	wantLacks(t, "event type as viewer", body, "Send test event")
	assertEscaped(t, body)

	dev := h.as(t, core.RoleDeveloper)
	_, body = dev.get(t, "/event_types/reservation.created")
	wantContains(t, "no endpoints", body, "No endpoints yet")

	ep := newEndpoint(t, h, newReceiver(t, http.StatusOK).URL, nil)
	_, body = dev.get(t, "/event_types/reservation.created")
	wantContains(t, "with an endpoint", body, "Send test event", ep.URL)

	status, body, _ = viewer.post(t, "/event_types/reservation.created/test", form("endpoint_id", ep.ID))
	wantStatus(t, "test as viewer", status, http.StatusForbidden, body)
	status, body, _ = dev.post(t, "/event_types/reservation.created/test", form("endpoint_id", ep.ID))
	wantStatus(t, "test", status, http.StatusOK, body)
	wantContains(t, "test", body, `id="test-result"`, "Delivered", "200")
	status, body, _ = dev.post(t, "/event_types/reservation.created/test", url.Values{})
	wantStatus(t, "test without endpoint", status, http.StatusBadRequest, body)
	wantContains(t, "test without endpoint", body, "Choose the endpoint")
}

// TestEventsPaginate follows the list's Older and Newer links.
func TestEventsPaginate(t *testing.T) {
	h := newHarness(t)
	typ := xssType(t, h)
	for range pageSize + 2 {
		publish(t, h, typ)
	}
	viewer := h.as(t, core.RoleViewer)
	link := func(body, rel string) string {
		m := regexp.MustCompile(`href="([^"]+)" rel="` + rel + `"`).FindStringSubmatch(body)
		if m == nil {
			return ""
		}
		return html.UnescapeString(m[1])
	}
	rows := func(body string) int { return strings.Count(body, `<a class="mono" href="/events/evt_`) }

	_, body := viewer.get(t, "/events?type="+typ)
	if n := rows(body); n != pageSize {
		t.Fatalf("first page: %d rows, want %d", n, pageSize)
	}
	if link(body, "prev") != "" {
		t.Error("the first page links to newer events")
	}
	next := link(body, "next")
	if !strings.Contains(next, "starting_after=evt_") || !strings.Contains(next, "type="+typ) {
		t.Fatalf("older link = %q, want a cursor that keeps the filter", next)
	}
	_, body = viewer.get(t, next)
	if n := rows(body); n != 2 {
		t.Fatalf("second page: %d rows, want 2", n)
	}
	if link(body, "next") != "" {
		t.Error("the last page links to older events")
	}
	prev := link(body, "prev")
	_, body = viewer.get(t, prev)
	if n := rows(body); n != pageSize || link(body, "next") == "" {
		t.Errorf("back to the first page: %d rows, older link %q", n, link(body, "next"))
	}
}
