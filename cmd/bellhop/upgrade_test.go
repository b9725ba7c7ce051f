package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/redistest"
	"github.com/bellhop/bellhop/core/signature"
	"github.com/bellhop/bellhop/plugins/plugintest"
)

// upgradeFixture is the Redis of the version before this one, captured by
// testdata/upgrade/capture.go (its README says how to capture it again).
const upgradeFixture = "testdata/upgrade/fixture-37c217d"

// fixtureMeta is what the capture made; the fields are capture.go's Meta.
type fixtureMeta struct {
	CapturedAt   time.Time         `json:"captured_at"`
	MasterKey    string            `json:"master_key"`
	BootstrapKey string            `json:"bootstrap_key"`
	SecondKey    string            `json:"second_key"`
	Receivers    map[string]string `json:"receivers"`
	Endpoints    map[string]string `json:"endpoints"`
	Secrets      map[string]string `json:"secrets"`
	Headers      map[string]string `json:"headers"`
	ScriptID     string            `json:"script_id"`
	ConnectionID string            `json:"connection_id"`
	SlackToken   string            `json:"slack_token"`
	CustomType   string            `json:"custom_type"`
	BackfillID   string            `json:"backfill_id"`
	Events       []string          `json:"events"`
	SecondEvent  string            `json:"second_event"`
	Idempotency  map[string]string `json:"idempotency"`
	Bodies       map[string]string `json:"idempotency_bodies"`
	Retrying     []string          `json:"retrying_events"`
	Succeeded    []string          `json:"succeeded_deliveries"`
	InFlight     string            `json:"in_flight_idempotency_key"`
	InFlightPath string            `json:"in_flight_path"`
	InFlightBody string            `json:"in_flight_body"`
}

// upgradeHub is the current hub started on the fixture.
type upgradeHub struct {
	*hubUnderTest
	m      *fixtureMeta
	loaded time.Time // when the fixture was loaded, its TTLs restored
}

// TestUpgradeFromFixture starts today's hub on a Redis the previous version
// wrote and left with work in flight (killed with SIGKILL), with no step in
// between: what it stored is served, and what it had not finished is
// delivered.
func TestUpgradeFromFixture(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a captured Redis and delivers its pending work")
	}
	var m fixtureMeta
	raw, err := os.ReadFile(upgradeFixture + ".json")
	if err != nil || json.Unmarshal(raw, &m) != nil {
		t.Fatalf("read %s.json: %v", upgradeFixture, err)
	}
	r := redistest.New(t)
	f, err := os.Open(upgradeFixture + ".jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	loaded := time.Now()
	n, err := redistest.LoadFixture(context.Background(), r.Client, r.Prefix, f)
	if err != nil {
		if !r.Real {
			t.Skipf("the embedded Redis cannot load the fixture (%v); this test runs on the real Redis at REDIS_URL", err)
		}
		t.Fatalf("load fixture: %v", err)
	}
	t.Logf("loaded %d keys captured at %s", n, m.CapturedAt.Format(time.RFC3339))

	rcv := startFixtureReceivers(t, m.Receivers)
	h := &upgradeHub{hubUnderTest: startHubOn(t, r, upgradeEnv(t, &m)), m: &m, loaded: loaded}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("hub output:\n%s", h.out.String())
		}
	})

	t.Run("keys and what they see", h.checkKeys)
	t.Run("stored objects", func(t *testing.T) { h.checkStored(t, r) })
	t.Run("idempotent retry", h.checkIdempotency)
	t.Run("attempt history", h.checkHistory)
	t.Run("retrying and in-flight deliveries", func(t *testing.T) { h.checkRetrying(t, rcv) })
	t.Run("backfill resumes", func(t *testing.T) { h.checkBackfill(t, rcv) })
	t.Run("new events", func(t *testing.T) { h.checkNewEvents(t, rcv) })
	t.Run("second start", func(t *testing.T) {
		h.stop(t)
		h.hubUnderTest = startHubOn(t, r, upgradeEnv(t, &m))
		var events listOfIDs
		h.call(t, m.BootstrapKey, "GET", "/v1/events?limit=1", "", &events)
	})
}

