package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/connectors/slack/slackfake"
	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/redistest"
	"github.com/bellhop/bellhop/core/smtpmail/smtptest"
	"github.com/bellhop/bellhop/core/users"
	"github.com/bellhop/bellhop/plugins/plugintest"
)

// alertHub is a hub whose receivers always answer 500, with a schedule
// short enough for the breaker's 5xx rule to trip in a second, and the
// account's store to read and set what the hub does not serve over the API.
type alertHub struct {
	*hubUnderTest
	store *redisstore.Store
	scope core.Scope
	bad   *httptest.Server
}

func startAlertHub(t *testing.T, env map[string]string) *alertHub {
	t.Helper()
	r := redistest.New(t)
	env["BELLHOP_RETRY_SCHEDULE"] = "0s,10ms,10ms,10ms,10ms"
	env["BELLHOP_PUBLIC_URL"] = "https://bellhop.example.com"
	h := &alertHub{hubUnderTest: startHubOn(t, r, env), store: redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix}),
		scope: core.Scope{AccountID: defaultAccount}}
	h.bad = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte("receiver exploded"))
	}))
	t.Cleanup(h.bad.Close)
	return h
}

// endpoint registers an endpoint on the failing receiver for eventType and
// returns its id and secret.
func (h *alertHub) endpoint(t *testing.T, eventType string) (id, secret string) {
	t.Helper()
	code, body := h.do(t, "POST", "/v1/webhook_endpoints", `{"url":"`+h.bad.URL+`/`+eventType+`","enabled_events":["`+eventType+`"]}`)
	if code != 200 && code != 201 {
		t.Fatalf("create endpoint = %d %s", code, body)
	}
	var ep struct{ ID, Secret string }
	json.Unmarshal([]byte(body), &ep)
	return ep.ID, ep.Secret
}

// tripBreaker publishes events of eventType until the endpoint is disabled:
// 5 events of 5 attempts each pass the breaker's sample of 20, all 5xx.
func (h *alertHub) tripBreaker(t *testing.T, id, eventType string) {
	t.Helper()
	code, body := h.do(t, "GET", "/v1/event_types/"+eventType, "")
	var typ struct{ Sample json.RawMessage }
	if err := json.Unmarshal([]byte(body), &typ); code != 200 || err != nil || len(typ.Sample) == 0 {
		t.Fatalf("event type = %d %s (%v)", code, body, err)
	}
	for range 6 {
		if code, body := h.do(t, "POST", "/v1/events", `{"type":"`+eventType+`","property_id":"prop_1","data":{"object":`+string(typ.Sample)+`}}`); code != 201 {
			t.Fatalf("publish = %d %s", code, body)
		}
	}
	waitFor(t, "the endpoint to be disabled", func() bool {
		_, body := h.do(t, "GET", "/v1/webhook_endpoints/"+id, "")
		return strings.Contains(body, `"disabled":true`)
	})
}

// An endpoint whose receiver keeps answering 500 is disabled by the
// breaker, and the account's developer contact gets one email saying so,
// with the last errors and the link to re-enable it; disabled again within
// the hour, it sends nothing more.
func TestDisabledEndpointEmailsTheDeveloperContact(t *testing.T) {
	smtp := smtptest.Start(t)
	h := startAlertHub(t, map[string]string{"BELLHOP_SMTP_URL": "smtp://" + smtp.Addr + "?from=alerts@bellhop.example&starttls=none"})
	ctx := context.Background()
	if _, err := users.New(h.store, h.store, time.Now).CreateUser(ctx, defaultAccount, "owner@aurora.example", "correct horse battery staple 42", core.RoleOwner); err != nil {
		t.Fatal(err)
	}
	contact := "dev@aurora.example"
	if _, err := h.store.UpdateAccount(ctx, defaultAccount, core.AccountUpdate{DeveloperContact: &contact}); err != nil {
		t.Fatal(err)
	}
	id, secret := h.endpoint(t, "guest.created")
	h.tripBreaker(t, id, "guest.created")

	waitFor(t, "the email", func() bool { return len(smtp.Messages()) == 1 })
	m := smtp.Messages()[0]
	if m.From != "alerts@bellhop.example" || strings.Join(m.To, ",") != contact {
		t.Errorf("from %q to %q, want the developer contact only", m.From, m.To)
	}
	if got, want := m.Subject(), "[Bellhop] Webhook endpoint "+h.bad.URL+"/guest.created was disabled (test mode)"; got != want {
		t.Errorf("subject %q, want %q", got, want)
	}
	body := m.Body()
	t.Logf("the email, as sent:\n%s", m.Data)
	for _, want := range []string{
		"(" + id + ") of account",
		"test mode, was disabled at",
		"delivery attempts over the last 5 minutes answered 5xx",
		"(guest.created) attempt ",
		"HTTP 500: receiver exploded",
		"https://bellhop.example.com/endpoints/" + id,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the body lacks %q:\n%s", want, body)
		}
	}
	if secret == "" || strings.Contains(m.Data, secret) || strings.Contains(h.out.String(), secret) {
		t.Error("the endpoint secret is in the email or the log")
	}

	// Re-enabled, it fails again and is disabled again within the hour:
	// no second email. A second endpoint disabled after it is emailed,
	// which shows the first one's second alert was handled before it.
	if code, body := h.do(t, "POST", "/v1/webhook_endpoints/"+id+"/enable", ""); code != 200 {
		t.Fatalf("enable = %d %s", code, body)
	}
	h.tripBreaker(t, id, "guest.created")
	other, _ := h.endpoint(t, "guest.updated")
	h.tripBreaker(t, other, "guest.updated")
	waitFor(t, "the second endpoint's email", func() bool { return len(smtp.Messages()) >= 2 })
	msgs := smtp.Messages()
	if len(msgs) != 2 || !strings.Contains(msgs[1].Body(), "("+other+")") {
		t.Fatalf("%d emails, the second about %q; want one per endpoint", len(msgs), msgs[1].Subject())
	}
	alerts, err := h.store.RecentAlerts(ctx, h.scope, 10)
	if err != nil || len(alerts) != 2 || alerts[1].Email != "Emailed to "+contact+"." {
		t.Fatalf("console alerts %+v, %v", alerts, err)
	}
}

