package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// cli runs one client command against the hub, as a user's shell would with
// BELLHOP_API_URL and BELLHOP_API_KEY set, and returns what it printed.
func cli(t *testing.T, h *hubUnderTest, args ...string) (string, error) {
	t.Helper()
	env := map[string]string{"BELLHOP_API_URL": h.base, "BELLHOP_API_KEY": testBootstrapKey}
	var out syncBuffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, &out)
	return out.String(), err
}

// mustCLI is cli for a command that must succeed; it decodes its JSON.
func mustCLI(t *testing.T, h *hubUnderTest, args ...string) map[string]any {
	t.Helper()
	out, err := cli(t, h, args...)
	if err != nil {
		t.Fatalf("bellhop %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("bellhop %s printed no JSON object: %v\n%s", strings.Join(args, " "), err, out)
	}
	return v
}

// dig follows a dotted path into decoded JSON.
func dig(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

// waitFor polls cond until it holds; the bound is a failsafe, not a
// timing target.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
	}
}

// TestClientAPIURLWithV1: BELLHOP_API_URL may be the hub's URL or its
// API's, as `make run` prints it (…/v1), with or without a slash.
func TestClientAPIURLWithV1(t *testing.T) {
	h := startHub(t, nil)
	for _, u := range []string{h.base + "/v1", h.base + "/v1/", h.base + "/"} {
		var out strings.Builder
		env := map[string]string{"BELLHOP_API_URL": u, "BELLHOP_API_KEY": testBootstrapKey}
		if err := run(context.Background(), []string{"events", "list"}, func(k string) string { return env[k] }, &out); err != nil {
			t.Errorf("BELLHOP_API_URL=%s: %v", u, err)
		}
	}
}

func TestClientTriggerThenEventsGet(t *testing.T) {
	h := startHub(t, nil)
	ev := mustCLI(t, h, "trigger", "guest.created", "--property", "prop_cli1", "--set", "email=ada@example.com")
	id, _ := ev["id"].(string)
	if !strings.HasPrefix(id, "evt_") {
		t.Fatalf("trigger printed no event id: %v", ev)
	}
	got := mustCLI(t, h, "events", "get", id)
	for _, c := range []struct{ path, want string }{
		{"id", id}, {"type", "guest.created"}, {"property_id", "prop_cli1"}, {"data.object.email", "ada@example.com"},
	} {
		if g := dig(got, c.path); g != c.want {
			t.Errorf("events get: %s = %v, want %s", c.path, g, c.want)
		}
	}
	table, err := cli(t, h, "events", "list", "--type", "guest.created", "--limit", "5", "--output", "table")
	if err != nil || !strings.Contains(table, "ID") || !strings.Contains(table, id) || !strings.Contains(table, "prop_cli1") {
		t.Errorf("events list table = %v\n%s", err, table)
	}
}

func TestClientEndpointsLifecycle(t *testing.T) {
	h := startHub(t, nil)
	created := mustCLI(t, h, "endpoints", "create", "--url", "http://127.0.0.1:9/hooks",
		"--events", "reservation.created, guest.created", "--description", "from the cli")
	id, _ := created["id"].(string)
	secret, _ := created["secret"].(string)
	if !strings.HasPrefix(id, "whe_") || !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("create = %v, want an id and a secret", created)
	}
	if got := dig(created, "enabled_events"); len(got.([]any)) != 2 {
		t.Errorf("enabled_events = %v, want the two types", got)
	}
	list, err := cli(t, h, "endpoints", "list", "-o", "table")
	if err != nil || !strings.Contains(list, id) || !strings.Contains(list, "reservation.created,guest.created") {
		t.Errorf("endpoints list = %v\n%s", err, list)
	}
	rotated := mustCLI(t, h, "endpoints", "rotate-secret", id, "--grace-period", "60")
	if s, _ := rotated["secret"].(string); !strings.HasPrefix(s, "whsec_") || s == secret {
		t.Errorf("rotate-secret gave secret %q, want a new whsec_ one (old %q)", s, secret)
	}
	disabled := mustCLI(t, h, "endpoints", "disable", id, "--reason", "maintenance")
	if disabled["disabled"] != true || disabled["disabled_reason"] != "maintenance" {
		t.Errorf("disable = %v", disabled)
	}
	if got := mustCLI(t, h, "endpoints", "enable", id); got["disabled"] != false {
		t.Errorf("enable = %v", got)
	}
	got := mustCLI(t, h, "endpoints", "get", id)
	if _, ok := got["secret"]; ok || got["url"] != "http://127.0.0.1:9/hooks" {
		t.Errorf("get = %v, want the endpoint without its secret", got)
	}
	if _, err := cli(t, h, "endpoints", "delete", id); err != nil {
		t.Fatalf("delete: %v", err)
	}
	_, err = cli(t, h, "endpoints", "get", id)
	if ae, ok := err.(*apiError); !ok || ae.Status != 404 || !strings.HasPrefix(ae.RequestID, "req_") {
		t.Errorf("get after delete = %#v, want a 404 API error with a request id", err)
	}
}

