package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
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
	"testing"
	"time"

	"github.com/bellhop/bellhop/core/redistest"
)

// These tests run the real binary and kill it, or its Redis, in the middle
// of a load: nothing acknowledged may be lost. They take seconds, so -short
// skips them.

// buildBellhop builds the binary once per test run.
var buildBellhop = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "bellhop-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "bellhop")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// hubProcess is a `bellhop serve` child process.
type hubProcess struct {
	t    *testing.T
	cmd  *exec.Cmd
	base string
	env  []string
	out  *syncBuffer
}

// startHubProcess starts a hub on redisURL under prefix; env adds or
// overrides settings (NAME=value).
func startHubProcess(t *testing.T, redisURL, prefix string, env ...string) *hubProcess {
	t.Helper()
	if _, err := buildBellhop(); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	h := &hubProcess{t: t, base: "http://" + addr, out: &syncBuffer{}, env: append(os.Environ(),
		"BELLHOP_ADDR="+addr, "REDIS_URL="+redisURL, "BELLHOP_REDIS_PREFIX="+prefix,
		"BELLHOP_MASTER_KEY="+base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 32)),
		"BELLHOP_BOOTSTRAP_KEY="+testBootstrapKey, "BELLHOP_RETRY_SCHEDULE=0s,200ms,500ms,1s,1s,1s,1s,1s",
		"BELLHOP_PLUGIN_DIR="+t.TempDir(), "BELLHOP_LOG_LEVEL=warn",
		// Entries of a killed hub are claimed after 2×timeout+5s.
		"BELLHOP_REQUEST_TIMEOUT=1s", "BELLHOP_CONNECT_TIMEOUT=1s")}
	h.env = append(h.env, env...)
	h.start()
	t.Cleanup(func() { h.kill() })
	return h
}

func (h *hubProcess) start() {
	h.t.Helper()
	bin, _ := buildBellhop()
	h.cmd = exec.Command(bin, "serve")
	h.cmd.Env = h.env
	h.cmd.Stdout, h.cmd.Stderr = h.out, h.out
	if err := h.cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(25 * time.Millisecond) {
		if resp, err := http.Get(h.base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
	}
	h.t.Fatalf("hub did not become ready:\n%s", h.out.String())
}

// kill sends SIGKILL: no drain, no goodbye.
func (h *hubProcess) kill() {
	if h.cmd != nil && h.cmd.ProcessState == nil {
		h.cmd.Process.Signal(syscall.SIGKILL)
		h.cmd.Wait()
	}
}

func (h *hubProcess) call(method, path string, body any, header ...string) (int, []byte, error) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, h.base+path, bytes.NewReader(b))
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	req.Header.Set("Authorization", "Bearer "+testBootstrapKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out, nil
}

// countingReceiver counts the deliveries of each event id.
type countingReceiver struct {
	url  string
	mu   sync.Mutex
	seen map[string]int
}

