package main

import (
	"bufio"
	"context"
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
	prev := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && line == "```sh":
			cur = &readmeBlock{line: n}
			if why, ok := strings.CutPrefix(prev, readmeSkip); ok {
				cur.skip = strings.TrimSpace(strings.TrimSuffix(why, "-->"))
			}
		case cur != nil && line == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.text += line + "\n"
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
	if testing.Short() {
		t.Skip("builds the receiver and the CLI and runs the README's walkthrough")
	}
	if _, err := exec.LookPath("curl"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the README's walkthrough needs curl, and CI=true: apt-get install -y curl")
		}
		t.Skip("the README's walkthrough needs curl: apt-get install -y curl")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	blocks := readmeShellBlocks(t, filepath.Join(root, "README.md"))
	checkEventTypeCount(t, blocks)

	h := startHub(t, map[string]string{"BELLHOP_BOOTSTRAP_KEY": readmeDevKey})
	hubAddr := strings.TrimPrefix(h.base, "http://")
	receiverAddr := freeAddr(t)

	var script strings.Builder
	script.WriteString("set -eo pipefail\n")
	ran := 0
	for _, b := range blocks {
		if b.skip != "" {
			t.Logf("README.md:%d: not run: %s", b.line, b.skip)
			continue
		}
		ran++
		text := strings.NewReplacer("127.0.0.1:8080", hubAddr, "127.0.0.1:3000", receiverAddr).Replace(b.text)
		fmt.Fprintf(&script, "echo '>>> README.md:%d'\n%s", b.line, text)
	}
	if ran < 4 {
		t.Fatalf("only %d README blocks run; the walkthrough, batch, command line and scripts blocks should", ran)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script.String())
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "BELLHOP_API_URL="+h.base, "BELLHOP_API_KEY=")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // so that the blocks' background jobs die with it
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	out, err := cmd.CombinedOutput()
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // a job a failed block left behind
	}
	if err != nil {
		t.Fatalf("the README's shell blocks failed: %v\n%s", err, lastBlock(string(out)))
	}
	// What the README says the reader sees.
	for _, want := range []string{
		`"received":"evt_`,                // the walkthrough's receiver verified a delivery
		`"param":"data.object`,            // the error names what was wrong
		`"param":"events[1].data.object.`, // the batch refuses its second event alone
		`"ready":true`,                    // listen registered its endpoint
		"ATTEMPTS",                        // deliveries get shows the attempts
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the README's blocks did not print %s\n%s", want, out)
		}
	}
	if strings.Contains(string(out), `"rejected"`) {
		t.Errorf("the receiver rejected a signature:\n%s", out)
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
