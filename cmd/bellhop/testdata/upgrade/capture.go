//go:build ignore

// Capture builds Bellhop as of an older commit, runs it on a fresh prefix of
// a real Redis, gives it a bit of everything it stores (keys of two
// accounts, endpoints, a rotated secret, a connection, a script with two
// versions, a custom event type, events, succeeded, retrying and in-flight
// deliveries, a backfill half-way, an idempotent request in flight), kills it with SIGKILL and writes every
// key under the prefix to fixture-<commit>.jsonl, and what it made (ids,
// secrets, addresses) to fixture-<commit>.json, for TestUpgradeFromFixture.
//
// From the repository root:
//
//	go run ./cmd/bellhop/testdata/upgrade/capture.go -from 37c217d
//
// It needs git, make, a Redis at REDIS_URL (default redis://127.0.0.1:6379/0)
// and the 127.77.0.0/24 loopback addresses the receivers listen on; it
// deletes its keys and its worktree of the old commit when it ends.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/bellhop/bellhop/core/redistest"
	"github.com/redis/go-redis/v9"
)

// The fixture's own keys: they protect nothing but this fixture.
const (
	masterKey    = "dXBncmFkZS1maXh0dXJlLW1hc3Rlci1rZXktMzJieXQ=" // "upgrade-fixture-master-key-32byt"
	bootstrapKey = "bh_test_upgradeFixtureBootstrapKey0123456789"
)

// Each receiver listens on its own loopback address, so that the test can
// listen where the stored endpoint URLs point.
const (
	addrHeaders   = "127.77.0.1:18080" // static headers; up
	addrTransform = "127.77.0.2:18080" // transform script; up
	addrRetrying  = "127.77.0.3:18080" // hangs: deliveries time out and retry, the last ones are in flight
	addrDisabled  = "127.77.0.4:18080" // a disabled endpoint's; never called
	addrBackfill  = "127.77.0.5:18080" // a rate-limited backfill's; up
	addrSlack     = "127.77.0.6:18080" // a Slack Web API fake
	addrSecond    = "127.77.0.7:18080" // the second account's endpoint; up
)

// Meta is what the capture made, written beside the fixture.
type Meta struct {
	From         string            `json:"from"`
	CapturedAt   time.Time         `json:"captured_at"`
	MasterKey    string            `json:"master_key"`
	BootstrapKey string            `json:"bootstrap_key"`
	SecondKey    string            `json:"second_key"`
	Receivers    map[string]string `json:"receivers"` // role → address
	Endpoints    map[string]string `json:"endpoints"` // role → whe_ id
	Secrets      map[string]string `json:"secrets"`   // role → whsec_ secret; "retrying_old" is the rotated-out one
	Headers      map[string]string `json:"headers"`   // the headers endpoint's static headers
	ScriptID     string            `json:"script_id"` // two versions; the endpoint runs the latest
	ConnectionID string            `json:"connection_id"`
	SlackToken   string            `json:"slack_token"`
	CustomType   string            `json:"custom_type"`
	BackfillID   string            `json:"backfill_id"`
	Events       []string          `json:"events"`                    // every event id the bootstrap key published, in order
	SecondEvent  string            `json:"second_event"`              // the second account's one event
	Idempotency  map[string]string `json:"idempotency"`               // Idempotency-Key → event id
	Bodies       map[string]string `json:"idempotency_bodies"`        // Idempotency-Key → body sent
	Retrying     []string          `json:"retrying_events"`           // sent to the hanging receiver: retrying or in flight at the kill
	Succeeded    []string          `json:"succeeded_deliveries"`      // dlv_ ids delivered before the kill, with their attempts
	InFlight     string            `json:"in_flight_idempotency_key"` // a POST …/test still running at the kill
	InFlightPath string            `json:"in_flight_path"`
	InFlightBody string            `json:"in_flight_body"`
	Keys         int               `json:"keys"`
}

func main() {
	from := flag.String("from", "37c217d", "the commit to capture")
	oldDir := flag.String("old", "", "an already built worktree of -from (bin/bellhop, bin/plugins) to use instead of building one")
	out := flag.String("out", "cmd/bellhop/testdata/upgrade", "the folder to write the fixture to")
	flag.Parse()
	if err := capture(*from, *oldDir, *out); err != nil {
		fmt.Fprintln(os.Stderr, "capture:", err)
		os.Exit(1)
	}
}