func upgradeEnv(t *testing.T, m *fixtureMeta) map[string]string {
	plugins := os.Getenv("BELLHOP_PLUGIN_DIR") // make test builds them there
	if plugins == "" {
		plugins = t.TempDir()
		if _, err := plugintest.Build(plugins, "github.com/bellhop/bellhop/connectors/slack/cmd/"+slackPlugin); err != nil {
			t.Fatal(err)
		}
	}
	if abs, err := filepath.Abs(plugins); err == nil {
		plugins = abs
	}
	return map[string]string{
		"BELLHOP_MASTER_KEY":    m.MasterKey,
		"BELLHOP_BOOTSTRAP_KEY": m.BootstrapKey,
		"BELLHOP_PLUGIN_DIR":    plugins,
		// The fixture's stream ids carry the capture's date: a window that
		// covers them lets the test run for ten years after the capture.
		"BELLHOP_EVENT_RETENTION":    "87600h",
		"BELLHOP_DELIVERY_RETENTION": "87600h",
		"BELLHOP_RETRY_SCHEDULE":     "0s,200ms,500ms,1s,1s,1s,1s,1s",
		// The killed hub's in-flight entries are claimed after 2×timeout+5s.
		"BELLHOP_REQUEST_TIMEOUT": "1s",
		"BELLHOP_CONNECT_TIMEOUT": "1s",
		"BELLHOP_LOG_LEVEL":       "warn",
	}
}