func newCountingReceiver(t *testing.T) *countingReceiver {
	r := &countingReceiver{seen: map[string]int{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var ev struct{ ID string }
		json.NewDecoder(req.Body).Decode(&ev)
		r.mu.Lock()
		r.seen[ev.ID]++
		r.mu.Unlock()
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	r.url = "http://" + ln.Addr().String() + "/webhooks"
	return r
}

// missing returns the ids not received yet and the duplicate count.
func (r *countingReceiver) missing(ids []string) (missing []string, duplicates int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range ids {
		switch n := r.seen[id]; {
		case n == 0:
			missing = append(missing, id)
		case n > 1:
			duplicates += n - 1
		}
	}
	return missing, duplicates
}

func (r *countingReceiver) waitAll(t *testing.T, ids []string, within time.Duration) int {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		missing, dups := r.missing(ids)
		if len(missing) == 0 {
			return dups
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d acknowledged events never arrived, e.g. %v", len(missing), len(ids), missing[:min(3, len(missing))])
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// publishLoad publishes n events from several goroutines and returns the ids
// the hub acknowledged (2xx). Errors are expected while the hub is down.
func publishLoad(h *hubProcess, n int) []string {
	var (
		mu  sync.Mutex
		ids []string
		wg  sync.WaitGroup
	)
	jobs := make(chan int)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				code, body, err := h.call("POST", "/v1/events", map[string]any{
					"type": "guest.created", "property_id": "prop_8hJk3m",
					"data": map[string]any{"object": guestObject(i)},
				})
				if err != nil || code/100 != 2 {
					continue
				}
				var ev struct{ ID string }
				json.Unmarshal(body, &ev)
				mu.Lock()
				ids = append(ids, ev.ID)
				mu.Unlock()
			}
		}()
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return ids
}

func guestObject(i int) map[string]any {
	return map[string]any{
		"id": fmt.Sprintf("gst_crash%d", i), "first_name": "Ada", "last_name": "Lovelace",
		"email": fmt.Sprintf("ada%d@example.com", i), "marketing_opt_in": false, "created_at": "2026-04-13T14:22:30Z",
	}
}

func createEndpoint(t *testing.T, h *hubProcess, url string) {
	t.Helper()
	code, body, err := h.call("POST", "/v1/webhook_endpoints", map[string]any{"url": url, "enabled_events": []string{"guest.created"}})
	if err != nil || code != 201 {
		t.Fatalf("create endpoint: %d %s %v", code, body, err)
	}
}

func TestKillDashNineMidLoadLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills the real binary")
	}
	r := redistest.New(t)
	hub := startHubProcess(t, r.URL, r.Prefix)
	rcv := newCountingReceiver(t)
	createEndpoint(t, hub, rcv.url)

	var ids []string
	done := make(chan struct{})
	go func() { ids = publishLoad(hub, 3000); close(done) }()
	time.Sleep(200 * time.Millisecond) // mid-load
	select {
	case <-done:
		t.Fatal("the load finished before the kill: raise the event count")
	default:
	}
	hub.kill()
	<-done
	acked := len(ids)
	hub.start()
	more := publishLoad(hub, 100) // the restarted hub takes new work too
	ids = append(ids, more...)

	dups := rcv.waitAll(t, ids, 60*time.Second)
	t.Logf("%d events acknowledged before the kill, %d after; all delivered; %d duplicates", acked, len(more), dups)
	if acked == 0 {
		t.Fatal("the kill came before any publish was acknowledged: the test proved nothing")
	}
}

func TestRedisRestartMidLoadLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills a real redis-server")
	}
	server, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not installed; CI has it")
	}
	dir := t.TempDir()
	port := strings.TrimPrefix(freeAddr(t), "127.0.0.1:")
	startRedis := func() *exec.Cmd {
		cmd := exec.Command(server, "--port", port, "--bind", "127.0.0.1", "--dir", dir,
			"--appendonly", "yes", "--appendfsync", "always", "--save", "")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 100; i++ {
			if c, err := net.Dial("tcp", "127.0.0.1:"+port); err == nil {
				c.Close()
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		return cmd
	}
	redis := startRedis()
	t.Cleanup(func() { redis.Process.Kill(); redis.Wait() })

	hub := startHubProcess(t, "redis://127.0.0.1:"+port+"/0", "bh:")
	rcv := newCountingReceiver(t)
	createEndpoint(t, hub, rcv.url)

	var ids []string
	done := make(chan struct{})
	go func() { ids = publishLoad(hub, 3000); close(done) }()
	time.Sleep(200 * time.Millisecond)
	select {
	case <-done:
		t.Fatal("the load finished before the kill: raise the event count")
	default:
	}
	redis.Process.Signal(syscall.SIGKILL) // the harshest restart: no shutdown save
	redis.Wait()
	time.Sleep(500 * time.Millisecond)
	redis = startRedis()
	<-done

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for ctx.Err() == nil { // the hub reconnects by itself
		if code, _, _ := hub.call("GET", "/readyz", nil); code == 200 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	dups := rcv.waitAll(t, ids, 60*time.Second)
	t.Logf("%d events acknowledged around a Redis kill -9 and restart; all delivered; %d duplicates", len(ids), dups)
	if len(ids) == 0 {
		t.Fatal("no publish was acknowledged: the test proved nothing")
	}
}
