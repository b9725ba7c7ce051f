package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core/catalog"
)

// readmeSkip marks a README shell block the test does not run, with why:
// <!-- readme-test: skip: needs a Slack workspace's bot token -->
const readmeSkip = "<!-- readme-test: skip: "

// readmeDevKey is the key `make run` creates, which the README exports.
const readmeDevKey = "bh_test_LocalDevelopmentKeyForBellhop0000"

type readmeBlock struct {
	line int // of the opening fence
	text string
	skip string // why not run; "" to run
}

// readmeShellBlocks returns the ```sh blocks of a Markdown file in order.
func readmeShellBlocks(t *testing.T, path string) []readmeBlock {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var blocks []readmeBlock
	var cur *readmeBlock
	prev, indent := "", ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case cur == nil && trimmed == "```sh": // also indented, in a list item
			cur = &readmeBlock{line: n}
			indent = line[:strings.Index(line, "`")]
			if why, ok := strings.CutPrefix(prev, readmeSkip); ok {
				cur.skip = strings.TrimSpace(strings.TrimSuffix(why, "-->"))
			}
		case cur != nil && trimmed == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.text += strings.TrimPrefix(line, indent) + "\n"
		}
		if strings.TrimSpace(line) != "" {
			prev = strings.TrimSpace(line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if cur != nil {
		t.Fatalf("%s: the block opened at line %d is never closed", path, cur.line)
	}
	return blocks
}

// TestREADMEShellBlocks runs the README's shell blocks, in order and in one
// bash (the walkthrough's variables carry on into the command line, as in
// the reader's terminal), against a hub started like `make run`, so that
// the README stays true as written. A block that cannot run here says why
// in a readme-test skip comment. Two rewrites make it run beside other
// tests: the hub's and the receiver's fixed ports become free ones, and
// BELLHOP_API_URL points the CLI at the hub. bash runs with -e and
// pipefail, and the README's curl options fail on an HTTP error, so a
// command that fails fails the test.
func TestREADMEShellBlocks(t *testing.T) {
	root := readmeRoot(t)
	blocks := readmeShellBlocks(t, filepath.Join(root, "README.md"))
	checkEventTypeCount(t, blocks)
	if n := countRun(blocks); n < 4 {
		t.Fatalf("only %d README blocks run; the walkthrough, batch, command line and scripts blocks should", n)
	}

	h := startHub(t, map[string]string{"BELLHOP_BOOTSTRAP_KEY": readmeDevKey})
	out := runShellBlocks(t, root, h, blocks)
	// What the README says the reader sees.
	for _, want := range []string{
		`"received":"evt_`,                // the walkthrough's receiver verified a delivery
		`"param":"data.object`,            // the error names what was wrong
		`"param":"events[1].data.object.`, // the batch refuses its second event alone
		`"ready":true`,                    // listen registered its endpoint
		"ATTEMPTS",                        // deliveries get shows the attempts
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the README's blocks did not print %s\n%s", want, out)
		}
	}
	if strings.Contains(out, `"rejected"`) {
		t.Errorf("the receiver rejected a signature:\n%s", out)
	}
}

// readmeRoot is the repository's root, once the tools the README's blocks
// use are known to be there.
func readmeRoot(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds binaries and runs the README's blocks against a hub")
	}
	if _, err := exec.LookPath("curl"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the README's blocks need curl, and CI=true: apt-get install -y curl")
		}
		t.Skip("the README's blocks need curl: apt-get install -y curl")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func countRun(blocks []readmeBlock) int {
	n := 0
	for _, b := range blocks {
		if b.skip == "" {
			n++
		}
	}
	return n
}

