package bellhop_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bellhop "github.com/bellhop/bellhop/sdk/go"
)

// The SDK's end-to-end tests run against a real hub: `bellhop serve` as a
// child process, as an integrator runs it. BELLHOP_BIN names a built binary
// (make test passes bin/bellhop); without it the tests build one from this
// checkout once per run. With REDIS_URL set the hub uses that Redis under a
// prefix of its own; without it, its embedded one.

// hubBinary returns the bellhop binary, built once per test run when
// BELLHOP_BIN does not name one.
var hubBinary = sync.OnceValues(func() (string, error) {
	if bin := os.Getenv("BELLHOP_BIN"); bin != "" {
		return bin, nil
	}
	dir, err := os.MkdirTemp("", "bellhop-sdk-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "bellhop")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/bellhop")
	cmd.Dir = "../.."
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/bellhop: %v\n%s", err, out)
	}
	return bin, nil
})

// hub is a running `bellhop serve` and a client of it.
type hub struct {
	URL    string
	Key    string
	Client *bellhop.Client
}

// startHub starts a hub with a fresh test key, waits for /healthz and
// kills it when the test ends.
func startHub(t *testing.T) *hub {
	t.Helper()
	bin, err := hubBinary()
	if err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	h := &hub{URL: "http://" + addr, Key: "bh_test_" + rand.Text()[:26] + "sdkgo0"}
	env := append(os.Environ(),
		"BELLHOP_ADDR="+addr,
		"BELLHOP_BOOTSTRAP_KEY="+h.Key,
		"BELLHOP_PLUGIN_DIR="+t.TempDir(),
		"BELLHOP_LOG_LEVEL=warn",
	)
	if os.Getenv("REDIS_URL") != "" {
		key := make([]byte, 32)
		_, _ = rand.Read(key)
		env = append(env, "BELLHOP_REDIS_PREFIX=sdkgo:"+rand.Text()[:12]+":",
			"BELLHOP_MASTER_KEY="+base64.StdEncoding.EncodeToString(key))
	}
	out := &syncBuffer{}
	cmd := exec.Command(bin, "serve")
	cmd.Env, cmd.Stdout, cmd.Stderr = env, out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("hub output:\n%s", out.String())
		}
	})
	waitHealthy(t, h.URL+"/healthz", out)
	h.Client, err = bellhop.NewClient(h.Key, bellhop.WithBaseURL(h.URL))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func waitHealthy(t *testing.T, url string, out *syncBuffer) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(25 * time.Millisecond) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
	}
	t.Fatalf("the hub did not answer %s:\n%s", url, out.String())
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

// syncBuffer collects the hub's output from its goroutines.
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

// delivery is one webhook request a receiver got.
type delivery struct {
	Header http.Header
	Body   []byte
}

// receiver is a webhook endpoint on 127.0.0.1 that answers 200 and hands
// every request it gets to the test.
type receiver struct {
	URL        string
	deliveries chan delivery
}

func startReceiver(t *testing.T) *receiver {
	t.Helper()
	r := &receiver{deliveries: make(chan delivery, 64)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.deliveries <- delivery{Header: req.Header.Clone(), Body: body}
	}))
	t.Cleanup(srv.Close)
	r.URL = srv.URL + "/webhooks"
	return r
}

// next returns the next delivery, failing the test if none comes in time.
func (r *receiver) next(t *testing.T) delivery {
	t.Helper()
	select {
	case d := <-r.deliveries:
		return d
	case <-time.After(30 * time.Second):
		t.Fatal("no delivery reached the receiver")
		return delivery{}
	}
}

// eventually waits until cond holds, failing the test after 30 seconds
// with what it was waiting for.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
	}
}
