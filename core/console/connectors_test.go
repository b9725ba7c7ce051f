package console

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/connectors/slack/slackfake"
	"github.com/bellhop/bellhop/core"
)

// slackHarness is a harness whose plugin directory holds the Slack plugin,
// and a fake Slack for it to talk to (the connector's api_base_url). The
// tests skip, saying how to run them, when the plugins are not built.
func slackHarness(t *testing.T) (*harness, *slackfake.Server) {
	t.Helper()
	dir := os.Getenv("BELLHOP_PLUGIN_DIR")
	if _, err := os.Stat(dir + "/bellhop-connector-slack"); dir == "" || err != nil {
		t.Skip("the Slack plugin is not built: run make plugins and set BELLHOP_PLUGIN_DIR=bin/plugins (make test does)")
	}
	return newHarness(t), slackfake.New(t)
}

func TestConnectorsEmpty(t *testing.T) {
	t.Setenv("BELLHOP_PLUGIN_DIR", "") // an empty plugin directory
	h := newHarness(t)
	viewer := h.as(t, core.RoleViewer)
	if status, body := viewer.get(t, "/connectors"); status != http.StatusOK || !strings.Contains(body, "No connector plugins are installed") {
		t.Errorf("GET /connectors = %d, want the empty state:\n%s", status, body)
	}
	if status, body := viewer.get(t, "/connections"); status != http.StatusOK || !strings.Contains(body, "No connections yet") {
		t.Errorf("GET /connections = %d, want the empty state:\n%s", status, body)
	}
	if status, _ := viewer.get(t, "/connections/conn_nope"); status != http.StatusNotFound {
		t.Errorf("unknown connection = %d, want 404", status)
	}
}

func TestConnectorsGalleryAndForm(t *testing.T) {
	h, fake := slackHarness(t)
	goodToken := fake.Token
	viewer, dev := h.as(t, core.RoleViewer), h.as(t, core.RoleDeveloper)

	t.Run("gallery", func(t *testing.T) {
		status, body := viewer.get(t, "/connectors")
		if status != http.StatusOK || !strings.Contains(body, `id="connector-slack"`) || !strings.Contains(body, "Not connected") {
			t.Fatalf("GET /connectors = %d:\n%s", status, body)
		}
		if strings.Contains(body, `href="/connectors/slack/new"`) {
			t.Error("a viewer is offered Enable")
		}
		if _, body := dev.get(t, "/connectors"); !strings.Contains(body, `href="/connectors/slack/new"`) {
			t.Error("a developer is not offered Enable")
		}
	})

	t.Run("the form is drawn from the schema", func(t *testing.T) {
		status, body := dev.get(t, "/connectors/slack/new")
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
		if _, body := viewer.get(t, "/connectors/slack/new"); strings.Contains(body, "Save and enable") {
			t.Error("a viewer is offered Save")
		}
		if status, _ := dev.get(t, "/connectors/nope/new"); status != http.StatusNotFound {
			t.Errorf("unknown connector form = %d, want 404", status)
		}
	})

	typed := func(token, channel string) url.Values {
		return url.Values{"config.token": {token}, "config.channel": {channel}, "config.api_base_url": {fake.APIURL()},
			"name": {"Front desk"}, "enabled_events": {"reservation.created"}}
	}

	t.Run("channels are listed before saving", func(t *testing.T) {
		status, body, _ := dev.post(t, "/connectors/slack/options/channel", typed(goodToken, ""))
		if status != http.StatusOK || !strings.Contains(body, `<option value="C0GENERAL"`) || !strings.Contains(body, "#general") {
			t.Errorf("options = %d, want a list with #general:\n%s", status, body)
		}
		if strings.Contains(body, goodToken) {
			t.Error("the page sent the token back")
		}
		if !strings.Contains(body, "Type them again") {
			t.Error("the page does not say the secret must be typed again")
		}
		status, body, _ = dev.post(t, "/connectors/slack/options/channel", typed("xoxb-wrong-token-value", ""))
		if status != http.StatusBadRequest || !strings.Contains(body, "invalid_auth") || strings.Contains(body, "xoxb-wrong-token-value") {
			t.Errorf("options with a wrong token = %d, want 400 saying why without the token", status)
		}
		if status, _, _ := viewer.post(t, "/connectors/slack/options/channel", typed(goodToken, "")); status != http.StatusForbidden {
			t.Errorf("viewer options = %d, want 403", status)
		}
	})

	t.Run("test before saving", func(t *testing.T) {
		status, body, _ := dev.post(t, "/connectors/slack/test", typed(goodToken, "C0GENERAL"))
		if status != http.StatusOK || !strings.Contains(body, "Check passed") || !strings.Contains(body, "reached its service") ||
			!strings.Contains(body, `id="test-output"`) {
			t.Errorf("test = %d, want the check and the output:\n%s", status, body)
		}
		if strings.Contains(body, goodToken) {
			t.Error("the test page sent the token back")
		}
		_, body, _ = dev.post(t, "/connectors/slack/test", typed(goodToken, ""))
		if !strings.Contains(body, "config.channel") {
			t.Errorf("a test without the channel does not name it:\n%s", body)
		}
		l, _ := h.deps.Connections.ListConnections(context.Background(), h.scope, core.Page{Limit: 10})
		if len(l.Data) != 0 {
			t.Errorf("testing saved %d connections", len(l.Data))
		}
	})

	t.Run("a form error names the field", func(t *testing.T) {
		status, body, _ := dev.post(t, "/connectors/slack/new", typed("xoxp-user-token", "C0GENERAL"))
		if status != http.StatusBadRequest || !strings.Contains(body, "config.token must be a bot token") {
			t.Errorf("save with a user token = %d, want 400 naming config.token:\n%s", status, body)
		}
		if !strings.Contains(body, `value="Front desk"`) {
			t.Error("the name typed was not kept")
		}
	})

	t.Run("a viewer cannot save", func(t *testing.T) {
		if status, _, _ := viewer.post(t, "/connectors/slack/new", typed(goodToken, "C0GENERAL")); status != http.StatusForbidden {
			t.Errorf("viewer save = %d, want 403", status)
		}
	})
}