func capture(from, oldDir, out string) error {
	ctx := context.Background()
	if oldDir == "" {
		dir, cleanup, err := buildOld(from)
		defer cleanup()
		if err != nil {
			return err
		}
		oldDir = dir
	}
	url := os.Getenv("REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		return err
	}
	rdb := redis.NewClient(opts)
	prefix := "bhcapture:" + randomHex(6) + ":"
	defer deletePrefix(ctx, rdb, prefix)

	rcv := startReceivers()
	defer rcv.close()

	hub, base, err := startOld(oldDir, url, prefix)
	if err != nil {
		return err
	}
	defer func() {
		if hub.ProcessState == nil {
			hub.Process.Kill()
			hub.Wait()
		}
	}()
	m := &Meta{From: from, MasterKey: masterKey, BootstrapKey: bootstrapKey, Receivers: map[string]string{
		"headers": addrHeaders, "transform": addrTransform, "retrying": addrRetrying, "disabled": addrDisabled,
		"backfill": addrBackfill, "slack": addrSlack, "second": addrSecond,
	}, Endpoints: map[string]string{}, Secrets: map[string]string{}, Idempotency: map[string]string{}, Bodies: map[string]string{}}
	if err := populate(base, oldDir, url, prefix, m, rcv); err != nil {
		fmt.Fprintf(os.Stderr, "hub output:\n%s\n", hubOut.String())
		return err
	}
	hub.Process.Signal(syscall.SIGKILL)
	hub.Wait()

	m.CapturedAt = time.Now().UTC()
	var buf bytes.Buffer
	if m.Keys, err = redistest.DumpPrefix(ctx, rdb, prefix, &buf); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "fixture-"+from+".jsonl"), buf.Bytes(), 0o644); err != nil {
		return err
	}
	meta, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(filepath.Join(out, "fixture-"+from+".json"), append(meta, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Printf("captured %d keys (%d bytes) from %s\n", m.Keys, buf.Len(), from)
	return nil
}

// buildOld checks out from in a temporary worktree and builds the hub and
// its plugins there; cleanup removes the worktree.
func buildOld(from string) (string, func(), error) {
	dir, err := os.MkdirTemp("", "bellhop-old-")
	if err != nil {
		return "", func() {}, err
	}
	cleanup := func() {
		exec.Command("git", "worktree", "remove", "--force", dir).Run()
		os.RemoveAll(dir)
	}
	steps := [][]string{
		{"git", "worktree", "add", "--detach", dir, from},
		{"go", "build", "-o", filepath.Join(dir, "bin", "bellhop"), "./cmd/bellhop"},
		{"make", "-C", dir, "plugins"},
	}
	for i, s := range steps {
		cmd := exec.Command(s[0], s[1:]...)
		if i == 1 {
			cmd.Dir = dir
		}
		if b, err := cmd.CombinedOutput(); err != nil {
			return "", cleanup, fmt.Errorf("%s: %v\n%s", strings.Join(s, " "), err, b)
		}
	}
	return dir, cleanup, nil
}

var hubOut syncBuffer

func oldEnv(url, prefix string) []string {
	return append(os.Environ(), "REDIS_URL="+url, "BELLHOP_REDIS_PREFIX="+prefix,
		"BELLHOP_MASTER_KEY="+masterKey, "BELLHOP_BOOTSTRAP_KEY="+bootstrapKey)
}

func startOld(dir, url, prefix string) (*exec.Cmd, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(filepath.Join(dir, "bin", "bellhop"), "serve")
	cmd.Env = append(oldEnv(url, prefix), "BELLHOP_ADDR="+addr,
		"BELLHOP_PLUGIN_DIR="+filepath.Join(dir, "bin", "plugins"), "BELLHOP_LOG_LEVEL=warn",
		"BELLHOP_RETRY_SCHEDULE=0s,1s,1s,1s,1s,1s,1s,1s", "BELLHOP_REQUEST_TIMEOUT=2s", "BELLHOP_CONNECT_TIMEOUT=1s")
	cmd.Stdout, cmd.Stderr = &hubOut, &hubOut
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	base := "http://" + addr
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return cmd, base, nil
			}
		}
	}
	return cmd, base, fmt.Errorf("the old hub did not become ready:\n%s", hubOut.String())
}

// api calls the hub with key and decodes the answer into out; a status
// other than want is an error.
func api(base, key, method, path string, body any, want int, out any, header ...string) error {
	var rd io.Reader
	if s, ok := body.(string); ok {
		rd = strings.NewReader(s)
	} else if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, base+path, rd)
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s = %d, want %d: %s", method, path, resp.StatusCode, want, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

type created struct {
	ID     string `json:"id"`
	Secret string `json:"secret"`
}