// Without BELLHOP_SMTP_URL the alert is one warning line in the log and an
// entry on the console's home page, and no mail goes anywhere.
func TestDisabledEndpointWithoutSMTPIsLoggedAndShown(t *testing.T) {
	h := startAlertHub(t, map[string]string{})
	id, _ := h.endpoint(t, "guest.created")
	h.tripBreaker(t, id, "guest.created")
	var alerts []*core.Alert
	waitFor(t, "the console's alert", func() bool {
		alerts, _ = h.store.RecentAlerts(context.Background(), h.scope, 10)
		return len(alerts) == 1
	})
	if a := alerts[0]; a.Kind != core.AlertEndpointDisabled || a.Target.ID != id || len(a.LastErrors) == 0 ||
		a.Email != "Not emailed: the hub has no SMTP server (BELLHOP_SMTP_URL)." {
		t.Errorf("alert %+v", a)
	}
	var lines []string
	for _, l := range strings.Split(h.out.String(), "\n") {
		if strings.Contains(l, "no BELLHOP_SMTP_URL: not emailed") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 || !strings.Contains(lines[0], id) || !strings.Contains(lines[0], "answered 5xx") {
		t.Errorf("log lines %q, want one warning naming the endpoint and the reason", lines)
	}
	if strings.Contains(h.out.String(), h.bad.URL) {
		t.Error("the log holds the endpoint's URL")
	}
	if !strings.Contains(h.out.String(), "set BELLHOP_SMTP_URL to email them") {
		t.Error("the start-up log does not say alerts are not emailed")
	}
}

// A bad BELLHOP_SMTP_URL stops the hub at start-up, naming the variable and
// never showing the password; a good one is shown at start-up without it.
func TestSMTPURLIsCheckedAtStartUp(t *testing.T) {
	for _, bad := range []string{
		"smtp://ops:s3cret-pw@smtp.example.com:587",                     // no ?from=
		"http://ops:s3cret-pw@smtp.example.com?from=alerts@example.com", // not smtp
		"smtp://ops:s3cret-pw@smtp.example.com?from=a@example.com&tls=on",
	} {
		_, err := parseConfig(t, map[string]string{"BELLHOP_SMTP_URL": bad}, nil)
		if err == nil || !strings.HasPrefix(err.Error(), "BELLHOP_SMTP_URL (--smtp-url): ") || strings.Contains(err.Error(), "s3cret-pw") {
			t.Errorf("%s: err = %v", bad, err)
		}
	}
	h := startHub(t, map[string]string{"BELLHOP_SMTP_URL": "smtps://ops:s3cret-pw@smtp.example.com?from=alerts@example.com"})
	out := h.out.String()
	if !strings.Contains(out, "smtps://ops@smtp.example.com:465 (implicit TLS, from alerts@example.com)") || strings.Contains(out, "s3cret-pw") {
		t.Errorf("start-up log:\n%s", out)
	}
}

// A connection whose connector plugin no longer starts (its binary replaced
// by one that is not a plugin) emails the account's owner, as the account
// names no developer contact, with the link to the connection.
func TestPluginThatCannotStartEmailsTheOwner(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts a plugin")
	}
	pluginDir := t.TempDir()
	bin, err := plugintest.Build(pluginDir, "github.com/bellhop/bellhop/examples/connector-echo", "bellhop-connector-echo")
	if err != nil {
		t.Fatal(err)
	}
	smtp := smtptest.Start(t)
	h := startAlertHub(t, map[string]string{"BELLHOP_PLUGIN_DIR": pluginDir,
		"BELLHOP_SMTP_URL": "smtp://" + smtp.Addr + "?from=alerts@bellhop.example&starttls=none"})
	if _, err := users.New(h.store, h.store, time.Now).CreateUser(context.Background(), defaultAccount, "owner@aurora.example", "correct horse battery staple 42", core.RoleOwner); err != nil {
		t.Fatal(err)
	}
	code, body := h.do(t, "POST", "/v1/scripts", `{"name":"pass","source":"function transform(event) { return {id: event.id}; }"}`)
	var pass struct{ ID string }
	if json.Unmarshal([]byte(body), &pass); code != 201 {
		t.Fatalf("create script = %d %s", code, body)
	}
	code, body = h.do(t, "POST", "/v1/connections", `{"connector":"echo","name":"echo desk","enabled_events":["guest.created"],"config":{"greeting":"hello"},"transform_script_id":"`+pass.ID+`"}`)
	if code != 201 {
		t.Fatalf("create connection = %d %s", code, body)
	}
	var conn struct{ ID string }
	json.Unmarshal([]byte(body), &conn)

	// Rebuilt as something that is not a plugin: the host restarts it on
	// next use, once it has seen the new file.
	broken := filepath.Join(t.TempDir(), "broken")
	if err := os.WriteFile(broken, []byte("#!/bin/sh\necho not a plugin\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(broken, bin); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute)
	os.Chtimes(bin, later, later)
	h.do(t, "GET", "/v1/connectors", "")
	sample := guestSample(t, h.hubUnderTest)
	if code, body := h.do(t, "POST", "/v1/events", `{"type":"guest.created","property_id":"prop_1","data":{"object":`+sample+`}}`); code != 201 {
		t.Fatalf("publish = %d %s", code, body)
	}
	waitFor(t, "the email", func() bool { return len(smtp.Messages()) == 1 })
	m := smtp.Messages()[0]
	if strings.Join(m.To, ",") != "owner@aurora.example" {
		t.Errorf("to %q, want the owner", m.To)
	}
	if got, want := m.Subject(), "[Bellhop] Connection echo desk cannot deliver (test mode)"; got != want {
		t.Errorf("subject %q, want %q", got, want)
	}
	for _, want := range []string{"cannot deliver: its connector plugin cannot be started", "Connector: echo",
		"Why: " + bin + " is not a Bellhop connector plugin",
		"https://bellhop.example.com/connections/" + conn.ID, "as an owner, as it names no developer contact"} {
		if !strings.Contains(m.Body(), want) {
			t.Errorf("the body lacks %q:\n%s", want, m.Body())
		}
	}
}

// With a Slack connection and channel picked for alerts, a disabled
// endpoint is also posted there, through the real Slack plugin, to a fake
// Slack.
func TestDisabledEndpointIsPostedToSlack(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the Slack plugin")
	}
	fake := slackfake.New(t)
	h := startAlertHub(t, map[string]string{"BELLHOP_PLUGIN_DIR": slackPluginDir(t)})
	code, body := h.do(t, "POST", "/v1/connections", `{"connector":"slack","name":"ops","enabled_events":["reservation.created"],`+
		`"config":{"token":"`+fake.Token+`","channel":"C0RANDOM","api_base_url":"`+fake.APIURL()+`"}}`)
	if code != 201 {
		t.Fatalf("create connection = %d %s", code, body)
	}
	var conn struct{ ID string }
	json.Unmarshal([]byte(body), &conn)
	if err := h.store.SetAlertSlack(context.Background(), h.scope, &core.AlertSlack{ConnectionID: conn.ID, Channel: "C0GENERAL"}); err != nil {
		t.Fatal(err)
	}
	id, _ := h.endpoint(t, "guest.created")
	h.tripBreaker(t, id, "guest.created")
	waitFor(t, "the Slack message", func() bool { return len(fake.Messages()) == 1 })
	m := fake.Messages()[0]
	if m.Channel != "C0GENERAL" || !strings.Contains(m.Text, "("+id+", test mode) was disabled") || !strings.Contains(m.Text, "https://bellhop.example.com/endpoints/"+id) {
		t.Errorf("posted to %s: %s", m.Channel, m.Text)
	}
	if strings.Contains(h.out.String(), fake.Token) {
		t.Error("the Slack token is in the log")
	}
	waitFor(t, "the console's alert", func() bool {
		alerts, _ := h.store.RecentAlerts(context.Background(), h.scope, 10)
		return len(alerts) == 1 && alerts[0].Slack == "Posted to Slack, C0GENERAL."
	})
}
