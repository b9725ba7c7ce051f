package console

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
)

func TestDeliveryInspector(t *testing.T) {
	h := newHarness(t)
	rcv := newReceiver(t, http.StatusInternalServerError)
	ep := newEndpoint(t, h, rcv.URL, map[string]string{"Authorization": "Bearer hush-hush"})
	ev := publish(t, h, xssType(t, h))
	d := waitDelivery(t, h, ev.ID, endpointTarget(ep))

	viewer := h.as(t, core.RoleViewer)
	status, body := viewer.get(t, "/deliveries/"+d.ID)
	wantStatus(t, "inspector", status, http.StatusOK, body)
	wantContains(t, "inspector", body, `<li class="bad">`, "Attempt 1", "500", "Authorization: "+core.SecretMask,
		`id="request-body"`, "/events/"+ev.ID, "/endpoints/"+ep.ID, "failed", `&#34;received&#34;: true`)
	wantLacks(t, "inspector", body, "hush-hush", "Replay", "Start backfill")
	assertEscaped(t, body)

	status, body, _ = viewer.post(t, "/deliveries/"+d.ID+"/replay", nil)
	wantStatus(t, "replay as viewer", status, http.StatusForbidden, body)

	dev := h.as(t, core.RoleDeveloper)
	_, body = dev.get(t, "/deliveries/"+d.ID)
	wantContains(t, "inspector as developer", body, "Replay", "Start backfill", `value="webhook_endpoint:`+ep.ID+`"`)
	status, body, loc := dev.post(t, "/deliveries/"+d.ID+"/replay", nil)
	wantStatus(t, "replay", status, http.StatusSeeOther, body)
	if !strings.HasPrefix(loc, "/deliveries/whd_") || strings.HasPrefix(loc, "/deliveries/"+d.ID) {
		t.Fatalf("replay went to %q", loc)
	}
	_, body = dev.get(t, loc)
	wantContains(t, "replayed", body, "Queued", ev.ID)

	status, body = viewer.get(t, "/deliveries/whd_nope")
	wantStatus(t, "unknown delivery", status, http.StatusNotFound, body)
}

func TestBackfillProgress(t *testing.T) {
	h := newHarness(t)
	rcv := newReceiver(t, http.StatusOK)
	ep := newEndpoint(t, h, rcv.URL, nil)
	typ := xssType(t, h)
	for range 3 {
		publish(t, h, typ)
	}
	viewer, dev := h.as(t, core.RoleViewer), h.as(t, core.RoleDeveloper)
	from := time.Now().UTC().Add(-time.Hour).Format(formTime)
	target := core.TargetEndpoint + ":" + ep.ID

	status, body, _ := viewer.post(t, "/backfills", form("target", target, "from", from))
	wantStatus(t, "backfill as viewer", status, http.StatusForbidden, body)
	status, body, _ = dev.post(t, "/backfills", form("target", target, "from", "soon"))
	wantStatus(t, "backfill with a bad time", status, http.StatusBadRequest, body)
	wantContains(t, "backfill with a bad time", body, "from time")

	status, body, loc := dev.post(t, "/backfills", form("target", target, "from", from))
	wantStatus(t, "backfill", status, http.StatusSeeOther, body)
	if !strings.HasPrefix(loc, "/backfills/bf_") {
		t.Fatalf("backfill went to %q", loc)
	}
	status, body = viewer.get(t, loc)
	wantStatus(t, "backfill page", status, http.StatusOK, body)
	wantContains(t, "backfill page", body, `<progress id="backfill-progress" max="100"`, "/static/backfill.js", `data-backfill="`+loc+`/progress"`, "Refresh")

	var p struct {
		Backfill struct {
			Status string `json:"status"`
			Count  int    `json:"count"`
			Queued int    `json:"queued"`
		} `json:"backfill"`
		Percent int  `json:"percent"`
		Done    bool `json:"done"`
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		status, body = viewer.get(t, loc+"/progress")
		wantStatus(t, "progress", status, http.StatusOK, body)
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			t.Fatalf("progress is not JSON: %v\n%s", err, body)
		}
		if p.Done || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !p.Done || p.Percent != 100 || p.Backfill.Status != "completed" || p.Backfill.Count != 3 || p.Backfill.Queued != 3 {
		t.Fatalf("progress = %+v, want completed, 3 of 3, 100%%", p)
	}
	_, body = viewer.get(t, loc)
	wantContains(t, "done", body, `value="100"`, "completed")
	if l, _ := h.deps.Deliveries.ListDeliveries(context.Background(), h.scope, endpointTarget(ep), core.DeliveryFilter{Page: core.Page{Limit: 20}}); len(l.Data) < 6 {
		t.Errorf("%d deliveries after the backfill, want the 3 first and 3 replays", len(l.Data))
	}
}

// TestBackfillFormsEndNow checks that the backfill forms of an endpoint's
// page and of the inspector leave "To" empty, which the backfill reads as
// the moment it starts: a prefilled "now", cut to the form's whole
// minutes, left out the events of the current minute.
func TestBackfillFormsEndNow(t *testing.T) {
	h := newHarness(t)
	rcv := newReceiver(t, http.StatusOK)
	ep := newEndpoint(t, h, rcv.URL, nil)
	ev := publish(t, h, xssType(t, h))
	d := waitDelivery(t, h, ev.ID, endpointTarget(ep))
	dev := h.as(t, core.RoleDeveloper)
	for _, path := range []string{"/endpoints/" + ep.ID, "/deliveries/" + d.ID} {
		status, body := dev.get(t, path)
		wantStatus(t, path, status, http.StatusOK, body)
		wantContains(t, path, body, `<input id="bf_to" name="to" type="datetime-local" aria-describedby="bf_to-hint">`,
			"Empty: up to the moment the backfill starts.")
	}
}

