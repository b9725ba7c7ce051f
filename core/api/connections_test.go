package api

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/connectors/hubspot/hubspotfake"
	"github.com/bellhop/bellhop/connectors/sheets/sheetsfake"
	"github.com/bellhop/bellhop/connectors/slack/slackfake"
	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/delivery"
	"github.com/bellhop/bellhop/core/pluginhost"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/secretbox"
	"github.com/bellhop/bellhop/plugins/plugintest"
)

// buildConnectors builds the three prebuilt connector plugins into a fresh
// directory, as `make plugins` does into bin/plugins.
func buildConnectors(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"slack", "hubspot", "sheets"} {
		pkg := "github.com/bellhop/bellhop/connectors/" + name + "/cmd/" + pluginhost.BinaryPrefix + name
		if _, err := plugintest.Build(dir, pkg); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// newConnectionAPI starts the API with a delivery engine, connections on a
// plugin manager over pluginDir, secrets sealed at rest.
func newConnectionAPI(t *testing.T, pluginDir string) *testAPI {
	t.Helper()
	return newTestAPI(t, func(_ *Config, deps *Deps) {
		plain := deps.Keys.(*redisstore.Store)
		box, err := secretbox.New(secretbox.GenerateKey())
		if err != nil {
			t.Fatal(err)
		}
		store := redisstore.New(plain.Client(), redisstore.Options{Prefix: plain.Prefix(), Sealer: box})
		eng := delivery.New(delivery.Options{
			Store: store, Events: deps.Events, EventTypes: deps.EventTypes,
			Block: 50 * time.Millisecond, MaxIdle: 50 * time.Millisecond, ScopeRefresh: 100 * time.Millisecond,
			DeferDelay: 20 * time.Millisecond,
			Schedule:   []time.Duration{0, 100 * time.Millisecond, 200 * time.Millisecond, time.Second}, ForceSchedule: true,
		})
		host := pluginhost.New(pluginhost.Config{Dir: pluginDir})
		conns := delivery.NewConnections(eng, delivery.ConnectionOptions{Host: host})
		deps.Endpoints, deps.Deliveries, deps.Connections = delivery.NewEndpoints(eng, delivery.EndpointOptions{}), eng, conns
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			if err := eng.Run(ctx); err != nil {
				t.Errorf("run engine: %v", err)
			}
		}()
		t.Cleanup(func() { cancel(); <-done; conns.Close(); host.Close() })
	})
}

// createConnection creates a connection and checks that no secret of
// secrets comes back.
func (a *testAPI) createConnection(t *testing.T, body map[string]any, secrets ...string) core.Connection {
	t.Helper()
	r := a.do(t, http.MethodPost, "/v1/connections", body)
	r.wantStatus(t, http.StatusCreated)
	assertNoSecret(t, r.Body, secrets...)
	var c core.Connection
	r.decode(t, &c)
	return c
}

func assertNoSecret(t *testing.T, body []byte, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(string(body), s) {
			t.Fatalf("a response holds a secret: %s", body)
		}
	}
}