func TestConnectionPages(t *testing.T) {
	h, fake := slackHarness(t)
	goodToken := fake.Token
	viewer, dev := h.as(t, core.RoleViewer), h.as(t, core.RoleDeveloper)

	if status, body := viewer.get(t, "/connections"); status != http.StatusOK || !strings.Contains(body, "No connections yet") {
		t.Fatalf("empty list = %d:\n%s", status, body)
	}

	form := url.Values{"config.token": {goodToken}, "config.channel": {"C0GENERAL"}, "config.api_base_url": {fake.APIURL()}, "name": {xssScript + xssAttr},
		"enabled_events": {"reservation.created", "reservation.cancelled"}}
	status, _, loc := dev.post(t, "/connectors/slack/new", form)
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/connections/conn_") {
		t.Fatalf("create = %d to %q", status, loc)
	}
	page := strings.TrimSuffix(loc, "?created=1")
	id := strings.TrimPrefix(page, "/connections/")

	t.Run("the page shows the config masked", func(t *testing.T) {
		status, body := viewer.get(t, loc)
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
		_, body = viewer.get(t, "/connections")
		if !strings.Contains(body, page) {
			t.Error("the list does not link the connection")
		}
		assertEscaped(t, body)
	})

	t.Run("edit keeps a secret left empty", func(t *testing.T) {
		status, body := dev.get(t, page+"/edit")
		if status != http.StatusOK || !strings.Contains(body, "leave empty to keep") || strings.Contains(body, goodToken) {
			t.Errorf("edit form = %d, want the secret as set, not shown", status)
		}
		fake.AddChannels(slackfake.Channel{ID: "C0FRONT", Name: "front-desk", IsMember: true})
		edit := url.Values{"config.token": {""}, "config.channel": {"C0FRONT"}, "config.api_base_url": {fake.APIURL()},
			"name": {"Front desk"}, "enabled_events": {"reservation.created"}}
		if status, body, loc := dev.post(t, page, edit); status != http.StatusSeeOther || loc != page {
			t.Fatalf("save edit = %d to %q:\n%s", status, loc, body)
		}
		status, body, _ = dev.post(t, page+"/test", nil)
		if status != http.StatusOK || !strings.Contains(body, "Check passed") || !strings.Contains(body, "reached its service") {
			t.Errorf("test after edit = %d, want the check to pass with the kept token and the new channel:\n%s", status, body)
		}
		// The edited form lists the channels with the stored token.
		status, body, _ = dev.post(t, page+"/form/options/channel", edit)
		if status != http.StatusOK || !strings.Contains(body, "#front-desk") {
			t.Errorf("options of the edited form = %d", status)
		}
	})

	t.Run("run history", func(t *testing.T) {
		ctx := context.Background()
		et, err := h.deps.EventTypes.FindEventType(ctx, h.scope, "reservation.created")
		if err != nil {
			t.Fatal(err)
		}
		ev, _, err := h.deps.Events.PublishEvent(ctx, h.scope, core.EventInput{Type: et.Type, PropertyID: "prop_console", Object: et.Sample})
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for len(fake.Messages()) == 0 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if msgs := fake.Messages(); len(msgs) != 1 || msgs[0].Channel != "C0FRONT" {
			t.Fatalf("Slack got %+v, want one message in #front-desk", msgs)
		}
		var body string
		for time.Now().Before(deadline) {
			if _, body = viewer.get(t, page); strings.Contains(body, "badge succeeded") {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if !strings.Contains(body, ev.ID) || !strings.Contains(body, "badge succeeded") || !strings.Contains(body, `href="/deliveries/`) {
			t.Errorf("the run history does not show the delivery of %s succeeded, linked to the inspector:\n%s", ev.ID, body)
		}
	})

	t.Run("disable, enable, delete", func(t *testing.T) {
		if status, _, _ := viewer.post(t, page+"/disable", nil); status != http.StatusForbidden {
			t.Errorf("viewer disable = %d, want 403", status)
		}
		if status, _, _ := dev.post(t, page+"/disable", nil); status != http.StatusSeeOther {
			t.Fatalf("disable = %d", status)
		}
		if _, body := viewer.get(t, page); !strings.Contains(body, `badge disabled`) || !strings.Contains(body, "disabled from the console by") {
			t.Error("the page does not show the connection disabled and why")
		}
		if status, _, _ := dev.post(t, page+"/enable", nil); status != http.StatusSeeOther {
			t.Fatalf("enable = %d", status)
		}
		if c, err := h.deps.Connections.FindConnection(context.Background(), h.scope, id); err != nil || c.Disabled {
			t.Errorf("after enable: %+v, %v; want it enabled", c, err)
		}
		if status, _, loc := dev.post(t, page+"/delete", nil); status != http.StatusSeeOther || loc != "/connections" {
			t.Errorf("delete = %d to %q", status, loc)
		}
		if status, _ := viewer.get(t, page); status != http.StatusNotFound {
			t.Errorf("deleted connection = %d, want 404", status)
		}
	})
}

// postJSON posts form as the page scripts do (fetch with Accept:
// application/json and the CSRF header) and decodes the answer.
func postJSON(t *testing.T, c *client, path string, form url.Values, into any) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set(csrfHeader, c.csrf)
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		t.Fatalf("POST %s: %d, not JSON: %v", path, resp.StatusCode, err)
	}
	return resp.StatusCode
}

