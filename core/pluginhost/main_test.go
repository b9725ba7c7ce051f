package pluginhost_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core/pluginhost"
	"github.com/bellhop/bellhop/plugins/plugintest"
)

// built holds the plugin binaries TestMain builds: connector name to path.
var built map[string]string

// helperDirEnv makes the test binary act as a tiny hub (see runHelperHost).
const helperDirEnv = "BELLHOP_PLUGINHOST_TEST_HELPER_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(helperDirEnv); dir != "" {
		runHelperHost(dir)
		return
	}
	var cleanup func()
	var err error
	built, cleanup, err = plugintest.BuildAll(pluginhost.BinaryPrefix, map[string]string{
		"echo": "github.com/bellhop/bellhop/examples/connector-echo",
		"test": "github.com/bellhop/bellhop/plugins/internal/testplugin",
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	cleanup()
	os.Exit(code)
}

// runHelperHost is a hub that starts the echo plugin of dir, prints its pid
// and waits to be killed.
func runHelperHost(dir string) {
	m := pluginhost.New(pluginhost.Config{Dir: dir})
	if _, err := m.Connector(context.Background(), "echo"); err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("pid", m.List(context.Background())[0].Pid)
	select {}
}

// pluginDir returns a fresh plugin directory holding the named built plugins.
func pluginDir(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		link(t, built[n], filepath.Join(dir, pluginhost.BinaryPrefix+n))
	}
	return dir
}

func link(t *testing.T, from, to string) {
	t.Helper()
	if err := os.Link(from, to); err != nil {
		b, rerr := os.ReadFile(from)
		if rerr != nil {
			t.Fatal(rerr)
		}
		if err := os.WriteFile(to, b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

func newManager(t *testing.T, cfg pluginhost.Config) *pluginhost.Manager {
	t.Helper()
	m := pluginhost.New(cfg)
	t.Cleanup(func() { m.Close() })
	return m
}

func testCtx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// alive reports whether pid is a live (not zombie) process.
func alive(pid int) bool {
	b, err := os.ReadFile(filepath.Join("/proc", fmt.Sprint(pid), "stat"))
	if err != nil {
		return false
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	return !strings.HasPrefix(rest, "Z")
}

// pluginChildren lists the live plugin processes whose parent is this one.
func pluginChildren(t *testing.T) []int {
	t.Helper()
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var pids []int
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var pid, ppid int
		var comm, state string
		// pid (comm) state ppid ...; plugin names have no spaces
		if _, err := fmt.Sscanf(string(b), "%d %s %s %d", &pid, &comm, &state, &ppid); err != nil {
			continue
		}
		if ppid == os.Getpid() && state != "Z" && strings.HasPrefix(comm, "(bellhop-conn") {
			pids = append(pids, pid)
		}
	}
	return pids
}

// waitFor polls cond for up to 10 s, for things that happen asynchronously
// (a killed process disappearing).
func waitFor(t *testing.T, cond func() bool, msg func() string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal(msg())
}
