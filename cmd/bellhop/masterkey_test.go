package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/redistest"
	"github.com/bellhop/bellhop/core/secretbox"
	"github.com/bellhop/bellhop/core/signature"
)

// keyOf returns a test master key made of one repeated byte, and its box.
func keyOf(t *testing.T, b byte) (string, *secretbox.Box) {
	t.Helper()
	key := bytes.Repeat([]byte{b}, 32)
	box, err := secretbox.New(key)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(key), box
}

// wrongKeyMessage is what a hub started with a key that does not open the
// secrets sealed with key id must say.
func wrongKeyMessage(keyID string) string {
	return "BELLHOP_MASTER_KEY does not open the secrets this Redis holds (sealed with key id " + keyID +
		"); start with the key they were sealed with, or rotate with bellhop keys rotate-master"
}

// snapshot returns every key under r's prefix with its type and, for
// strings and hashes, its value: enough to see that nothing was written.
func snapshot(t *testing.T, r *redistest.Redis) map[string]string {
	t.Helper()
	ctx := context.Background()
	keys, err := r.Client.Keys(ctx, r.Prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, k := range keys {
		typ := r.Client.Type(ctx, k).Val()
		switch typ {
		case "string":
			out[k] = r.Client.Get(ctx, k).Val()
		case "hash":
			b, _ := json.Marshal(r.Client.HGetAll(ctx, k).Val())
			out[k] = string(b)
		default:
			out[k] = typ
		}
	}
	return out
}

// runServe runs `bellhop serve` with env and returns its error, for a hub
// that must refuse to start.
func runServe(t *testing.T, env map[string]string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return run(ctx, []string{"serve"}, func(k string) string { return env[k] }, io.Discard)
}

func TestServeRefusesAWrongMasterKeyAndWritesNothing(t *testing.T) {
	r := redistest.New(t)
	_, right := keyOf(t, 7) // testMasterKey
	wrongKey, _ := keyOf(t, 8)

	h := startHubOn(t, r, nil) // the first start writes the check value
	if code, body := h.do(t, "POST", "/v1/webhook_endpoints", `{"url":"https://example.com/hook","enabled_events":["*"]}`); code != 201 {
		t.Fatalf("create endpoint = %d %s", code, body)
	}
	h.stop(t)

	before := snapshot(t, r)
	// Another bootstrap key too: a start that got that far would store it.
	env := hubEnv(t, r, map[string]string{"BELLHOP_MASTER_KEY": wrongKey, "BELLHOP_BOOTSTRAP_KEY": testBootstrapKey + "x"})
	err := runServe(t, env)
	if err == nil || err.Error() != wrongKeyMessage(right.KeyID()) {
		t.Fatalf("serve with a wrong key = %v\nwant %s", err, wrongKeyMessage(right.KeyID()))
	}
	if after := snapshot(t, r); !maps.Equal(before, after) {
		t.Fatalf("a refused start wrote to Redis:\nbefore %v\nafter  %v", before, after)
	}

	h = startHubOn(t, r, nil)
	if code, body := h.do(t, "GET", "/v1/webhook_endpoints", ""); code != 200 || !strings.Contains(body, "example.com") {
		t.Fatalf("after a restart with the right key: %d %s", code, body)
	}
}

func TestServeWrongMasterKeyExitsNonZero(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin, err := buildBellhop()
	if err != nil {
		t.Fatal(err)
	}
	r := redistest.New(t)
	_, right := keyOf(t, 7)
	startHubOn(t, r, nil).stop(t)

	wrongKey, _ := keyOf(t, 8)
	cmd := exec.Command(bin, "serve")
	for k, v := range hubEnv(t, r, map[string]string{"BELLHOP_MASTER_KEY": wrongKey}) {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("serve with a wrong key exited with %v, want non-zero\n%s", err, out)
	}
	if !strings.Contains(string(out), wrongKeyMessage(right.KeyID())) || strings.Contains(string(out), wrongKey) {
		t.Fatalf("output = %s\nwant the message, and never the key", out)
	}
}

func TestServeUpgradeChecksAnExistingSecret(t *testing.T) {
	r := redistest.New(t)
	ctx := context.Background()
	rightKey, right := keyOf(t, 7)
	wrongKey, _ := keyOf(t, 8)
	// A release before the check value sealed an endpoint secret.
	old := redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix, Sealer: right})
	acct, err := old.CreateAccount(ctx, "upgrade")
	if err != nil {
		t.Fatal(err)
	}
	ep := &core.Endpoint{ID: "we_old", Object: "webhook_endpoint", URL: "https://example.com/hook", EnabledEvents: []string{"*"}, CreatedAt: time.Now()}
	if err := old.SaveEndpoint(ctx, core.Scope{AccountID: acct.ID}, ep, []core.EndpointSecret{{Secret: "whsec_old"}}); err != nil {
		t.Fatal(err)
	}

	before := snapshot(t, r)
	if err := runServe(t, hubEnv(t, r, map[string]string{"BELLHOP_MASTER_KEY": wrongKey})); err == nil || err.Error() != wrongKeyMessage(right.KeyID()) {
		t.Fatalf("upgrade with a wrong key = %v", err)
	}
	if after := snapshot(t, r); !maps.Equal(before, after) {
		t.Fatalf("a refused upgrade wrote to Redis:\nbefore %v\nafter  %v", before, after)
	}
	startHubOn(t, r, map[string]string{"BELLHOP_MASTER_KEY": rightKey}).stop(t)
	if id := r.Client.HGet(ctx, r.Prefix+"meta:masterkey", "key_id").Val(); id != right.KeyID() {
		t.Fatalf("check value after the upgrade names key id %q, want %q", id, right.KeyID())
	}
}

