package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/core"
)

// The connector tests use the harness's Slack connector: fields token
// (secret) and channel (choices listed for the token xoxb-good).
const goodToken = "xoxb-good"

func TestConnectorsGalleryAndForm(t *testing.T) {
	h := newHarness(t)
	viewer, dev := h.as(t, core.RoleViewer), h.as(t, core.RoleDeveloper)

	t.Run("gallery", func(t *testing.T) {
		status, body := viewer.get("/connectors")
		if status != http.StatusOK || !strings.Contains(body, `id="connector-slack"`) || !strings.Contains(body, "Not connected") {
			t.Fatalf("GET /connectors = %d:\n%s", status, body)
		}
		if strings.Contains(body, `href="/connectors/slack/new"`) {
			t.Error("a viewer is offered Enable")
		}
		if _, body := dev.get("/connectors"); !strings.Contains(body, `href="/connectors/slack/new"`) {
			t.Error("a developer is not offered Enable")
		}
	})

	t.Run("the form is drawn from the schema", func(t *testing.T) {
		status, body := dev.get("/connectors/slack/new")
		for _, want := range []string{
			`name="config.token" type="password"`, // a secret is a password input
			`data-options="channel"`,              // the channel's choices can be listed
			`value="reservation.created" checked`, // the suggested event is ticked
			`formaction="/connectors/slack/test"`, // Test works before saving
			`<label for="config-channel">Channel`, // every input has a label
			`default (slack/default.js)</option>`, // the default script is named
		} {
			if !strings.Contains(body, want) {
				t.Errorf("form lacks %s", want)
			}
		}
		if status != http.StatusOK {
			t.Errorf("GET form = %d", status)
		}
		if status, _ := dev.get("/connectors/nope/new"); status != http.StatusNotFound {
			t.Errorf("unknown connector form = %d, want 404", status)
		}
	})

	typed := func(token, channel string) url.Values {
		return url.Values{"config.token": {token}, "config.channel": {channel}, "name": {"Front desk"}, "enabled_events": {"reservation.created"}}
	}

	t.Run("channels are listed before saving", func(t *testing.T) {
		status, body, _ := dev.post("/connectors/slack/options/channel", typed(goodToken, ""))
		if status != http.StatusOK || !strings.Contains(body, `<option value="C2"`) || !strings.Contains(body, "#front-desk") {
			t.Errorf("options = %d, want a list with #front-desk:\n%s", status, body)
		}
		if strings.Contains(body, goodToken) {
			t.Error("the page sent the token back")
		}
		if !strings.Contains(body, "Type them again") {
			t.Error("the page does not say the secret must be typed again")
		}
		status, body, _ = dev.post("/connectors/slack/options/channel", typed("xoxb-wrong", ""))
		if status != http.StatusBadRequest || !strings.Contains(body, "invalid_auth") || strings.Contains(body, "xoxb-wrong") {
			t.Errorf("options with a wrong token = %d, want 400 saying why without the token", status)
		}
		if status, _, _ := viewer.post("/connectors/slack/options/channel", typed(goodToken, "")); status != http.StatusForbidden {
			t.Errorf("viewer options = %d, want 403", status)
		}
	})

	t.Run("test before saving", func(t *testing.T) {
		status, body, _ := dev.post("/connectors/slack/test", typed(goodToken, "C2"))
		if status != http.StatusOK || !strings.Contains(body, "Check passed") || !strings.Contains(body, "Posted as @bellhop to C2") ||
			!strings.Contains(body, `id="test-output"`) {
			t.Errorf("test = %d, want the check and the output:\n%s", status, body)
		}
		if strings.Contains(body, goodToken) {
			t.Error("the test page sent the token back")
		}
		_, body, _ = dev.post("/connectors/slack/test", typed(goodToken, ""))
		if !strings.Contains(body, "config.channel") {
			t.Errorf("a test without the channel does not name it:\n%s", body)
		}
		l, _ := h.deps.Connections.ListConnections(context.Background(), h.scope, core.Page{Limit: 10})
		if len(l.Data) != 0 {
			t.Errorf("testing saved %d connections", len(l.Data))
		}
	})

	t.Run("a form error names the field", func(t *testing.T) {
		status, body, _ := dev.post("/connectors/slack/new", typed("", "C1"))
		if status != http.StatusBadRequest || !strings.Contains(body, "config.token is required") {
			t.Errorf("save without token = %d, want 400 naming config.token:\n%s", status, body)
		}
		if !strings.Contains(body, `value="Front desk"`) {
			t.Error("the name typed was not kept")
		}
	})

	t.Run("a viewer cannot save", func(t *testing.T) {
		if status, _, _ := viewer.post("/connectors/slack/new", typed(goodToken, "C1")); status != http.StatusForbidden {
			t.Errorf("viewer save = %d, want 403", status)
		}
	})
}