func populate(base, oldDir, url, prefix string, m *Meta, rcv *receivers) error {
	call := func(method, path string, body any, want int, out any, header ...string) error {
		return api(base, bootstrapKey, method, path, body, want, out, header...)
	}
	m.CustomType = "spa.treatment_booked"
	if err := call("POST", "/v1/event_types", map[string]any{
		"type": m.CustomType, "description": "A guest booked a spa treatment.",
		"schema": json.RawMessage(`{"type":"object","properties":{"id":{"type":"string"},"treatment":{"type":"string"}},"required":["id","treatment"]}`),
		"sample": json.RawMessage(`{"id":"spa_1","treatment":"massage"}`),
	}, 201, nil); err != nil {
		return err
	}
	var script created
	if err := call("POST", "/v1/scripts", map[string]any{"name": "stamp", "source": `function transform(event) { return {stamped: "v1", id: event.id, type: event.type}; }`}, 201, &script); err != nil {
		return err
	}
	m.ScriptID = script.ID
	if err := call("POST", "/v1/scripts/"+script.ID, map[string]any{"source": `function transform(event) { return {stamped: "v2", id: event.id, type: event.type}; }`}, 200, nil); err != nil {
		return err
	}

	// Events for the backfill to replay, published before its endpoint exists.
	samples := map[string]json.RawMessage{}
	publish := func(key, typ string, header ...string) (string, error) {
		if samples[typ] == nil {
			var t struct{ Sample json.RawMessage }
			if err := call("GET", "/v1/event_types/"+typ, nil, 200, &t); err != nil {
				return "", err
			}
			samples[typ] = t.Sample
		}
		body := fmt.Sprintf(`{"type":%q,"property_id":"prop_fixture","data":{"object":%s}}`, typ, samples[typ])
		var ev created
		if err := api(base, key, "POST", "/v1/events", body, 201, &ev, header...); err != nil {
			return "", err
		}
		if len(header) == 2 {
			m.Idempotency[header[1]], m.Bodies[header[1]] = ev.ID, body
		}
		if key == bootstrapKey {
			m.Events = append(m.Events, ev.ID)
		}
		return ev.ID, nil
	}
	for range 12 {
		if _, err := publish(bootstrapKey, "guest.updated"); err != nil {
			return err
		}
	}

	endpoints := []struct {
		role string
		body map[string]any
	}{
		{"headers", map[string]any{"url": "http://" + addrHeaders + "/hooks", "enabled_events": []string{"reservation.created", "spa.treatment_booked"},
			"headers": map[string]string{"X-Hotel": "aurora", "Authorization": "Bearer fixture-header-token"}}},
		{"transform", map[string]any{"url": "http://" + addrTransform + "/hooks", "enabled_events": []string{"reservation.created"}, "transform_script_id": script.ID}},
		{"retrying", map[string]any{"url": "http://" + addrRetrying + "/hooks", "enabled_events": []string{"reservation.created"}}},
		{"disabled", map[string]any{"url": "http://" + addrDisabled + "/hooks", "enabled_events": []string{"reservation.created"}, "disabled": true}},
		{"backfill", map[string]any{"url": "http://" + addrBackfill + "/hooks", "enabled_events": []string{"guest.updated"}, "rate_limit": 2}},
	}
	for _, e := range endpoints {
		var ep created
		if err := call("POST", "/v1/webhook_endpoints", e.body, 201, &ep); err != nil {
			return err
		}
		m.Endpoints[e.role], m.Secrets[e.role] = ep.ID, ep.Secret
	}
	m.Headers = map[string]string{"X-Hotel": "aurora", "Authorization": "Bearer fixture-header-token"}
	var rotated created
	if err := call("POST", "/v1/webhook_endpoints/"+m.Endpoints["retrying"]+"/rotate_secret", map[string]any{"grace_period": 7 * 24 * 3600}, 200, &rotated); err != nil {
		return err
	}
	m.Secrets["retrying_old"], m.Secrets["retrying"] = m.Secrets["retrying"], rotated.Secret

	m.SlackToken = "xoxb-7777-8888-upgradefixturetoken"
	var conn created
	if err := call("POST", "/v1/connections", map[string]any{"connector": "slack", "name": "Front desk",
		"config":         map[string]any{"token": m.SlackToken, "channel": "C0FIXTURE", "api_base_url": "http://" + addrSlack + "/api/"},
		"enabled_events": []string{"reservation.created"}}, 201, &conn); err != nil {
		return err
	}
	m.ConnectionID = conn.ID

	for i := range 3 {
		key := fmt.Sprintf("fixture-reservation-%d", i)
		id, err := publish(bootstrapKey, "reservation.created", "Idempotency-Key", key)
		if err != nil {
			return err
		}
		m.Retrying = append(m.Retrying, id)
	}
	if _, err := publish(bootstrapKey, m.CustomType); err != nil {
		return err
	}

	// The second account: a key made by `bellhop keys create`, as an operator would.
	cmd := exec.Command(filepath.Join(oldDir, "bin", "bellhop"), "keys", "create", "--account-name", "Hotel Borealis", "--name", "second",
		"--redis-url", url, "--redis-prefix", prefix)
	cmd.Env = oldEnv(url, prefix)
	b, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("keys create: %v\n%s", err, b)
	}
	sm := regexp.MustCompile(`secret:\s+(bh_test_\S+)`).FindSubmatch(b)
	if sm == nil {
		return fmt.Errorf("keys create printed no secret:\n%s", b)
	}
	m.SecondKey = string(sm[1])
	var ep2 created
	if err := api(base, m.SecondKey, "POST", "/v1/webhook_endpoints", map[string]any{"url": "http://" + addrSecond + "/hooks", "enabled_events": []string{"guest.created"}}, 201, &ep2); err != nil {
		return err
	}
	m.Endpoints["second"], m.Secrets["second"] = ep2.ID, ep2.Secret
	if m.SecondEvent, err = publish(m.SecondKey, "guest.created"); err != nil {
		return err
	}

	// Wait for the healthy receivers, so that succeeded deliveries and their
	// attempts are in the fixture.
	if err := rcv.wait(map[string]int{addrHeaders: 4, addrTransform: 3, addrSlack: 3, addrSecond: 1}, 20*time.Second); err != nil {
		return err
	}
	var list struct {
		Data []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"data"`
	}
	if err := call("GET", "/v1/webhook_endpoints/"+m.Endpoints["headers"]+"/deliveries", nil, 200, &list); err != nil {
		return err
	}
	for _, d := range list.Data {
		if d.Status == "succeeded" {
			m.Succeeded = append(m.Succeeded, d.ID)
		}
	}

	var bf created
	if err := call("POST", "/v1/webhook_endpoints/"+m.Endpoints["backfill"]+"/backfill", map[string]any{
		"since": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), "event_types": []string{"guest.updated"}}, 202, &bf); err != nil {
		return err
	}
	m.BackfillID = bf.ID
	if err := rcv.wait(map[string]int{addrBackfill: 4}, 20*time.Second); err != nil {
		return err
	}
	// Two more for the hanging receiver, in flight when the hub dies.
	for i := 3; i < 5; i++ {
		id, err := publish(bootstrapKey, "reservation.created", "Idempotency-Key", fmt.Sprintf("fixture-reservation-%d", i))
		if err != nil {
			return err
		}
		m.Retrying = append(m.Retrying, id)
	}
	time.Sleep(300 * time.Millisecond)
	// An Idempotency-Key claim in flight: an endpoint test that waits on
	// the hanging receiver (request timeout 2s) when the hub dies.
	m.InFlight, m.InFlightPath = "fixture-in-flight", "/v1/webhook_endpoints/"+m.Endpoints["retrying"]+"/test"
	m.InFlightBody = `{"event_type":"reservation.created"}`
	go call("POST", m.InFlightPath, m.InFlightBody, 200, nil, "Idempotency-Key", m.InFlight)
	time.Sleep(500 * time.Millisecond)
	if n := rcv.count(addrBackfill); n >= 12 {
		return fmt.Errorf("the backfill finished (%d of 12) before the kill", n)
	}
	return nil
}

// receivers answer on the fixture's loopback addresses.
type receivers struct {
	mu   sync.Mutex
	seen map[string]int
	srvs []*http.Server
	hang chan struct{}
}

func startReceivers() *receivers {
	r := &receivers{seen: map[string]int{}, hang: make(chan struct{})}
	for _, addr := range []string{addrHeaders, addrTransform, addrRetrying, addrDisabled, addrBackfill, addrSlack, addrSecond} {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, "capture:", err)
			os.Exit(1)
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			io.Copy(io.Discard, req.Body)
			r.mu.Lock()
			r.seen[addr]++
			r.mu.Unlock()
			switch addr {
			case addrRetrying:
				select {
				case <-r.hang:
				case <-req.Context().Done():
				}
			case addrSlack:
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"ok":true,"channel":"C0FIXTURE","ts":"%d.000100"}`, time.Now().Unix())
			}
		})}
		go srv.Serve(ln)
		r.srvs = append(r.srvs, srv)
	}
	return r
}

func (r *receivers) count(addr string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen[addr]
}

func (r *receivers) wait(want map[string]int, within time.Duration) error {
	for deadline := time.Now().Add(within); ; time.Sleep(50 * time.Millisecond) {
		short := ""
		for addr, n := range want {
			if got := r.count(addr); got < n {
				short += fmt.Sprintf(" %s %d/%d", addr, got, n)
			}
		}
		if short == "" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("receivers short of deliveries:%s\n%s", short, hubOut.String())
		}
	}
}

func (r *receivers) close() {
	close(r.hang)
	for _, s := range r.srvs {
		s.Close()
	}
}

func deletePrefix(ctx context.Context, rdb *redis.Client, prefix string) {
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		rdb.Unlink(ctx, iter.Val())
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

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