// waitConnection waits, bounded, for cond: a wait for an outcome, not a
// timing assertion.
func waitConnection(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestConnectorsEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the three connector plugins")
	}
	a := newConnectionAPI(t, buildConnectors(t))
	slack, hubspot, sheets := slackfake.New(t), hubspotfake.New(t), sheetsfake.New(t)
	creds := string(sheets.CredentialsJSON())
	privateKey := creds[strings.Index(creds, "MII") : strings.Index(creds, "MII")+40]
	secrets := []string{slack.Token, hubspot.Token, privateKey}

	r := a.do(t, http.MethodGet, "/v1/connectors", nil)
	r.wantStatus(t, http.StatusOK)
	var list struct{ Data []core.ConnectorInfo }
	r.decode(t, &list)
	if len(list.Data) != 3 || list.Data[0].Name != "hubspot" || len(list.Data[2].ConfigSchema) == 0 || list.Data[2].State != "running" {
		t.Fatalf("connectors = %s", r.Body)
	}

	tests := []struct {
		name     string
		body     map[string]any
		event    string
		received func() bool
	}{
		{"slack", map[string]any{"connector": "slack", "config": map[string]any{"token": slack.Token, "channel": "C0GENERAL", "api_base_url": slack.APIURL()}},
			"reservation.created", func() bool {
				m := slack.Messages()
				return len(m) == 1 && m[0].Channel == "C0GENERAL" && strings.Contains(m[0].Text, "Ada") && len(m[0].Blocks) > 2
			}},
		{"hubspot", map[string]any{"connector": "hubspot", "config": map[string]any{"token": hubspot.Token, "api_base_url": hubspot.URL}},
			"reservation.created", func() bool {
				c, ok := hubspot.Contact("ada@example.com")
				notes := hubspot.Notes()
				return ok && c.Properties["firstname"] == "Ada" && len(notes) == 1 && len(notes[0].ContactIDs) == 1 && notes[0].ContactIDs[0] == c.ID
			}},
		{"sheets", map[string]any{"connector": "sheets", "config": map[string]any{"credentials_json": creds, "spreadsheet_id": sheets.SpreadsheetID, "sheet": "Bookings", "api_base_url": sheets.URL + "/"}},
			"reservation.created", func() bool {
				rows := sheets.Rows("Bookings")
				return len(rows) == 2 && rows[0][0] == "Event ID" && rows[1][1] == "reservation.created"
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.body["enabled_events"] = []string{tt.event}
			c := a.createConnection(t, tt.body, secrets...)
			r := a.do(t, http.MethodPost, "/v1/connections/"+c.ID+"/test", map[string]any{})
			r.wantStatus(t, http.StatusOK)
			var test core.ConnectionTest
			r.decode(t, &test)
			if !test.OK || !test.Check.Contacted || len(test.Output) < 10 {
				t.Errorf("test = %s", r.Body)
			}
			ev := a.publish(t)
			if ev.Type != tt.event {
				t.Fatalf("published %s", ev.Type)
			}
			waitConnection(t, tt.name+" fake to get the event", tt.received)
			var ds struct{ Data []core.Delivery }
			waitConnection(t, "the delivery to succeed", func() bool {
				r := a.do(t, http.MethodGet, "/v1/connections/"+c.ID+"/deliveries", nil)
				r.wantStatus(t, http.StatusOK)
				r.decode(t, &ds)
				return len(ds.Data) == 1 && ds.Data[0].Status == core.StatusSucceeded
			})
			r = a.do(t, http.MethodGet, "/v1/deliveries/"+ds.Data[0].ID, nil)
			r.wantStatus(t, http.StatusOK)
			assertNoSecret(t, r.Body, secrets...)
			var d core.Delivery
			r.decode(t, &d)
			if d.EventID != ev.ID || len(d.Attempts) != 1 || d.Attempts[0].URL != "connector://"+tt.name {
				t.Errorf("delivery = %s", r.Body)
			}
		})
	}

	t.Run("slack webhook checked for form only", func(t *testing.T) {
		before := len(slack.Messages())
		c := a.createConnection(t, map[string]any{"connector": "slack", "enabled_events": []string{"guest.created"},
			"config": map[string]any{"webhook_url": slack.WebhookURL()}}, secrets...)
		r := a.do(t, http.MethodPost, "/v1/connections/"+c.ID+"/test", map[string]any{})
		r.wantStatus(t, http.StatusOK)
		var test core.ConnectionTest
		r.decode(t, &test)
		if !test.Check.OK || test.Check.Contacted || !strings.Contains(test.Check.Message, "not contacted") {
			t.Errorf("check = %+v, want ok, not contacted, and a message that says so", test.Check)
		}
		if n := len(slack.Messages()); n != before {
			t.Errorf("the test posted %d messages, want none", n-before)
		}
	})

	r = a.do(t, http.MethodGet, "/v1/connections", nil)
	r.wantStatus(t, http.StatusOK)
	assertNoSecret(t, r.Body, secrets...)
	if !strings.Contains(string(r.Body), core.SecretMask) {
		t.Errorf("secret fields should read masked: %s", r.Body)
	}
	assertNoSecretInDump(t, a, secrets...)
}

