package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core/redistest"
)

const testBootstrapKey = "bh_test_serveTestBootstrapKey0123456789abcdef"

// hubUnderTest is a `bellhop serve` started through run, as main starts it.
type hubUnderTest struct {
	base   string
	cancel context.CancelFunc
	done   chan error
	out    *syncBuffer
}

// testMasterKey is the BELLHOP_MASTER_KEY of startHub's hubs.
var testMasterKey = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))

// startHub runs the hub in process on a fresh Redis prefix and waits for /healthz.
func startHub(t *testing.T, extraEnv map[string]string) *hubUnderTest {
	t.Helper()
	return startHubOn(t, redistest.New(t), extraEnv)
}

// hubEnv is the environment of a hub on r, with extraEnv over the defaults.
func hubEnv(t *testing.T, r *redistest.Redis, extraEnv map[string]string) map[string]string {
	env := map[string]string{
		"BELLHOP_ADDR":          freeAddr(t),
		"REDIS_URL":             r.URL,
		"BELLHOP_REDIS_PREFIX":  r.Prefix,
		"BELLHOP_MASTER_KEY":    testMasterKey,
		"BELLHOP_BOOTSTRAP_KEY": testBootstrapKey,
		"BELLHOP_PLUGIN_DIR":    t.TempDir(),
	}
	for k, v := range extraEnv {
		env[k] = v
	}
	return env
}

// startHubOn runs the hub in process on r, so that a test can restart it
// on the same data, and waits for /healthz. A hub that could not bind the
// port freeAddr chose (another process took it in between) is started
// again on a new one, twice at most, unless the caller chose the address.
func startHubOn(t *testing.T, r *redistest.Redis, extraEnv map[string]string) *hubUnderTest {
	t.Helper()
	_, chosenAddr := extraEnv["BELLHOP_ADDR"]
	for attempt := 1; ; attempt++ {
		h := launchHubOn(t, r, extraEnv)
		err := h.waitHealthy(t)
		if err == nil {
			return h
		}
		if chosenAddr || attempt == 3 || !strings.Contains(err.Error(), "address already in use") {
			t.Fatalf("hub exited before it was healthy: %v\n%s", err, h.out.String())
		}
	}
}

// waitHealthy waits for /healthz, and returns the hub's error should it
// exit first (it has stopped then: the cleanup waits for nothing).
func (h *hubUnderTest) waitHealthy(t *testing.T) error {
	t.Helper()
	// 30 s: a hub waits up to olderHubQuiet for a killed older hub's dispatcher.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(h.base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-h.done:
			h.cancel = nil
			if err == nil { // only a cancelled hub stops cleanly: not one starting up
				err = errors.New("stopped without an error")
			}
			return err
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("hub not healthy in time:\n%s", h.out.String())
		}
	}
}

// launchHubOn runs the hub in process on r and returns at once, before it
// serves.
func launchHubOn(t *testing.T, r *redistest.Redis, extraEnv map[string]string) *hubUnderTest {
	t.Helper()
	env := hubEnv(t, r, extraEnv)
	ctx, cancel := context.WithCancel(context.Background())
	h := &hubUnderTest{base: "http://" + env["BELLHOP_ADDR"], cancel: cancel, done: make(chan error, 1), out: &syncBuffer{}}
	go func() { h.done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, h.out) }()
	t.Cleanup(func() { h.stop(t) })
	return h
}

// stop sends what SIGTERM sends (a cancelled context) and waits for a clean exit.
func (h *hubUnderTest) stop(t *testing.T) {
	t.Helper()
	if h.cancel == nil {
		return
	}
	h.cancel()
	h.cancel = nil
	select {
	case err := <-h.done:
		if err != nil {
			t.Errorf("hub exited with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Errorf("hub did not stop within 30s of SIGTERM")
	}
}

func (h *hubUnderTest) do(t *testing.T, method, path, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, h.base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testBootstrapKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServeStartsServesAndDrainsOnSIGTERM(t *testing.T) {
	h := startHub(t, nil)

	if code, body := h.do(t, "GET", "/readyz", ""); code != 200 {
		t.Fatalf("/readyz = %d %s", code, body)
	}
	event := `{"type":"guest.created","property_id":"prop_8hJk3m","data":{"object":` + guestSample(t, h) + `}}`
	code, body := h.do(t, "POST", "/v1/events", event)
	if code != 201 || !strings.Contains(body, `"id":"evt_`) {
		t.Fatalf("publish = %d %s", code, body)
	}
	if code, body := h.do(t, "GET", "/v1/events?limit=1", ""); code != 200 || !strings.Contains(body, `"type":"guest.created"`) {
		t.Fatalf("list events = %d %s", code, body)
	}
	h.stop(t)
	if out := h.out.String(); !strings.Contains(out, "Bellhop") || strings.Contains(out, testBootstrapKey) {
		t.Errorf("start-up output should greet without printing a non-dev key secret:\n%s", out)
	}
}

func TestServeRefusesABadSettingBeforeStarting(t *testing.T) {
	var out syncBuffer
	env := map[string]string{"BELLHOP_ADDR": "127.0.0.1:1", "BELLHOP_EVENT_RETENTION": "1h"}
	err := run(context.Background(), []string{"serve"}, func(k string) string { return env[k] }, &out)
	if err == nil || !strings.Contains(err.Error(), "BELLHOP_EVENT_RETENTION") {
		t.Fatalf("run = %v, want an error naming BELLHOP_EVENT_RETENTION", err)
	}
}

// guestSample returns the catalog's sample data.object of guest.created.
func guestSample(t *testing.T, h *hubUnderTest) string {
	t.Helper()
	return sampleOf(t, h, "guest.created")
}

// sampleOf returns the sample data.object of an event type, as the hub's
// catalog serves it.
func sampleOf(t *testing.T, h *hubUnderTest, eventType string) string {
	t.Helper()
	code, body := h.do(t, "GET", "/v1/event_types/"+eventType, "")
	var typ struct{ Sample json.RawMessage }
	if err := json.Unmarshal([]byte(body), &typ); code != 200 || err != nil || len(typ.Sample) == 0 {
		t.Fatalf("event type = %d %s (%v)", code, body, err)
	}
	return string(typ.Sample)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// syncBuffer is a bytes.Buffer safe for the hub's goroutines and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeDocURLLeadsToItsPage: the doc_url of an error a running hub
// answers opens that hub's error page at the error's code, the API's page
// and not the console's 404 beside it on the same address.
func TestServeDocURLLeadsToItsPage(t *testing.T) {
	h := startHub(t, nil)
	req, _ := http.NewRequest(http.MethodGet, h.base+"/v1/events/evt_none", nil)
	req.Header.Set("Authorization", "Bearer "+testBootstrapKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Error struct {
			DocURL string `json:"doc_url"`
		}
	}
	json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	page, anchor, _ := strings.Cut(body.Error.DocURL, "#")
	if !strings.HasPrefix(page, h.base) || anchor != "resource_missing" {
		t.Fatalf("doc_url = %q, want this hub's page at #resource_missing", body.Error.DocURL)
	}
	resp, err = http.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	html, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(html), `id="resource_missing"`) {
		t.Errorf("GET %s = %d, want the error page with the code's anchor:\n%.300s", page, resp.StatusCode, html)
	}
}
