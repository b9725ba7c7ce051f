// Capture builds Bellhop as of an older commit, runs it on a fresh prefix of
// a real Redis, gives it a bit of everything it stores (keys of two
// accounts, endpoints, a rotated secret, a connection, a script with two
// versions, a custom event type, events, succeeded, retrying and in-flight
// deliveries, a backfill half-way, an idempotent request in flight), kills
// it with SIGKILL and writes every key under the prefix to
// fixture-<commit>.jsonl, and what it made (ids, secrets, addresses) to
// fixture-<commit>.json, for TestUpgradeFromFixture. It lives under testdata
// so that ./... (go vet, go test) leaves it alone: it runs on demand only.
//
// From the repository root:
//
//	go run ./cmd/bellhop/testdata/upgrade/capture -from 37c217d
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
	p := &populator{base: base, oldDir: oldDir, url: url, prefix: prefix, m: m, rcv: rcv, samples: map[string]json.RawMessage{}}
	if err := p.run(); err != nil {
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
