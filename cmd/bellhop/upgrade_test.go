package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core/redistest"
)

// upgradeFixtures are Redis stores earlier versions wrote, captured by
// testdata/upgrade/capture (its README says how to capture again): 37c217d,
// before sealed values carried a key id; 3b34df4, the last release before
// issue 12's compact delivery, attempt, activity and idempotency records;
// c6c8e4a, the last before events named after their Idempotency-Key
// and packed delivery records; d5e1b19, the last whose events-stream
// entries held the envelope JSON; 67407c8, the last whose ended
// delivery records were packed with zstd; and 0640f54, the last whose
// targets' delivery logs were sorted sets (with S2-packed records and
// event index keys without an expiry); c813375, the last that kept
// each ended delivery and each event's index in a key of its own; and
// bc99871, the last whose target logs and event indexes held delivery ids,
// whose hour hashes keyed records by hex digits, whose records were
// packedV2 and whose activity entries held key ids. Today's hub must take
// over each.
var upgradeFixtures = []string{"testdata/upgrade/fixture-37c217d", "testdata/upgrade/fixture-3b34df4", "testdata/upgrade/fixture-c6c8e4a",
	"testdata/upgrade/fixture-d5e1b19", "testdata/upgrade/fixture-67407c8", "testdata/upgrade/fixture-0640f54",
	"testdata/upgrade/fixture-c813375", "testdata/upgrade/fixture-bc99871"}

// fixtureMeta is what the capture made; the fields are the capture's Meta.
type fixtureMeta struct {
	From         string            `json:"from"` // the commit that wrote it
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
	env    map[string]string // the hub's settings over hubEnv's
	loaded time.Time         // when the fixture was loaded, its TTLs restored
}

// TestUpgradeFromFixture starts today's hub on a Redis the previous version
// wrote and left with work in flight (killed with SIGKILL), with no step in
// between: what it stored is served, and what it had not finished is
// delivered.
func TestUpgradeFromFixture(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a captured Redis and delivers its pending work")
	}
	for _, fixture := range upgradeFixtures {
		// One after the other: the receivers listen on the fixtures' fixed addresses.
		t.Run(filepath.Base(fixture), func(t *testing.T) { testUpgradeFrom(t, fixture) })
	}
}

func testUpgradeFrom(t *testing.T, upgradeFixture string) {
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
	h := &upgradeHub{m: &m, env: upgradeEnv(t, &m), loaded: loaded}
	h.hubUnderTest = startHubOn(t, r, h.env)
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
	t.Run("activity log", h.checkActivity)
	t.Run("second start", func(t *testing.T) {
		h.stop(t)
		h.hubUnderTest = startHubOn(t, r, h.env)
		var events listOfIDs
		h.call(t, m.BootstrapKey, "GET", "/v1/events?limit=1", "", &events)
	})
	t.Run("rotate the master key", func(t *testing.T) { h.checkRotateMaster(t, r, rcv) })
}

func upgradeEnv(t *testing.T, m *fixtureMeta) map[string]string {
	plugins := slackPluginDir(t)
	return map[string]string{
		"BELLHOP_MASTER_KEY":    m.MasterKey,
		"BELLHOP_BOOTSTRAP_KEY": m.BootstrapKey,
		"BELLHOP_PLUGIN_DIR":    plugins,
		// The fixture's stream ids carry the capture's date: a window that
		// covers them lets the test run for ten years after the capture.
		"BELLHOP_EVENT_RETENTION":    "87600h",
		"BELLHOP_DELIVERY_RETENTION": "87600h",
		"BELLHOP_ACTIVITY_RETENTION": "87600h",
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
