package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core/signature"
)

// forwardTarget is the user's local app: it keeps what listen forwards.
type forwardTarget struct {
	mu     sync.Mutex
	bodies [][]byte
	sigs   []string
}

func (f *forwardTarget) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bodies = append(f.bodies, b)
	f.sigs = append(f.sigs, r.Header.Get("Bellhop-Signature"))
	w.WriteHeader(http.StatusAccepted)
}

func (f *forwardTarget) received() ([][]byte, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([][]byte(nil), f.bodies...), append([]string(nil), f.sigs...)
}

// jsonLines decodes listen's output, one JSON object a line.
func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var v map[string]any
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("listen printed a line that is not JSON: %q", sc.Text())
		}
		lines = append(lines, v)
	}
	return lines
}

func findLine(lines []map[string]any, key string, val any) map[string]any {
	for _, l := range lines {
		if l[key] == val {
			return l
		}
	}
	return nil
}

func TestListenVerifiesForwardsAndCleansUp(t *testing.T) {
	h := startHub(t, nil)
	app := &forwardTarget{}
	appSrv := httptest.NewServer(app)
	defer appSrv.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env := map[string]string{"BELLHOP_API_URL": h.base, "BELLHOP_API_KEY": testBootstrapKey}
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"listen", "--events", "guest.created", "--forward-to", appSrv.URL},
			func(k string) string { return env[k] }, &out)
	}()
	var ready map[string]any
	waitFor(t, "listen's ready line", func() bool {
		ready = findLine(jsonLines(t, out.String()), "ready", true)
		return ready != nil
	})
	secret, endpoint := ready["secret"].(string), ready["endpoint"].(string)

	ev := mustCLI(t, h, "trigger", "guest.created")
	id := ev["id"].(string)
	var line map[string]any
	waitFor(t, "listen's line for "+id, func() bool {
		line = findLine(jsonLines(t, out.String()), "id", id)
		return line != nil
	})
	if line["verified"] != true || line["type"] != "guest.created" || line["forward_status"] != float64(202) {
		t.Errorf("listen line = %v, want guest.created verified and forwarded with 202", line)
	}
	bodies, sigs := app.received()
	if len(bodies) != 1 || !strings.Contains(string(bodies[0]), id) {
		t.Fatalf("the app got %d bodies, want the one event %s", len(bodies), id)
	}
	if err := signature.Verify(secret, sigs[0], bodies[0], 0); err != nil {
		t.Errorf("the forwarded delivery does not verify under the printed secret: %v", err)
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("listen returned %v after its context ended", err)
	}
	if !strings.Contains(out.String(), "deleted the temporary endpoint "+endpoint) {
		t.Errorf("listen did not report deleting %s:\n%s", endpoint, out.String())
	}
	if _, err := cli(t, h, "endpoints", "get", endpoint); err == nil {
		t.Errorf("endpoint %s still exists after listen ended", endpoint)
	}
}

func TestListenChecksEachSignature(t *testing.T) {
	secret, other := signature.NewSecret(), signature.NewSecret()
	body := []byte(`{"id":"evt_1","type":"guest.created"}`)
	signed := func(prefix, key string) http.Header {
		return signature.Signer{Prefix: prefix}.Headers([]string{key}, "evt_1", time.Now(), body)
	}
	cases := []struct {
		name       string
		header     http.Header
		wantStatus int
		wantText   string
	}{
		{"signed", signed("Bellhop", secret), http.StatusOK, "evt_1  verified"},
		{"another prefix", signed("SwiftGuest", secret), http.StatusOK, "evt_1  verified"},
		{"during a rotation", signature.Signer{}.Headers([]string{other, secret}, "evt_1", time.Now(), body), http.StatusOK, "evt_1  verified"},
		{"no signature", http.Header{}, http.StatusBadRequest, "NOT VERIFIED"},
		{"wrong secret", signed("Bellhop", other), http.StatusBadRequest, "NOT VERIFIED"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out syncBuffer
			l := &listener{secret: secret, out: newEventPrinter(&out, true)}
			req := httptest.NewRequest("POST", "/webhooks", bytes.NewReader(body))
			maps.Copy(req.Header, c.header)
			rec := httptest.NewRecorder()
			l.receive(rec, req)
			if rec.Code != c.wantStatus || !strings.Contains(out.String(), c.wantText) {
				t.Errorf("status %d, printed %q; want %d and %q", rec.Code, out.String(), c.wantStatus, c.wantText)
			}
		})
	}
}

func TestListenRefusesALiveKey(t *testing.T) {
	env := map[string]string{"BELLHOP_API_URL": "http://127.0.0.1:9", "BELLHOP_API_KEY": "bh_live_" + strings.Repeat("x", 32)}
	var out syncBuffer
	err := run(context.Background(), []string{"listen"}, func(k string) string { return env[k] }, &out)
	if err == nil || !strings.Contains(err.Error(), "test key") {
		t.Fatalf("listen with a live key = %v, want a refusal asking for a test key", err)
	}
}