func TestClientErrorsShowTheAPIMessageAndParam(t *testing.T) {
	h := startHub(t, nil)
	cases := []struct {
		name      string
		args      []string
		wantParam string
		wantIn    string
		wantFlag  string // the flag the user typed, named beside the param
	}{
		{"bad url", []string{"endpoints", "create", "--url", "ftp://example.com/x", "--events", "guest.created"}, "url", "url", "--url"},
		{"unknown type", []string{"endpoints", "create", "--url", "http://127.0.0.1:9/x", "--events", "no.such_type"}, "enabled_events", "no.such_type", "--events"},
		{"limit too big", []string{"events", "list", "--limit", "1000"}, "limit", "limit", "--limit"},
		{"bad since", []string{"backfill", "--endpoint", "whe_none", "--since", "yesterday"}, "since", "RFC 3339", "--since"},
		{"bad override", []string{"trigger", "guest.created", "--set", "email=1"}, "data.object.email", "must be", "--set"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := cli(t, h, c.args...)
			ae, ok := err.(*apiError)
			if !ok {
				t.Fatalf("err = %v (%T), want an API error; printed %q", err, err, out)
			}
			if ae.Param != c.wantParam || !strings.Contains(ae.Message, c.wantIn) {
				t.Errorf("param %q message %q, want param %q and a message naming %q", ae.Param, ae.Message, c.wantParam, c.wantIn)
			}
			msg := err.Error()
			for _, want := range []string{ae.Message, "param:      " + c.wantParam + " (set with " + c.wantFlag + ")", "request id: req_", "400 invalid_request_error"} {
				if !strings.Contains(msg, want) {
					t.Errorf("printed error %q lacks %q", msg, want)
				}
			}
		})
	}
}

func TestClientReplayBackfillAndConnectors(t *testing.T) {
	h := startHub(t, nil)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer receiver.Close()
	ep := mustCLI(t, h, "endpoints", "create", "--url", receiver.URL, "--events", "*")
	id := ep["id"].(string)
	if got := mustCLI(t, h, "endpoints", "test", id, "--type", "guest.created"); got["response_status"] != float64(204) {
		t.Errorf("endpoints test = %v, want the attempt with the receiver's 204", got)
	}
	ev := mustCLI(t, h, "trigger", "reservation.created")
	waitFor(t, "the event's delivery in the log", func() bool {
		out, err := cli(t, h, "endpoints", "deliveries", id, "--type", "reservation.created", "-o", "table")
		return err == nil && strings.Contains(out, ev["id"].(string))
	})
	replay := mustCLI(t, h, "replay", "--endpoint", id, ev["id"].(string))
	if !strings.Contains(mustJSON(t, replay), ev["id"].(string)) {
		t.Errorf("replay = %v, want it to name the event", replay)
	}
	// backfill follows its backfill until every event is queued, then
	// prints it; backfill get reads it again.
	bf := mustCLI(t, h, "backfill", "--endpoint", id, "--since", "1h", "--events", "reservation.created")
	b, _ := bf["id"].(string)
	if !strings.HasPrefix(b, "bf_") || bf["endpoint_id"] != id || bf["status"] != "completed" || bf["queued"] != bf["count"] || bf["count"] != float64(1) {
		t.Errorf("backfill = %v, want a completed bf_ backfill of %s that queued its one event", bf, id)
	}
	if got := mustCLI(t, h, "backfill", "get", b); got["id"] != b || got["status"] != "completed" {
		t.Errorf("backfill get = %v, want %s completed", got, b)
	}
	// --types is the former name of --events, still read.
	started := mustCLI(t, h, "backfill", "--endpoint", id, "--since", "1h", "--follow=false", "--types", "guest.created")
	if s, _ := started["id"].(string); !strings.HasPrefix(s, "bf_") || s == b || !strings.Contains(mustJSON(t, dig(started, "event_types")), "guest.created") {
		t.Errorf("backfill --follow=false --types = %v, want a new backfill of guest.created printed at once", started)
	}
	if _, err := cli(t, h, "replay", ev["id"].(string)); err == nil || !strings.Contains(err.Error(), "--endpoint") {
		t.Errorf("replay with no target = %v, want an error naming --endpoint", err)
	}
	if got := mustCLI(t, h, "connectors", "list"); got["object"] != "list" {
		t.Errorf("connectors list = %v, want a list", got)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestClientDeliveriesGet: `deliveries get` shows what happened to one
// delivery, attempt by attempt: a first attempt answered 503 and retried,
// a second answered 200, in JSON whole and in a table as a timeline.
func TestClientDeliveriesGet(t *testing.T) {
	h := startHub(t, map[string]string{"BELLHOP_RETRY_SCHEDULE": "0s,100ms"})
	var calls atomic.Int32
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(rcv.Close)
	ep := mustCLI(t, h, "endpoints", "create", "--url", rcv.URL, "--events", "guest.created")
	epID, _ := ep["id"].(string)
	mustCLI(t, h, "trigger", "guest.created")
	var id string
	waitFor(t, "the delivery to succeed on its second attempt", func() bool {
		list := mustCLI(t, h, "endpoints", "deliveries", epID)
		data, _ := list["data"].([]any)
		if len(data) != 1 {
			return false
		}
		d, _ := data[0].(map[string]any)
		id, _ = d["id"].(string)
		return d["status"] == "succeeded"
	})
	got := mustCLI(t, h, "deliveries", "get", id)
	attempts, _ := got["attempts"].([]any)
	if got["id"] != id || len(attempts) != 2 {
		t.Fatalf("deliveries get = %v, want %s with two attempts", got, id)
	}
	for i, want := range []float64{503, 200} {
		if a, _ := attempts[i].(map[string]any); a["response_status"] != want {
			t.Errorf("attempt %d answered %v, want %v", i+1, a["response_status"], want)
		}
	}
	table, err := cli(t, h, "deliveries", "get", id, "-o", "table")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"status", "succeeded", "ATTEMPTS", "NUMBER", "OUTCOME", "503", "retry", "200"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	if strings.Contains(table, "request_headers") {
		t.Errorf("the table shows the attempts whole instead of as a timeline:\n%s", table)
	}
}