// signedReceiver records the deliveries it gets with their signature header.
type signedReceiver struct {
	url string
	mu  sync.Mutex
	got []signedDelivery
}

type signedDelivery struct {
	body      []byte
	signature string
}

func newSignedReceiver(t *testing.T) *signedReceiver {
	rcv := &signedReceiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		rcv.mu.Lock()
		rcv.got = append(rcv.got, signedDelivery{b, req.Header.Get("Bellhop-Signature")})
		rcv.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	rcv.url = srv.URL
	return rcv
}

func (r *signedReceiver) deliveries() []signedDelivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]signedDelivery(nil), r.got...)
}

func TestRotateMasterStoppedResumedThenServe(t *testing.T) {
	r := redistest.New(t)
	ctx := context.Background()
	oldKey, oldBox := keyOf(t, 7)
	newKey, newBox := keyOf(t, 11)

	// A hub with the old key: an endpoint whose secret was rotated (the
	// first still signs, in grace), one more endpoint, and a connection.
	h := startHubOn(t, r, nil)
	rcv := newSignedReceiver(t)
	var secrets []string
	var epID string
	for i, path := range []string{"/v1/webhook_endpoints", "", "/v1/webhook_endpoints"} {
		req := `{"url":"` + rcv.url + `","enabled_events":["guest.created"]}`
		if path == "" {
			path, req = "/v1/webhook_endpoints/"+epID+"/rotate_secret", `{}`
		}
		code, body := h.do(t, "POST", path, req)
		var ep struct{ ID, Secret string }
		if json.Unmarshal([]byte(body), &ep); code/100 != 2 || !strings.HasPrefix(ep.Secret, "whsec_") {
			t.Fatalf("step %d: %d %s", i, code, body)
		}
		if i == 0 {
			epID = ep.ID
		}
		secrets = append(secrets, ep.Secret)
	}
	h.stop(t)
	oldStore := redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix, Sealer: oldBox})
	scope := core.Scope{AccountID: defaultAccount}
	conn := &core.Connection{ID: "conn_rot", Object: "connection", Connector: "slack", Name: "rot",
		Config: map[string]any{"channel": "C1"}, EnabledEvents: []string{"none.such"}, CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if err := oldStore.SaveConnection(ctx, scope, conn, map[string]string{"token": "xoxb-rotation-token"}); err != nil {
		t.Fatal(err)
	}

	// The rotation is killed after one record.
	stopped, stop := context.WithCancel(ctx)
	_, err := oldStore.RotateMasterKey(stopped, oldBox, newBox, redisstore.RotateOptions{OnResealed: func(string) { stop() }})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("stopped rotation = %v", err)
	}
	for _, key := range []string{oldKey, newKey} {
		if err := runServe(t, hubEnv(t, r, map[string]string{"BELLHOP_MASTER_KEY": key})); err == nil || !strings.Contains(err.Error(), "rotation from key id "+oldBox.KeyID()+" to key id "+newBox.KeyID()+" has not finished") {
			t.Fatalf("serve mid-rotation = %v, want a refusal naming the rotation", err)
		}
	}

	// Run again, as the operator would, through the command.
	var out bytes.Buffer
	env := map[string]string{"REDIS_URL": r.URL, "BELLHOP_REDIS_PREFIX": r.Prefix, "BELLHOP_MASTER_KEY": oldKey, "BELLHOP_NEW_MASTER_KEY": newKey}
	if err := run(ctx, []string{"keys", "rotate-master"}, func(k string) string { return env[k] }, &out); err != nil {
		t.Fatalf("rotate-master: %v\n%s", err, out.String())
	}
	if s := out.String(); !strings.Contains(s, "continued a stopped rotation: re-sealed 2 more records") || strings.Contains(s, oldKey) || strings.Contains(s, newKey) {
		t.Fatalf("rotate-master said:\n%s", s)
	}

	if err := runServe(t, hubEnv(t, r, nil)); err == nil || err.Error() != wrongKeyMessage(newBox.KeyID()) {
		t.Fatalf("serve with the old key after the rotation = %v", err)
	}
	h = startHubOn(t, r, map[string]string{"BELLHOP_MASTER_KEY": newKey})
	event := `{"type":"guest.created","property_id":"prop_8hJk3m","data":{"object":` + guestSample(t, h) + `}}`
	if code, body := h.do(t, "POST", "/v1/events", event); code != 201 {
		t.Fatalf("publish = %d %s", code, body)
	}
	waitFor(t, "both endpoints to get the event", func() bool { return len(rcv.deliveries()) == 2 })
	verified := map[string]bool{}
	for _, d := range rcv.deliveries() {
		for _, sec := range secrets {
			if signature.Verify(sec, d.signature, d.body, 0) == nil {
				verified[sec] = true
			}
		}
	}
	if len(verified) != len(secrets) {
		t.Fatalf("deliveries verify with %d of the %d original secrets", len(verified), len(secrets))
	}
	newStore := redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix, Sealer: newBox})
	if _, creds, err := newStore.ConnectionSecrets(ctx, scope, "conn_rot"); err != nil || creds["token"] != "xoxb-rotation-token" {
		t.Fatalf("connection credentials after the rotation: %v", err)
	}
}
