package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/redistest"
	"github.com/bellhop/bellhop/core/signature"
)

// The checks of TestUpgradeFromFixture, one subtest each.

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
// it died: 37c217d's claim, without a lease, is in flight (409) until its
// 60 s lapse, as before; a later version's lease lapsed seconds after the
// kill, so the retry runs.
func (h *upgradeHub) checkIdempotency(t *testing.T) {
	code, b := h.raw(t, h.m.BootstrapKey, "POST", h.m.InFlightPath, h.m.InFlightBody, "Idempotency-Key", h.m.InFlight)
	if h.m.From != "37c217d" || time.Since(h.loaded) > 50*time.Second { // the claim has lapsed: it must run
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

	h.checkTargetLog(t, m.Endpoints["headers"], ev.ID)

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
			if req.slackToken() == m.SlackToken {
				return true
			}
		}
		return false
	})
	if n := len(rcv.requests(m.Receivers["disabled"])); n != 0 {
		t.Errorf("the disabled endpoint got %d requests", n)
	}
}

// checkTargetLog lists an endpoint's deliveries after the upgrade: the one
// this hub made for newEvent (in the target's log) first, then those the
// old hub made (in the sorted set it kept), the same whole and paged one
// by one across the two.
func (h *upgradeHub) checkTargetLog(t *testing.T, endpointID, newEvent string) {
	t.Helper()
	type deliveries struct {
		Data []struct {
			ID        string    `json:"id"`
			EventID   string    `json:"event_id"`
			CreatedAt time.Time `json:"created_at"`
		} `json:"data"`
		HasMore bool `json:"has_more"`
	}
	path := "/v1/webhook_endpoints/" + endpointID + "/deliveries?limit=100"
	var all deliveries
	h.call(t, h.m.BootstrapKey, "GET", path, "", &all)
	if len(all.Data) < 2 || all.Data[0].EventID != newEvent || !all.Data[len(all.Data)-1].CreatedAt.Before(h.m.CapturedAt) {
		t.Fatalf("endpoint %s's deliveries = %+v; want the new event's first and the old hub's after it", endpointID, all.Data)
	}
	after := ""
	for i, want := range all.Data {
		var one deliveries
		h.call(t, h.m.BootstrapKey, "GET", "/v1/webhook_endpoints/"+endpointID+"/deliveries?limit=1"+after, "", &one)
		if len(one.Data) != 1 || one.Data[0].ID != want.ID || one.HasMore != (i < len(all.Data)-1) {
			t.Fatalf("page %d of one = %+v (has_more %v), want %s", i+1, one.Data, one.HasMore, want.ID)
		}
		after = "&starting_after=" + want.ID
	}
}

// checkRotateMaster re-seals the old version's secrets (secretbox version 1,
// no key id) with a new master key; the hub then signs, sends the static
// headers and reaches Slack with them.
func (h *upgradeHub) checkRotateMaster(t *testing.T, r *redistest.Redis, rcv *fixtureReceiver) {
	m := h.m
	h.stop(t)
	newKey := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{42}, 32))
	env := map[string]string{"REDIS_URL": r.URL, "BELLHOP_REDIS_PREFIX": r.Prefix, "BELLHOP_MASTER_KEY": m.MasterKey, "BELLHOP_NEW_MASTER_KEY": newKey}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"keys", "rotate-master"}, func(k string) string { return env[k] }, &out); err != nil || !strings.Contains(out.String(), "done") {
		t.Fatalf("rotate-master = %v:\n%s", err, out.String())
	}
	h.env["BELLHOP_MASTER_KEY"] = newKey
	h.hubUnderTest = startHubOn(t, r, h.env)

	slackBefore := len(rcv.requests(m.Receivers["slack"]))
	var sample struct{ Sample json.RawMessage }
	h.call(t, m.BootstrapKey, "GET", "/v1/event_types/reservation.created", "", &sample)
	var ev struct{ ID string }
	h.call(t, m.BootstrapKey, "POST", "/v1/events", `{"type":"reservation.created","property_id":"prop_rotated","data":{"object":`+string(sample.Sample)+`}}`, &ev)
	for _, role := range []string{"headers", "retrying"} {
		waitUntil(t, 20*time.Second, "the event reaches the "+role+" endpoint", func() bool { _, ok := rcv.eventIDs(m.Receivers[role])[ev.ID]; return ok })
		req := rcv.eventIDs(m.Receivers[role])[ev.ID]
		if err := signature.Verify(m.Secrets[role], req.header.Get("Bellhop-Signature"), req.body, 5*time.Minute); err != nil {
			t.Errorf("%s endpoint after the rotation: %v", role, err)
		}
		if role == "retrying" && time.Now().Before(m.CapturedAt.Add(7*24*time.Hour)) {
			if err := signature.Verify(m.Secrets["retrying_old"], req.header.Get("Bellhop-Signature"), req.body, 5*time.Minute); err != nil {
				t.Errorf("the rotated-out secret after the master key rotation, within its grace: %v", err)
			}
		}
		if role == "headers" && req.header.Get("Authorization") != m.Headers["Authorization"] {
			t.Errorf("static header after the rotation = %q", req.header.Get("Authorization"))
		}
	}
	waitUntil(t, 20*time.Second, "Slack gets the event after the rotation", func() bool {
		got := rcv.requests(m.Receivers["slack"])
		return len(got) > slackBefore && got[len(got)-1].slackToken() == m.SlackToken
	})
}