// runShellBlocks runs the blocks not marked skip in one bash from the
// repository's root against h, and returns what they printed; a block
// that fails fails t with its output.
func runShellBlocks(t *testing.T, root string, h *hubUnderTest, blocks []readmeBlock, env ...string) string {
	t.Helper()
	hubAddr := strings.TrimPrefix(h.base, "http://")
	receiverAddr := freeAddr(t)
	var script strings.Builder
	script.WriteString("set -eo pipefail\n")
	for _, b := range blocks {
		if b.skip != "" {
			t.Logf("line %d: not run: %s", b.line, b.skip)
			continue
		}
		text := strings.NewReplacer("127.0.0.1:8080", hubAddr, "127.0.0.1:3000", receiverAddr).Replace(b.text)
		fmt.Fprintf(&script, "echo '>>> line %d'\n%s", b.line, text)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script.String())
	cmd.Dir = root
	cmd.Env = append(append(os.Environ(), "BELLHOP_API_URL="+h.base, "BELLHOP_API_KEY="), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // so that the blocks' background jobs die with it
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	out, err := cmd.CombinedOutput()
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // a job a failed block left behind
	}
	if err != nil {
		t.Fatalf("the shell blocks failed: %v\n%s", err, lastBlock(string(out)))
	}
	return string(out)
}

// TestConnectorEchoREADME follows examples/connector-echo from nothing to
// GET /v1/connectors: build the plugin into the hub's plugin directory and
// see it listed, running. The reader exported the key make run printed.
func TestConnectorEchoREADME(t *testing.T) {
	root := readmeRoot(t)
	blocks := readmeShellBlocks(t, filepath.Join(root, "examples/connector-echo/README.md"))
	if n := countRun(blocks); n < 2 {
		t.Fatalf("only %d blocks run; the build and the curl should", n)
	}
	h := startHub(t, map[string]string{"BELLHOP_BOOTSTRAP_KEY": readmeDevKey, "BELLHOP_PLUGIN_DIR": filepath.Join(root, "bin/plugins")})
	out := runShellBlocks(t, root, h, blocks, "BELLHOP_API_KEY="+readmeDevKey)
	var list struct {
		Data []struct{ Name, State, Error string }
	}
	if i := strings.Index(out, `{"object":"list"`); i < 0 || json.NewDecoder(strings.NewReader(out[i:])).Decode(&list) != nil {
		t.Fatalf("no connector list in the output:\n%s", out)
	}
	for _, c := range list.Data {
		if c.Name == "echo" {
			if c.State != "running" {
				t.Errorf("echo is listed as %s: %s", c.State, c.Error)
			}
			return
		}
	}
	t.Errorf("echo is not listed:\n%s", out)
}

// TestEveryREADMEBlockRunsOrSaysWhy: a README's shell block is either run
// by a test here or marked with why it is not, so none goes stale unseen.
func TestEveryREADMEBlockRunsOrSaysWhy(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	run := map[string]bool{"README.md": true, "examples/connector-echo/README.md": true}
	out, err := exec.Command("git", "-C", root, "ls-files", "*README.md").Output()
	if err != nil {
		t.Skipf("git ls-files: %v (not a git checkout)", err)
	}
	for _, name := range strings.Fields(string(out)) {
		if run[name] {
			continue
		}
		for _, b := range readmeShellBlocks(t, filepath.Join(root, name)) {
			if b.skip == "" {
				t.Errorf("%s:%d: a shell block no test runs; run it in readme_test.go or mark it %s<why> -->", name, b.line, readmeSkip)
			}
		}
	}
}

// checkEventTypeCount holds the README's "N event types" to the catalog.
func checkEventTypeCount(t *testing.T, blocks []readmeBlock) {
	cat, err := catalog.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(\d+) event types`)
	found := false
	for _, b := range blocks {
		for _, m := range re.FindAllStringSubmatch(b.text, -1) {
			found = true
			if n, _ := strconv.Atoi(m[1]); n != len(cat.Shipped()) {
				t.Errorf("README.md:%d says %s event types; the catalog ships %d", b.line, m[1], len(cat.Shipped()))
			}
		}
	}
	if !found {
		t.Error("the README's walkthrough no longer counts the event types; drop this check with it")
	}
}

// lastBlock trims the output to the block that failed and what it printed.
func lastBlock(out string) string {
	if i := strings.LastIndex(out, ">>> README.md:"); i >= 0 {
		return out[i:]
	}
	return out
}
