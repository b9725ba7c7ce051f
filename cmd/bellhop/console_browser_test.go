package main

// End-to-end tests of the console in a real Chromium (core/console/browsertest)
// against a real `bellhop serve`: what an operator does, click by click.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	_ "image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bellhop/bellhop/core/console/browsertest"
)

// ownerPassword is the password of the owner the browser tests create.
const ownerPassword = "a long and unusual passphrase"

var setupLinkPattern = regexp.MustCompile(`Console:\s+(http://\S+/setup\?token=\S+)`)

// setupLink is the one-time link the hub printed at start-up.
func setupLink(t *testing.T, h *hubUnderTest) string {
	t.Helper()
	m := setupLinkPattern.FindStringSubmatch(h.out.String())
	if m == nil {
		t.Fatalf("the hub printed no setup link:\n%s", h.out.String())
	}
	return m[1]
}

// newOwner opens the printed setup link in the browser and creates the
// first owner, who is then signed in.
func newOwner(t *testing.T, b *browsertest.Browser, h *hubUnderTest, email string) {
	t.Helper()
	err := chromedp.Do(b.Ctx,
		chromedp.Navigate(setupLink(t, h)),
		chromedp.SendKeys("#email", email),
		chromedp.SendKeys("#password", ownerPassword),
		chromedp.SendKeys("#password_confirm", ownerPassword),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`.who`),
	)
	if err != nil {
		t.Fatalf("first-owner setup: %v", err)
	}
}

// noProblems fails t with every console error or CSP violation the pages
// reported.
func noProblems(t *testing.T, b *browsertest.Browser) {
	t.Helper()
	for _, p := range b.Problems() {
		t.Errorf("browser console: %s", p)
	}
}

func TestConsoleFirstOwnerSetsUpFromThePrintedLink(t *testing.T) {
	h := startHub(t, nil)
	b := browsertest.New(t, 1280, 900, 90*time.Second)
	newOwner(t, b, h, "owner@hotel.example")

	who, err := chromedp.Run(b.Ctx, chromedp.Text(`.who`))
	if err != nil || !strings.Contains(who, "owner@hotel.example") || !strings.Contains(who, "owner") {
		t.Fatalf("signed in as %q (%v), want the new owner", who, err)
	}

	// The link is spent: a second visitor cannot become an owner with it.
	b2 := browsertest.New(t, 1280, 900, 60*time.Second)
	err = chromedp.Do(b2.Ctx,
		chromedp.Navigate(setupLink(t, h)),
		chromedp.SendKeys("#email", "intruder@hotel.example"),
		chromedp.SendKeys("#password", ownerPassword),
		chromedp.SendKeys("#password_confirm", ownerPassword),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`.alert.error`),
	)
	if err != nil {
		t.Fatalf("second use of the setup link: %v", err)
	}
	msg, _ := chromedp.Run(b2.Ctx, chromedp.Text(`.alert.error`))
	t.Logf("second use refused: %s", msg)
	noProblems(t, b)
}

// seedHub gives a hub what a week of a small hotel looks like in test
// mode: an endpoint that answers 200, one that answers 500, and guest
// events delivered to both. It returns an event id.
func seedHub(t *testing.T, h *hubUnderTest) (eventID string) {
	t.Helper()
	ok := newCountingReceiver(t)
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, `{"error":"database is down"}`, http.StatusInternalServerError)
	}))
	t.Cleanup(failing.Close)
	for _, url := range []string{ok.url, failing.URL + "/hooks/pms"} {
		code, body := h.do(t, "POST", "/v1/webhook_endpoints", fmt.Sprintf(`{"url":%q,"enabled_events":["guest.created","reservation.created"],"description":"Front desk PMS"}`, url))
		if code != http.StatusCreated {
			t.Fatalf("create endpoint: %d %s", code, body)
		}
	}
	sample := guestSample(t, h)
	for i := 0; i < 12; i++ {
		code, body := h.do(t, "POST", "/v1/events", fmt.Sprintf(`{"type":"guest.created","property_id":"prop_8hJk3m","data":{"object":%s}}`, sample))
		if code != http.StatusCreated {
			t.Fatalf("publish: %d %s", code, body)
		}
		var ev struct{ ID string }
		_ = json.Unmarshal([]byte(body), &ev)
		eventID = ev.ID
	}
	return eventID
}