func TestConnectionAPIErrorsAndReplay(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the connector plugins")
	}
	a := newConnectionAPI(t, buildConnectors(t))
	hubspot := hubspotfake.New(t)
	tests := []struct {
		name  string
		body  map[string]any
		param string
	}{
		{"unknown connector", map[string]any{"connector": "fax", "enabled_events": []string{"*"}}, "connector"},
		{"missing token", map[string]any{"connector": "hubspot", "enabled_events": []string{"*"}, "config": map[string]any{}}, "config.token"},
		{"unknown field", map[string]any{"connector": "hubspot", "enabled_events": []string{"*"}, "config": map[string]any{"token": "pat-x", "color": "red"}}, "config.color"},
		{"unknown event type", map[string]any{"connector": "hubspot", "enabled_events": []string{"nope.nope"}, "config": map[string]any{"token": "pat-x"}}, "enabled_events"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := a.do(t, http.MethodPost, "/v1/connections", tt.body)
			r.wantError(t, http.StatusBadRequest, "invalid_request_error", tt.param)
			assertNoSecret(t, r.Body, "pat-x")
		})
	}
	r := a.do(t, http.MethodPost, "/v1/connections", map[string]any{"enabled_events": []string{"*"}}, badRequest())
	r.wantError(t, http.StatusBadRequest, "invalid_request_error", "connector")
	c := a.createConnection(t, map[string]any{"connector": "hubspot", "name": "CRM", "enabled_events": []string{"guest.created"},
		"config": map[string]any{"token": hubspot.Token, "api_base_url": hubspot.URL}}, hubspot.Token)
	a.do(t, http.MethodGet, "/v1/connections/"+c.ID, nil, withKey(a.OtherKey)).wantError(t, http.StatusNotFound, "invalid_request_error", "")

	// Disable, publish: parked; replay an event; enable: both go out.
	a.do(t, http.MethodPost, "/v1/connections/"+c.ID+"/disable", map[string]any{"reason": "maintenance"}).wantStatus(t, http.StatusOK)
	r = a.do(t, http.MethodPost, "/v1/events", a.sampleEvent(t, "guest.created"))
	r.wantStatus(t, http.StatusCreated)
	var ev core.Event
	r.decode(t, &ev)
	r = a.do(t, http.MethodPost, "/v1/connections/"+c.ID+"/replay", map[string]any{"event_id": ev.ID})
	r.wantStatus(t, http.StatusOK)
	var rp core.Replay
	r.decode(t, &rp)
	if !rp.Replayed || rp.EventID != ev.ID || rp.Status != "queued" {
		t.Errorf("replay = %s", r.Body)
	}
	a.do(t, http.MethodPost, "/v1/connections/"+c.ID+"/enable", nil).wantStatus(t, http.StatusOK)
	waitConnection(t, "both deliveries to succeed", func() bool {
		r := a.do(t, http.MethodGet, "/v1/connections/"+c.ID+"/deliveries?status=succeeded", nil)
		var ds struct{ Data []core.Delivery }
		r.decode(t, &ds)
		return len(ds.Data) == 2
	})
	if _, ok := hubspot.Contact("ada@example.com"); !ok {
		t.Error("the contact never reached HubSpot")
	}
	// A connection has an endpoint's stats, its id as connection_id.
	r = a.do(t, http.MethodGet, "/v1/connections/"+c.ID+"/stats", nil)
	r.wantStatus(t, http.StatusOK)
	var stats endpointStats
	r.decode(t, &stats)
	if stats.ConnectionID != c.ID || stats.EndpointID != "" || stats.LastHour.Succeeded < 2 {
		t.Errorf("connection stats = %s, want its id and 2 successes", r.Body)
	}
	// An update that sends the masked config back keeps the token working.
	r = a.do(t, http.MethodGet, "/v1/connections/"+c.ID, nil)
	var got core.Connection
	r.decode(t, &got)
	r = a.do(t, http.MethodPost, "/v1/connections/"+c.ID, map[string]any{"name": "CRM 2", "config": got.Config})
	r.wantStatus(t, http.StatusOK)
	r = a.do(t, http.MethodPost, "/v1/connections/"+c.ID+"/test", nil)
	r.wantStatus(t, http.StatusOK)
	var test core.ConnectionTest
	r.decode(t, &test)
	if !test.Check.OK || test.EventType != "guest.created" {
		t.Errorf("after a masked update the check fails: %s", r.Body)
	}
	a.do(t, http.MethodDelete, "/v1/connections/"+c.ID, nil).wantStatus(t, http.StatusOK)
	a.do(t, http.MethodGet, "/v1/connections/"+c.ID, nil).wantError(t, http.StatusNotFound, "invalid_request_error", "")
}

// assertNoSecretInDump reads every value of every key of the test's
// prefix, of every type, and fails if a secret appears in one.
func assertNoSecretInDump(t *testing.T, a *testAPI, secrets ...string) {
	t.Helper()
	ctx := context.Background()
	c := a.Redis.Client
	keys := 0
	iter := c.Scan(ctx, 0, a.Redis.Prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		key := iter.Val()
		keys++
		var vals []string
		switch typ := c.Type(ctx, key).Val(); typ {
		case "string":
			vals = []string{c.Get(ctx, key).Val()}
		case "hash":
			for k, v := range c.HGetAll(ctx, key).Val() {
				vals = append(vals, k, v)
			}
		case "set":
			vals = c.SMembers(ctx, key).Val()
		case "zset":
			vals = c.ZRange(ctx, key, 0, -1).Val()
		case "list":
			vals = c.LRange(ctx, key, 0, -1).Val()
		case "stream":
			for _, m := range c.XRange(ctx, key, "-", "+").Val() {
				for k, v := range m.Values {
					vals = append(vals, k, v.(string))
				}
			}
		default:
			t.Fatalf("key %s has type %s, which the dump does not read", key, typ)
		}
		for _, v := range append(vals, key) {
			assertNoSecret(t, []byte(v), secrets...)
		}
	}
	if keys < 10 {
		t.Fatalf("the dump read %d keys: the check proves little", keys)
	}
}