func TestTargetHrefNamesConnections(t *testing.T) {
	for _, tc := range []struct {
		t    core.Target
		want string
	}{
		{core.Target{Kind: core.TargetEndpoint, ID: "whe_1"}, "/endpoints/whe_1"},
		{core.Target{Kind: core.TargetConnection, ID: "conn_1"}, "/connections/conn_1"},
	} {
		if got := targetHref(tc.t); got != tc.want {
			t.Errorf("targetHref(%v) = %q, want %q", tc.t, got, tc.want)
		}
	}
}

func TestJSONTextShowsWhatWasSent(t *testing.T) {
	got := jsonText(map[string]any{"object": json.RawMessage(`{"n":12345678901234567890,"name":"\u003cb\u003e \u0026"}`)})
	want := "{\n  \"object\": {\n    \"n\": 12345678901234567890,\n    \"name\": \"<b> &\"\n  }\n}"
	if got != want {
		t.Errorf("jsonText = %q, want %q", got, want)
	}
}

// TestPrettyShowsWhatWasSent checks the viewers of response bodies,
// samples and script output: a receiver's "<timeout> &" reads as sent,
// not as \u003ctimeout\u003e \u0026; big numbers keep their digits; what is
// not one JSON value is shown as it is.
func TestPrettyShowsWhatWasSent(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want string
	}{
		{json.RawMessage(`{"error":"down: <timeout> & no retry","n":12345678901234567890}`),
			"{\n  \"error\": \"down: <timeout> & no retry\",\n  \"n\": 12345678901234567890\n}"},
		{[]byte(`["\u003cb\u003e"]`), "[\n  \"<b>\"\n]"},
		{`<html>Bad gateway</html>`, `<html>Bad gateway</html>`},
		{`{"a":1} {"b":2}`, `{"a":1} {"b":2}`},
		{map[string]string{"x": "<i>"}, "{\n  \"x\": \"<i>\"\n}"},
	} {
		if got := pretty(tc.in); got != tc.want {
			t.Errorf("pretty(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestConnectionDeliveryPages checks that the event page and the inspector
// show a delivery to a connection and link to the connection's page.
func TestConnectionDeliveryPages(t *testing.T) {
	h := newHarness(t)
	ev := publish(t, h, xssType(t, h))
	raw, _ := json.Marshal(ev)
	d := &core.Delivery{ID: "whd_toconnection1", EventID: ev.ID, EventType: ev.Type,
		Target: core.Target{Kind: core.TargetConnection, ID: "conn_gone"}}
	if _, err := h.Store.CreateDeliveries(context.Background(), h.scope, []*core.Delivery{d}, raw, "", "", time.Hour); err != nil {
		t.Fatal(err)
	}
	viewer := h.as(t, core.RoleViewer)
	_, body := viewer.get(t, "/events/"+ev.ID)
	wantContains(t, "event page", body, "/deliveries/whd_toconnection1", `href="/connections/conn_gone">Connection</a>`)
	status, body := viewer.get(t, "/deliveries/whd_toconnection1")
	wantStatus(t, "inspector", status, http.StatusOK, body)
	wantContains(t, "inspector", body, `href="/connections/conn_gone"`, "Connection")
	dev := h.as(t, core.RoleDeveloper)
	_, body = dev.get(t, "/deliveries/whd_toconnection1")
	wantContains(t, "inspector as developer", body, "Backfill this connection", `value="connection:conn_gone"`)
}

// A delivery shaped by a saved script shows, in the inspector, the body
// that script version makes of the event, named by script and version;
// a delivery no script shaped shows the event as sent.
func TestInspectorShowsTheBodyTheScriptMade(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	sc := &core.Script{Name: "Mark", Source: `function transform(event) { return {via: "console", id: event.id}; }`}
	if err := h.deps.Scripts.CreateScript(ctx, h.scope, sc); err != nil {
		t.Fatal(err)
	}
	rcv := newReceiver(t, http.StatusOK)
	shaped := newEndpoint(t, h, rcv.URL, nil)
	if _, err := h.deps.Endpoints.UpdateEndpoint(ctx, h.scope, shaped.ID, core.EndpointInput{TransformScriptID: &sc.ID}); err != nil {
		t.Fatal(err)
	}
	plainRcv := newReceiver(t, http.StatusOK)
	plain := newEndpoint(t, h, plainRcv.URL, nil)
	typ := xssType(t, h)
	ev := publish(t, h, typ)
	dev := h.as(t, core.RoleViewer)

	d := waitDelivery(t, h, ev.ID, endpointTarget(shaped))
	status, body := dev.get(t, "/deliveries/"+d.ID)
	wantStatus(t, "inspector", status, http.StatusOK, body)
	wantContains(t, "inspector of a shaped delivery", body, `id="shaped-body"`, `&#34;via&#34;: &#34;console&#34;`, sc.ID, "version 1")
	assertEscaped(t, body)

	d = waitDelivery(t, h, ev.ID, endpointTarget(plain))
	_, body = dev.get(t, "/deliveries/"+d.ID)
	wantLacks(t, "inspector of an unshaped delivery", body, `id="shaped-body"`)
	wantContains(t, "inspector of an unshaped delivery", body, `id="request-body"`, "as sent")
}