// call sends a request with key and decodes a 2xx answer into out.
func (h *upgradeHub) call(t *testing.T, key, method, path, body string, out any, header ...string) int {
	t.Helper()
	code, b := h.raw(t, key, method, path, body, header...)
	if code/100 != 2 {
		t.Fatalf("%s %s = %d %s", method, path, code, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
	return code
}

// raw sends a request with key and returns the answer as it is.
func (h *upgradeHub) raw(t *testing.T, key, method, path, body string, header ...string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, h.base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

type listOfIDs struct {
	Data []struct {
		ID       string `json:"id"`
		Disabled bool   `json:"disabled"`
	} `json:"data"`
}

func (l listOfIDs) ids() []string {
	var out []string
	for _, d := range l.Data {
		out = append(out, d.ID)
	}
	return out
}

func (h *upgradeHub) checkKeys(t *testing.T) {
	m := h.m
	var eps, events listOfIDs
	h.call(t, m.BootstrapKey, "GET", "/v1/webhook_endpoints?limit=100", "", &eps)
	for _, role := range []string{"headers", "transform", "retrying", "disabled", "backfill"} {
		if !slices.Contains(eps.ids(), m.Endpoints[role]) {
			t.Errorf("the bootstrap key does not list the %s endpoint %s: %v", role, m.Endpoints[role], eps.ids())
		}
	}
	for _, d := range eps.Data {
		if d.Disabled != (d.ID == m.Endpoints["disabled"]) {
			t.Errorf("endpoint %s disabled = %v", d.ID, d.Disabled)
		}
	}
	h.call(t, m.BootstrapKey, "GET", "/v1/events?limit=100", "", &events)
	for _, id := range m.Events {
		if !slices.Contains(events.ids(), id) {
			t.Errorf("event %s is not listed", id)
		}
	}
	var eps2, events2 listOfIDs
	h.call(t, m.SecondKey, "GET", "/v1/webhook_endpoints", "", &eps2)
	h.call(t, m.SecondKey, "GET", "/v1/events", "", &events2)
	if !slices.Equal(eps2.ids(), []string{m.Endpoints["second"]}) || !slices.Equal(events2.ids(), []string{m.SecondEvent}) {
		t.Errorf("the second key sees endpoints %v and events %v, want its own %s and %s", eps2.ids(), events2.ids(), m.Endpoints["second"], m.SecondEvent)
	}
}

func (h *upgradeHub) checkStored(t *testing.T, r *redistest.Redis) {
	m := h.m
	var ep struct {
		Headers map[string]string `json:"headers"`
	}
	h.call(t, m.BootstrapKey, "GET", "/v1/webhook_endpoints/"+m.Endpoints["headers"], "", &ep)
	for name, value := range m.Headers {
		if got := ep.Headers[name]; got != core.SecretMask {
			t.Errorf("header %s reads %q, want %q (no character of %q)", name, got, core.SecretMask, value)
		}
	}
	var conn struct {
		Connector string         `json:"connector"`
		Config    map[string]any `json:"config"`
	}
	h.call(t, m.BootstrapKey, "GET", "/v1/connections/"+m.ConnectionID, "", &conn)
	// 37c217d stored the token's mask as "••••" and its last four.
	if conn.Connector != "slack" || conn.Config["channel"] != "C0FIXTURE" || conn.Config["token"] != core.SecretMask {
		t.Errorf("connection = %+v, want the token shown as %q", conn, core.SecretMask)
	}
	var sc core.Script
	h.call(t, m.BootstrapKey, "GET", "/v1/scripts/"+m.ScriptID, "", &sc)
	if sc.Version != 2 || !strings.Contains(sc.Source, `"v2"`) {
		t.Errorf("script = version %d %q, want version 2", sc.Version, sc.Source)
	}
	store := redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix})
	v1, err := store.FindScriptVersion(context.Background(), core.Scope{AccountID: "acct_default"}, m.ScriptID, 1)
	if err != nil || !strings.Contains(v1.Source, `"v1"`) {
		t.Errorf("script version 1 = %v, %v", v1, err)
	}
	// The first start wrote the master key check value 37c217d did not have.
	if id := r.Client.HGet(context.Background(), r.Prefix+"meta:masterkey", "key_id").Val(); id == "" {
		t.Errorf("no master key check value after the first start")
	}
	var typ struct {
		Type   string `json:"type"`
		Custom bool   `json:"custom"`
	}
	h.call(t, m.BootstrapKey, "GET", "/v1/event_types/"+m.CustomType, "", &typ)
	if typ.Type != m.CustomType || !typ.Custom {
		t.Errorf("custom type = %+v", typ)
	}
}

// checkIdempotency retries a publish the old hub answered: the same event
// comes back, not a second one; and a request the old hub was running when
// it died: in flight (409) until the old claim's 60 s lapse, as before.
func (h *upgradeHub) checkIdempotency(t *testing.T) {
	code, b := h.raw(t, h.m.BootstrapKey, "POST", h.m.InFlightPath, h.m.InFlightBody, "Idempotency-Key", h.m.InFlight)
	if time.Since(h.loaded) > 50*time.Second { // the claim may have lapsed: it must then run
		if code/100 == 5 {
			t.Errorf("retry of the request in flight at the kill = %d %s", code, b)
		}
	} else if code != http.StatusConflict {
		t.Errorf("retry of the request in flight at the kill = %d %s, want 409 while the old claim lasts", code, b)
	}
	for key, id := range h.m.Idempotency {
		var ev struct{ ID string }
		h.call(t, h.m.BootstrapKey, "POST", "/v1/events", h.m.Bodies[key], &ev, "Idempotency-Key", key)
		if ev.ID != id {
			t.Errorf("retry with Idempotency-Key %s = %s, want the old hub's %s", key, ev.ID, id)
		}
	}
}

func (h *upgradeHub) checkHistory(t *testing.T) {
	if len(h.m.Succeeded) == 0 {
		t.Fatal("the fixture names no succeeded delivery")
	}
	for _, id := range h.m.Succeeded {
		var d struct {
			Status   string            `json:"status"`
			Attempts []json.RawMessage `json:"attempts"`
		}
		raw := ""
		h.call(t, h.m.BootstrapKey, "GET", "/v1/deliveries/"+id, "", &d)
		for _, a := range d.Attempts {
			raw += string(a)
		}
		if d.Status != "succeeded" || len(d.Attempts) == 0 {
			t.Errorf("delivery %s = %s with %d attempts", id, d.Status, len(d.Attempts))
		}
		// 37c217d logged static header values as "[redacted]", today's hub
		// as core.SecretMask: either way no character of the value.
		if strings.Contains(raw, "fixture-header-token") || strings.Contains(raw, "oken") {
			t.Errorf("delivery %s's attempts show a static header's value: %s", id, raw)
		}
	}
}

// checkRetrying waits for the deliveries the old hub was retrying or had in
// flight when it died, signed with the endpoint's rotated secret, and with
// the rotated-out one while its grace (7 days from the capture) lasts.
func (h *upgradeHub) checkRetrying(t *testing.T, rcv *fixtureReceiver) {
	addr := h.m.Receivers["retrying"]
	waitUntil(t, 45*time.Second, "every retrying and in-flight delivery arrives", func() bool {
		got := rcv.eventIDs(addr)
		for _, id := range h.m.Retrying {
			if _, ok := got[id]; !ok {
				return false
			}
		}
		return true
	})
	inGrace := time.Now().Before(h.m.CapturedAt.Add(7 * 24 * time.Hour))
	for id, req := range rcv.eventIDs(addr) {
		header := req.header.Get("Bellhop-Signature")
		if err := signature.Verify(h.m.Secrets["retrying"], header, req.body, 5*time.Minute); err != nil {
			t.Errorf("event %s does not verify with the endpoint's secret: %v", id, err)
		}
		err := signature.Verify(h.m.Secrets["retrying_old"], header, req.body, 5*time.Minute)
		if inGrace && err != nil {
			t.Errorf("event %s does not verify with the rotated-out secret within its grace: %v", id, err)
		} else if !inGrace && err == nil {
			t.Errorf("event %s still verifies with a rotated-out secret past its grace", id)
		}
	}
	if !inGrace {
		t.Logf("the fixture is older than the rotation's 7-day grace: checked that the rotated-out secret no longer signs")
	}
}

func (h *upgradeHub) checkBackfill(t *testing.T, rcv *fixtureReceiver) {
	var bf core.Backfill
	waitUntil(t, 45*time.Second, "the backfill completes", func() bool {
		h.call(t, h.m.BootstrapKey, "GET", "/v1/backfills/"+h.m.BackfillID, "", &bf)
		return bf.Status != "running"
	})
	if bf.Status != "completed" || bf.Queued != bf.Count || bf.Count != 12 {
		t.Fatalf("backfill = %s, %d of %d queued (%s)", bf.Status, bf.Queued, bf.Count, bf.Error)
	}
	waitUntil(t, 30*time.Second, "the backfill's last events arrive", func() bool {
		_, ok := rcv.eventIDs(h.m.Receivers["backfill"])[h.m.Events[11]]
		return ok
	})
	for id, req := range rcv.eventIDs(h.m.Receivers["backfill"]) {
		if err := signature.Verify(h.m.Secrets["backfill"], req.header.Get("Bellhop-Signature"), req.body, 5*time.Minute); err != nil {
			t.Errorf("backfilled %s: %v", id, err)
		}
	}
}

// checkNewEvents publishes after the upgrade: the static headers, the
// transform, the Slack connection's sealed token and the second account's
// endpoint all work as stored by the old hub.
func (h *upgradeHub) checkNewEvents(t *testing.T, rcv *fixtureReceiver) {
	m := h.m
	var sample struct{ Sample json.RawMessage }
	h.call(t, m.BootstrapKey, "GET", "/v1/event_types/reservation.created", "", &sample)
	var ev struct{ ID string }
	h.call(t, m.BootstrapKey, "POST", "/v1/events", `{"type":"reservation.created","property_id":"prop_after","data":{"object":`+string(sample.Sample)+`}}`, &ev)
	var ev2 struct{ ID string }
	h.call(t, m.SecondKey, "POST", "/v1/events", `{"type":"guest.created","property_id":"prop_after","data":{"object":{"id":"gst_after","first_name":"Ada","last_name":"Lovelace","email":"ada@example.com","marketing_opt_in":false,"created_at":"2026-04-13T14:22:30Z"}}}`, &ev2)

	arrived := func(role, id string) func() bool {
		return func() bool { _, ok := rcv.eventIDs(m.Receivers[role])[id]; return ok }
	}
	waitUntil(t, 20*time.Second, "the new event reaches the headers endpoint", arrived("headers", ev.ID))
	req := rcv.eventIDs(m.Receivers["headers"])[ev.ID]
	for name, value := range m.Headers {
		if got := req.header.Get(name); got != value {
			t.Errorf("static header %s = %q, want %q", name, got, value)
		}
	}
	if err := signature.Verify(m.Secrets["headers"], req.header.Get("Bellhop-Signature"), req.body, 5*time.Minute); err != nil {
		t.Errorf("headers endpoint: %v", err)
	}

	waitUntil(t, 20*time.Second, "the new event reaches the transform endpoint", arrived("transform", ev.ID))
	req = rcv.eventIDs(m.Receivers["transform"])[ev.ID]
	var out struct{ Stamped, ID string }
	if json.Unmarshal(req.body, &out); out.Stamped != "v2" || out.ID != ev.ID {
		t.Errorf("transformed body = %s, want the script's version 2 output", req.body)
	}
	if err := signature.Verify(m.Secrets["transform"], req.header.Get("Bellhop-Signature"), req.body, 5*time.Minute); err != nil {
		t.Errorf("transform endpoint: %v", err)
	}

	waitUntil(t, 20*time.Second, "the second account's event arrives", arrived("second", ev2.ID))
	req = rcv.eventIDs(m.Receivers["second"])[ev2.ID]
	if err := signature.Verify(m.Secrets["second"], req.header.Get("Bellhop-Signature"), req.body, 5*time.Minute); err != nil {
		t.Errorf("second account's endpoint: %v", err)
	}

	waitUntil(t, 20*time.Second, "Slack gets a message with the connection's stored token", func() bool {
		for _, req := range rcv.requests(m.Receivers["slack"]) {
			token := strings.TrimPrefix(req.header.Get("Authorization"), "Bearer ")
			if vs := req.form["token"]; len(vs) > 0 {
				token = vs[0]
			}
			if token == m.SlackToken {
				return true
			}
		}
		return false
	})
	if n := len(rcv.requests(m.Receivers["disabled"])); n != 0 {
		t.Errorf("the disabled endpoint got %d requests", n)
	}
}
