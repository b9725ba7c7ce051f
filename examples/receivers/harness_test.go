package receivers

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// startWait bounds how long a receiver may take to say it is listening, and
// how long a test waits for a line it expects: bounds, not assertions.
const startWait = 60 * time.Second

// process is a receiver running as a child process, and what it printed.
type process struct {
	url string

	mu      sync.Mutex
	records []map[string]any
	changed chan struct{}
}

// start runs cmd with env added and waits until it prints
// "listening on <url>". The process is killed when the test ends.
func start(t *testing.T, cmd *exec.Cmd, env ...string) *process {
	t.Helper()
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = &testWriter{t: t}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", cmd.Path, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	p := &process{changed: make(chan struct{}, 1)}
	listening := make(chan string, 1)
	go p.read(stdout, listening)
	select {
	case p.url = <-listening:
	case <-time.After(startWait):
		t.Fatalf("%s did not print \"listening on\" within %s", cmd.Path, startWait)
	}
	return p
}

// read collects the JSON lines the receiver prints.
func (p *process) read(r io.Reader, listening chan<- string) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if url, ok := strings.CutPrefix(line, "listening on "); ok {
			listening <- url
			continue
		}
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) != nil {
			continue
		}
		p.mu.Lock()
		p.records = append(p.records, rec)
		p.mu.Unlock()
		select {
		case p.changed <- struct{}{}:
		default:
		}
	}
}

// waitFor waits until the receiver has printed a record with key: value.
func (p *process) waitFor(ctx context.Context, key, value string) bool {
	for {
		if p.has(key, value) {
			return true
		}
		select {
		case <-p.changed:
		case <-ctx.Done():
			return p.has(key, value)
		}
	}
}

func (p *process) has(key, value string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, rec := range p.records {
		if rec[key] == value {
			return true
		}
	}
	return false
}

// testWriter sends a child's stderr to the test log.
type testWriter struct{ t *testing.T }

func (w *testWriter) Write(b []byte) (int, error) {
	w.t.Logf("stderr: %s", strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// needTool skips the test when name is not installed.
func needTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed; this receiver is tested where it is (CI has it)", name)
	}
	return path
}

// runOrFail runs a build step and fails the test with its output.
func runOrFail(t *testing.T, ctx context.Context, dir, name string, args ...string) {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// pythonReceiver returns how to start the Python receiver with env added to
// its environment; it skips t when python3 is missing.
func pythonReceiver(t *testing.T) func(t *testing.T, env ...string) *process {
	python := needTool(t, "python3")
	return func(t *testing.T, env ...string) *process {
		cmd := exec.Command(python, "server.py")
		cmd.Dir = "python"
		return start(t, cmd, append(env, "PORT=0", "PYTHONDONTWRITEBYTECODE=1")...)
	}
}

// nodeReceiver compiles the unchanged verify.ts and server.ts with tsc into
// a temporary folder, so a test never runs a stale build, and returns how to
// start it with env added to its environment; it skips t when node or npm
// is missing.
func nodeReceiver(t *testing.T) func(t *testing.T, env ...string) *process {
	node := needTool(t, "node")
	npm := needTool(t, "npm")
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	if _, err := os.Stat("node/node_modules/typescript/bin/tsc"); err != nil {
		runOrFail(t, ctx, "node", npm, "ci", "--no-audit", "--no-fund")
	}
	out := t.TempDir()
	runOrFail(t, ctx, "node", node, "node_modules/typescript/bin/tsc", "-p", ".", "--outDir", out)
	return func(t *testing.T, env ...string) *process {
		return start(t, exec.Command(node, filepath.Join(out, "server.js")), append(env, "PORT=0")...)
	}
}