func TestConnectionPages(t *testing.T) {
	h := newHarness(t)
	viewer, dev := h.as(t, core.RoleViewer), h.as(t, core.RoleDeveloper)

	if status, body := viewer.get("/connections"); status != http.StatusOK || !strings.Contains(body, "No connections yet") {
		t.Fatalf("empty list = %d:\n%s", status, body)
	}

	form := url.Values{"config.token": {goodToken}, "config.channel": {"C1"}, "name": {xssScript + xssAttr},
		"enabled_events": {"reservation.created", "reservation.cancelled"}}
	status, _, loc := dev.post("/connectors/slack/new", form)
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/connections/conn_") {
		t.Fatalf("create = %d to %q", status, loc)
	}
	page := strings.TrimSuffix(loc, "?created=1")
	id := strings.TrimPrefix(page, "/connections/")

	t.Run("the page shows the config masked", func(t *testing.T) {
		status, body := viewer.get(loc)
		if status != http.StatusOK || !strings.Contains(body, "is connected") || !strings.Contains(body, core.SecretMask) ||
			!strings.Contains(body, "No deliveries yet") {
			t.Errorf("connection page = %d:\n%s", status, body)
		}
		if strings.Contains(body, goodToken) {
			t.Error("the page shows the token")
		}
		if strings.Contains(body, "/connections/"+id+"/disable") {
			t.Error("a viewer is offered Disable")
		}
		assertEscaped(t, body)
		_, body = viewer.get("/connections")
		if !strings.Contains(body, page) {
			t.Error("the list does not link the connection")
		}
		assertEscaped(t, body)
	})

	t.Run("edit keeps a secret left empty", func(t *testing.T) {
		status, body := dev.get(page + "/edit")
		if status != http.StatusOK || !strings.Contains(body, "leave empty to keep") || strings.Contains(body, goodToken) {
			t.Errorf("edit form = %d, want the secret as set, not shown", status)
		}
		edit := url.Values{"config.token": {""}, "config.channel": {"C2"}, "name": {"Front desk"}, "enabled_events": {"reservation.created"}}
		if status, body, loc := dev.post(page, edit); status != http.StatusSeeOther || loc != page {
			t.Fatalf("save edit = %d to %q:\n%s", status, loc, body)
		}
		status, body, _ = dev.post(page+"/test", nil)
		if status != http.StatusOK || !strings.Contains(body, "Check passed") || !strings.Contains(body, "to C2") {
			t.Errorf("test after edit = %d, want the check to pass with the kept token and the new channel:\n%s", status, body)
		}
		// The edited form lists the channels with the stored token.
		status, body, _ = dev.post(page+"/form/options/channel", edit)
		if status != http.StatusOK || !strings.Contains(body, "#front-desk") {
			t.Errorf("options of the edited form = %d", status)
		}
	})

	t.Run("disable, enable, delete", func(t *testing.T) {
		if status, _, _ := viewer.post(page+"/disable", nil); status != http.StatusForbidden {
			t.Errorf("viewer disable = %d, want 403", status)
		}
		if status, _, _ := dev.post(page+"/disable", nil); status != http.StatusSeeOther {
			t.Fatalf("disable = %d", status)
		}
		if _, body := viewer.get(page); !strings.Contains(body, `badge disabled`) || !strings.Contains(body, "disabled from the console by") {
			t.Error("the page does not show the connection disabled and why")
		}
		if status, _, _ := dev.post(page+"/enable", nil); status != http.StatusSeeOther {
			t.Fatalf("enable = %d", status)
		}
		if c, _ := h.deps.Connections.FindConnection(context.Background(), h.scope, id); c.Disabled {
			t.Error("still disabled after enable")
		}
		if status, _, loc := dev.post(page+"/delete", nil); status != http.StatusSeeOther || loc != "/connections" {
			t.Errorf("delete = %d to %q", status, loc)
		}
		if status, _ := viewer.get(page); status != http.StatusNotFound {
			t.Errorf("deleted connection = %d, want 404", status)
		}
	})
}