func TestConnectionFormScriptsAnswerJSON(t *testing.T) {
	h, fake := slackHarness(t)
	dev := h.as(t, core.RoleDeveloper)
	dev.get(t, "/connectors/slack/new")
	form := url.Values{"config.token": {fake.Token}, "config.api_base_url": {fake.APIURL()}, "enabled_events": {"reservation.created"}}

	var opts struct {
		Options []core.ConnectorOption `json:"options"`
		Error   string                 `json:"error"`
	}
	if status := postJSON(t, dev, "/connectors/slack/options/channel", form, &opts); status != http.StatusOK || len(opts.Options) == 0 {
		t.Errorf("options = %d %+v, want the channels", status, opts)
	}
	var test struct {
		Test   *core.ConnectionTest `json:"test"`
		Output string               `json:"output"`
		Error  string               `json:"error"`
	}
	if status := postJSON(t, dev, "/connectors/slack/test", form, &test); status != http.StatusBadRequest || !strings.Contains(test.Error, "channel") {
		t.Errorf("test without channel = %d %+v, want 400 naming the channel", status, test)
	}
	form.Set("config.channel", "C0GENERAL")
	if status := postJSON(t, dev, "/connectors/slack/test", form, &test); status != http.StatusOK || !test.Test.OK || !strings.Contains(test.Output, "\n  ") {
		t.Errorf("test = %d %+v, want a passing test with indented output", status, test)
	}

	var script struct {
		Test   *core.ScriptTestResult `json:"test"`
		Output string                 `json:"output"`
	}
	src := url.Values{"source": {"function transform(e) { console.log('x'); return {a: 1}; }"}, "test_event_type": {"reservation.created"}}
	if status := postJSON(t, dev, "/scripts/test", src, &script); status != http.StatusOK || script.Test == nil || len(script.Test.Logs) != 1 ||
		!strings.Contains(script.Output, `"a": 1`) {
		t.Errorf("script test = %d %+v", status, script)
	}
}
