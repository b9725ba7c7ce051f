package pluginhost_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/pluginhost"
	"github.com/bellhop/bellhop/plugins"
)

func TestDirFromEnv(t *testing.T) {
	for _, tc := range []struct{ env, want string }{{"", "bin/plugins"}, {"/opt/p", "/opt/p"}} {
		got := pluginhost.DirFromEnv(func(string) string { return tc.env })
		if got != tc.want {
			t.Errorf("env %q: got %q, want %q", tc.env, got, tc.want)
		}
	}
}

func TestList(t *testing.T) {
	dir := pluginDir(t, "echo")
	junk := filepath.Join(dir, "bellhop-connector-junk")
	if err := os.WriteFile(junk, []byte("#!/bin/sh\necho junk junk junk\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	link(t, "/bin/true", filepath.Join(dir, "bellhop-connector-true"))
	link(t, built["test"], filepath.Join(dir, "bellhop-connector-misnamed")) // says it is "test"
	link(t, built["echo"], filepath.Join(dir, "not-a-connector"))
	if err := os.Mkdir(filepath.Join(dir, "bellhop-connector-dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	m := newManager(t, pluginhost.Config{Dir: dir, StartTimeout: 5 * time.Second})

	got := m.List(testCtx(t))
	want := []struct {
		name  string
		state pluginhost.State
		err   string
	}{
		{"echo", pluginhost.StateRunning, ""},
		{"junk", pluginhost.StateError, junk + " is not a Bellhop connector plugin"},
		{"misnamed", pluginhost.StateError, `describes itself as connector "test"`},
		{"true", pluginhost.StateError, "bellhop-connector-true is not a Bellhop connector plugin"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d connectors %+v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Name != w.name || g.State != w.state || !strings.Contains(g.Error, w.err) || (w.err == "") != (g.Error == "") {
			t.Errorf("connector %d: got %s %s %q, want %s %s %q", i, g.Name, g.State, g.Error, w.name, w.state, w.err)
		}
	}
	if d := got[0].Description; d.Name != "echo" || d.Version != "1.0.0" || len(d.Fields) != 2 || got[0].Pid == 0 {
		t.Errorf("echo: got %+v", got[0])
	}
	if len(pluginChildren(t)) != 1 {
		t.Errorf("refused binaries must not keep running: children %v", pluginChildren(t))
	}
}

func TestConnectorErrors(t *testing.T) {
	dir := pluginDir(t, "echo")
	link(t, "/bin/true", filepath.Join(dir, "bellhop-connector-true"))
	m := newManager(t, pluginhost.Config{Dir: dir, StartTimeout: 5 * time.Second})
	for _, tc := range []struct{ name, code, msg string }{
		{"nope", core.ENOTFOUND, "No such connector: 'nope'"},
		{"true", core.EUNAVAILABLE, "bellhop-connector-true is not a Bellhop connector plugin"},
	} {
		_, err := m.Connector(testCtx(t), tc.name)
		if core.ErrorCode(err) != tc.code || !strings.Contains(core.ErrorMessage(err), tc.msg) {
			t.Errorf("%s: got %v, want %s %q", tc.name, err, tc.code, tc.msg)
		}
	}
	m.Close()
	if _, err := m.Connector(testCtx(t), "echo"); core.ErrorCode(err) != core.EUNAVAILABLE {
		t.Errorf("after Close: got %v, want EUNAVAILABLE", err)
	}
}

// TestRoundTrip: the managed echo plugin answers every method like the
// in-process connector does (see examples/connector-echo's own test).
func TestRoundTrip(t *testing.T) {
	m := newManager(t, pluginhost.Config{Dir: pluginDir(t, "echo")})
	ctx := testCtx(t)
	c, err := m.Connector(ctx, "echo")
	if err != nil {
		t.Fatal(err)
	}
	if d, err := c.Describe(ctx); err != nil || d.Name != "echo" {
		t.Errorf("Describe: %+v, %v", d, err)
	}
	if errs, err := c.Validate(ctx, plugins.Config{"greeting": "yo"}); err != nil || len(errs) != 1 || errs[0].Field != "greeting" {
		t.Errorf("Validate: %v, %v", errs, err)
	}
	if _, err := c.Check(ctx, plugins.Config{"greeting": "hi"}); err != nil {
		t.Errorf("Check: %v", err)
	}
	r, err := c.Deliver(ctx, plugins.Config{"greeting": "hi"}, json.RawMessage(`{"a":1}`))
	if err != nil || r != echoResult(`{"a":1}`, "hi") {
		t.Errorf("Deliver: got %+v, %v; want %+v", r, err, echoResult(`{"a":1}`, "hi"))
	}
	opts, err := plugins.Options(ctx, c, nil, "greeting")
	if err != nil || len(opts) != 3 || opts[2].Value != "ahoy" {
		t.Errorf("Options: %v, %v", opts, err)
	}
}

// echoResult is what the echo connector answers for input.
func echoResult(input, greeting string) plugins.Result {
	sum := sha256.Sum256([]byte(input))
	return plugins.Result{Outcome: plugins.Delivered, ExternalID: hex.EncodeToString(sum[:8]),
		Summary: fmt.Sprintf("%s: %d bytes", greeting, len(input))}
}

func TestHotDiscovery(t *testing.T) {
	dir := t.TempDir()
	m := newManager(t, pluginhost.Config{Dir: dir})
	if got := m.List(testCtx(t)); len(got) != 0 {
		t.Fatalf("empty dir: got %+v", got)
	}
	link(t, built["echo"], filepath.Join(dir, "bellhop-connector-echo"))
	if got := m.List(testCtx(t)); len(got) != 1 || got[0].State != pluginhost.StateRunning {
		t.Fatalf("after build: got %+v", got)
	}
	os.Remove(filepath.Join(dir, "bellhop-connector-echo"))
	if got := m.List(testCtx(t)); len(got) != 0 {
		t.Errorf("after removal: got %+v", got)
	}
	waitFor(t, func() bool { return len(pluginChildren(t)) == 0 }, func() string { return "removed plugin still runs" })
}

// TestKillDuringLoad kills the plugin with SIGKILL while workers deliver:
// calls that fail say so with a retryable error, the manager restarts the
// plugin, and every delivery succeeds on retry.
func TestKillDuringLoad(t *testing.T) {
	m := newManager(t, pluginhost.Config{Dir: pluginDir(t, "echo")})
	ctx := testCtx(t)
	c, err := m.Connector(ctx, "echo")
	if err != nil {
		t.Fatal(err)
	}
	oldPid := m.List(ctx)[0].Pid
	const workers, each = 4, 100
	var (
		mu       sync.Mutex
		failures []error
		done     = map[string]plugins.Result{}
		wg       sync.WaitGroup
	)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				in := fmt.Sprintf(`{"worker":%d,"n":%d}`, w, i)
				for attempt := 0; attempt < 100; attempt++ {
					r, err := c.Deliver(ctx, plugins.Config{"greeting": "hi"}, json.RawMessage(in))
					mu.Lock()
					if err != nil {
						failures = append(failures, err)
					} else {
						done[in] = r
					}
					mu.Unlock()
					if err == nil {
						break
					}
					time.Sleep(10 * time.Millisecond)
				}
				if w == 0 && i == each/4 {
					syscall.Kill(oldPid, syscall.SIGKILL)
				}
			}
		})
	}
	wg.Wait()
	if len(done) != workers*each {
		t.Fatalf("delivered %d of %d", len(done), workers*each)
	}
	for in, r := range done {
		if r != echoResult(in, "hi") {
			t.Fatalf("%s: got %+v", in, r)
		}
	}
	for _, err := range failures {
		if core.ErrorCode(err) != core.EUNAVAILABLE {
			t.Errorf("a failed call must be retryable (EUNAVAILABLE), got %v", err)
		}
	}
	info := m.List(ctx)[0]
	if info.Pid == oldPid || info.Restarts != 1 || info.State != pluginhost.StateRunning {
		t.Errorf("after the kill: got %+v, want a new process and 1 restart", info)
	}
	t.Logf("%d calls failed during the restart and were retried", len(failures))
}

func TestHangingDeliverTimesOut(t *testing.T) {
	m := newManager(t, pluginhost.Config{Dir: pluginDir(t, "test"), CallTimeout: 300 * time.Millisecond})
	ctx := testCtx(t)
	c, err := m.Connector(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	pid := m.List(ctx)[0].Pid
	_, err = c.Deliver(ctx, nil, json.RawMessage(`{"sleep":60000000000}`))
	if core.ErrorCode(err) != core.EUNAVAILABLE || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want a retryable timeout", err)
	}
	r, err := c.Deliver(ctx, nil, json.RawMessage(`{}`))
	if err != nil || r.Outcome != plugins.Delivered {
		t.Errorf("next call: %+v, %v", r, err)
	}
	if got := m.List(ctx)[0].Pid; got != pid {
		t.Errorf("a plugin that still answers pings is kept: pid %d became %d", pid, got)
	}
}

// TestCrashBackoff: the first crash restarts at once, a second in a row waits.
func TestCrashBackoff(t *testing.T) {
	m := newManager(t, pluginhost.Config{Dir: pluginDir(t, "test"), MinBackoff: time.Hour})
	ctx := testCtx(t)
	c, err := m.Connector(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		input string
		code  string
		state pluginhost.State
	}{
		{`{"exit":true}`, core.EUNAVAILABLE, pluginhost.StateCrashed},
		{`{}`, "", pluginhost.StateRunning}, // restarted at once
		{`{"exit":true}`, core.EUNAVAILABLE, pluginhost.StateCrashed},
		{`{}`, core.EUNAVAILABLE, pluginhost.StateCrashed}, // backing off
	}
	for i, s := range steps {
		_, err := c.Deliver(ctx, nil, json.RawMessage(s.input))
		if core.ErrorCode(err) != s.code {
			t.Fatalf("step %d %s: got %v, want code %q", i, s.input, err, s.code)
		}
		if s.state == pluginhost.StateCrashed {
			waitFor(t, func() bool { return m.List(ctx)[0].State == s.state }, func() string {
				return fmt.Sprintf("step %d: state %s, want %s", i, m.List(ctx)[0].State, s.state)
			})
		} else if got := m.List(ctx)[0].State; got != s.state {
			t.Fatalf("step %d: state %s, want %s", i, got, s.state)
		}
	}
	if _, err := c.Deliver(ctx, nil, json.RawMessage(`{}`)); !strings.Contains(core.ErrorMessage(err), "restarting") {
		t.Errorf("message %q should say the connector is restarting", core.ErrorMessage(err))
	}
}

func TestHealthCheckRestarts(t *testing.T) {
	m := newManager(t, pluginhost.Config{Dir: pluginDir(t, "echo")})
	ctx := testCtx(t)
	if _, err := m.Connector(ctx, "echo"); err != nil {
		t.Fatal(err)
	}
	old := m.List(ctx)[0].Pid
	syscall.Kill(old, syscall.SIGKILL)
	waitFor(t, func() bool { return !alive(old) }, func() string { return "plugin survived SIGKILL" })
	m.HealthCheck(ctx)
	info := m.List(ctx)[0]
	if info.State != pluginhost.StateRunning || info.Pid == old || !alive(info.Pid) {
		t.Errorf("after HealthCheck: %+v, want a new running process", info)
	}
}

func TestCloseLeavesNoProcess(t *testing.T) {
	m := pluginhost.New(pluginhost.Config{Dir: pluginDir(t, "echo", "test")})
	infos := m.List(testCtx(t))
	if len(infos) != 2 || len(pluginChildren(t)) != 2 {
		t.Fatalf("got %+v and children %v, want 2 running", infos, pluginChildren(t))
	}
	m.Close()
	if got := pluginChildren(t); len(got) != 0 {
		t.Errorf("after Close, plugin processes %v remain", got)
	}
	for _, i := range infos {
		if alive(i.Pid) {
			t.Errorf("%s (pid %d) still alive", i.Name, i.Pid)
		}
	}
}

// TestHubKilledLeavesNoPlugin runs a tiny hub (this test binary, see
// runHelperHost), kills it with SIGKILL, and checks that its plugin dies too.
func TestHubKilledLeavesNoPlugin(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a hub process")
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperDirEnv+"="+pluginDir(t, "echo"))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, _ := bufio.NewReader(out).ReadString('\n')
	var pid int
	if _, err := fmt.Sscanf(line, "pid %d", &pid); err != nil || !alive(pid) {
		t.Fatalf("helper hub said %q", line)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	waitFor(t, func() bool { return !alive(pid) }, func() string { return fmt.Sprintf("plugin %d outlived its hub", pid) })
}

// States reports each plugin as it stands and starts none: the health
// recorder calls it every few seconds.
func TestStatesStartsNothing(t *testing.T) {
	dir := pluginDir(t, "echo")
	link(t, "/bin/true", filepath.Join(dir, "bellhop-connector-true"))
	m := newManager(t, pluginhost.Config{Dir: dir, StartTimeout: 5 * time.Second})

	got := m.States()
	if len(got) != 2 || got[0].Name != "echo" || got[0].State != pluginhost.StateAvailable || got[1].State != pluginhost.StateAvailable {
		t.Fatalf("States before any use = %+v", got)
	}
	if n := len(pluginChildren(t)); n != 0 {
		t.Fatalf("States started %d plugins", n)
	}
	m.List(testCtx(t)) // starts and describes them
	got = m.States()
	if got[0].State != pluginhost.StateRunning || got[0].Description.Name != "echo" || got[1].State != pluginhost.StateError {
		t.Fatalf("States after List = %+v", got)
	}
}
