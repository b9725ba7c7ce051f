// Package browsertest drives a real Chromium for the console's end-to-end
// tests, through github.com/chromedp/chromedp.
//
// Tests that need a browser call New. Without Chromium they skip with one
// line saying how to install it, except under CI=true, where a missing
// browser fails the test: CI installs it (.ci/run), and a skipped browser
// test there would hide a broken console.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// candidates are the names Chromium goes by on the machines we run on.
var candidates = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// Path returns the Chromium binary: $BELLHOP_CHROMIUM, or the first of
// candidates on $PATH; "" when there is none.
func Path() string {
	if p := os.Getenv("BELLHOP_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range candidates {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Browser is one headless Chromium tab. Ctx is the chromedp context to run
// actions on.
type Browser struct {
	Ctx context.Context

	mu       sync.Mutex
	problems []string
}

// Problems returns what the pages wrote to the console as errors: uncaught
// exceptions, failed loads, and every Content-Security-Policy violation,
// which Chromium reports as an error ("Refused to execute inline script…").
func (b *Browser) Problems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.problems...)
}

func (b *Browser) watchConsole() {
	for m, err := range chromedp.Console(b.Ctx) {
		if err != nil {
			return
		}
		if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
			b.mu.Lock()
			b.problems = append(b.problems, m.String())
			b.mu.Unlock()
		}
	}
}

// New starts a headless Chromium for t and returns its tab, with a window
// of width×height CSS pixels. The browser is stopped when t ends; every
// action on it must finish within timeout.
func New(t testing.TB, width, height int, timeout time.Duration) *Browser {
	t.Helper()
	path := Path()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("Chromium is not installed, and CI=true: .ci/run installs it (apt-get install -y chromium)")
		}
		t.Skip("needs Chromium: apt-get install -y chromium (or set BELLHOP_CHROMIUM)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
		chromedp.NoSandbox, // tests run as root in containers
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		// The machine's network is closed: without these Chromium keeps
		// dialling Google for updates and sync.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(alloc, chromedp.WithErrorf(t.Logf))
	// Start the browser now, so that a broken install fails here, clearly.
	if err := chromedp.Do(ctx); err != nil {
		cancelTab()
		cancelAlloc()
		t.Fatalf("start Chromium (%s): %v", path, err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() { cancelTimeout(); cancelTab(); cancelAlloc() })
	b := &Browser{Ctx: ctx}
	go b.watchConsole()
	return b
}