// screenshotPages are the console's main pages, as README shows them.
var screenshotPages = []struct{ name, path string }{
	{"home", "/"},
	{"events", "/events"},
	{"endpoints", "/endpoints"},
	{"connectors", "/connectors"},
	{"scripts", "/scripts/new"},
	{"event-types", "/event_types"},
	{"docs", "/docs"},
	{"status", "/status"},
}

// TestConsoleScreenshots renders the main pages of a seeded hub in
// Chromium and checks each is a real page: 200, a full-width PNG, no
// console errors. With BELLHOP_SCREENSHOTS_DIR set (make screenshots), it
// writes the PNGs there for README.
func TestConsoleScreenshots(t *testing.T) {
	env := map[string]string{"BELLHOP_RETRY_SCHEDULE": "0s,1s"}
	if dir := os.Getenv("BELLHOP_PLUGIN_DIR"); dir != "" { // make test and make screenshots build them there
		env["BELLHOP_PLUGIN_DIR"] = dir
	}
	h := startHub(t, env)
	seedHub(t, h)
	b := browsertest.New(t, 1280, 860, 120*time.Second)
	newOwner(t, b, h, "owner@hotel.example")
	dir := os.Getenv("BELLHOP_SCREENSHOTS_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	for _, p := range screenshotPages {
		resp, err := chromedp.RunResponse(b.Ctx, chromedp.Navigate(h.base+p.path))
		if err != nil {
			t.Fatalf("%s: %v", p.path, err)
		}
		if resp.Status != http.StatusOK {
			t.Errorf("%s: %d, want 200", p.path, resp.Status)
			continue
		}
		// The window, not the whole page: the API reference alone is
		// metres long, and README shows what a person sees first.
		png, err := chromedp.Run(b.Ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("%s: screenshot: %v", p.path, err)
		}
		img, _, err := image.Decode(bytes.NewReader(png))
		if err != nil || img.Bounds().Dx() != 1280 {
			t.Fatalf("%s: screenshot is not a 1280-wide PNG: %v", p.path, err)
		}
		if err := os.WriteFile(filepath.Join(dir, p.name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	noProblems(t, b)
}

// TestConsoleRefusesAFormForgedOnAnotherSite signs an owner in, then has
// the browser submit a form from another origin that aims at the console:
// the request is refused and nothing changes.
func TestConsoleRefusesAFormForgedOnAnotherSite(t *testing.T) {
	h := startHub(t, nil)
	b := browsertest.New(t, 1280, 900, 90*time.Second)
	newOwner(t, b, h, "owner@hotel.example")

	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, `<!doctype html><form method="post" action="%s/mode"><input type="hidden" name="mode" value="live"><button id="go">Win a free night</button></form>`, h.base)
	}))
	defer evil.Close()
	if err := chromedp.Do(b.Ctx, chromedp.Navigate(evil.URL)); err != nil {
		t.Fatal(err)
	}
	resp, err := chromedp.RunResponse(b.Ctx, chromedp.Click("#go"))
	if err != nil {
		t.Fatalf("forged form: %v", err)
	}
	if resp.Status != http.StatusForbidden {
		t.Fatalf("the forged post got %d, want 403", resp.Status)
	}
	if err := chromedp.Do(b.Ctx, chromedp.Navigate(h.base+"/")); err != nil {
		t.Fatal(err)
	}
	mode, err := chromedp.Run(b.Ctx, chromedp.Text(".mode"))
	if err != nil || mode != "Test mode" {
		t.Fatalf("after the forged post the console is in %q (%v), want Test mode unchanged", mode, err)
	}
}
