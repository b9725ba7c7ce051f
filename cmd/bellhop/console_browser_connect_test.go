package main

// End-to-end tests, in a real Chromium against a real hub, of connecting a
// tool and shaping what it gets: the Slack connection from the gallery to a
// message in (a fake) Slack, with the mouse and with the keyboard only, and a
// transform script from the editor to a receiver.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/bellhop/bellhop/connectors/slack/slackfake"
	"github.com/bellhop/bellhop/core/console/browsertest"
)

// step runs actions within 15 s and, on failure, fails t with where the
// browser was and what the page said, which is what one needs to see why.
func step(t *testing.T, b *browsertest.Browser, name string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		loc, _ := chromedp.Run(b.Ctx, chromedp.Location())
		txt, _ := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`document.querySelector("main")?.innerText ?? ""`))
		t.Fatalf("%s: %v\nat %s:\n%s\nbrowser problems: %v", name, err, loc, txt, b.Problems())
	}
}

// stillPage waits until the page has stopped scrolling: chromedp.Click
// aims at where the element is when it looks, so a smooth scroll under way
// makes it click beside its target.
func stillPage(t *testing.T, b *browsertest.Browser) {
	t.Helper()
	last := -1.0
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		y, err := chromedp.Run(b.Ctx, chromedp.Evaluate[float64](`window.scrollY`))
		if err != nil {
			t.Fatal(err)
		}
		if y == last {
			return
		}
		last = y
	}
	t.Fatal("the page kept scrolling for 5 s")
}

// typeKeys types s into the focused element as a keyboard does: each key's
// keydown carries its character, so a page that handles the keydown itself
// (preventDefault, as the script editor does to close brackets) gets no
// second character. chromedp.KeyEvent sends the character as a separate
// char event, which Chrome inserts even then; a real keyboard never does.
func typeKeys(s string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		for _, r := range s {
			evs := kb.Encode(r)
			if len(evs) == 3 {
				evs[0].Text, evs[0].UnmodifiedText = evs[1].Text, evs[1].UnmodifiedText
				evs = []*input.DispatchKeyEventParams{evs[0], evs[2]}
			}
			for _, e := range evs {
				if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, *e); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// chooseByKeys picks want in the focused select sel with the arrow keys, as
// a keyboard user does: Home, then ArrowDown until it is chosen.
func chooseByKeys(t *testing.T, b *browsertest.Browser, sel, want string) {
	t.Helper()
	step(t, b, "Home", chromedp.KeyEvent(kb.Home))
	for i := 0; ; i++ {
		v, err := chromedp.Run(b.Ctx, chromedp.Value(sel))
		if err != nil {
			t.Fatalf("value of %s: %v", sel, err)
		}
		if v == want {
			return
		}
		if i == 100 {
			t.Fatalf("the arrow keys never chose %q in %s (last %q)", want, sel, v)
		}
		step(t, b, "ArrowDown", chromedp.KeyEvent(kb.ArrowDown))
	}
}

// text returns the text of the first element matching sel.
func text(t *testing.T, b *browsertest.Browser, sel string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(sel))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// reservationSample is the catalog's sample of reservation.created.
func reservationSample(t *testing.T, h *hubUnderTest) string {
	t.Helper()
	return sampleOf(t, h, "reservation.created")
}

// publishReservation publishes one reservation.created through the API and
// returns its id and the guest's last name, which the Slack message shows.
func publishReservation(t *testing.T, h *hubUnderTest) (id, lastName string) {
	t.Helper()
	sample := reservationSample(t, h)
	var o struct {
		Guest struct {
			LastName string `json:"last_name"`
		}
	}
	_ = json.Unmarshal([]byte(sample), &o)
	code, body := h.do(t, "POST", "/v1/events", fmt.Sprintf(`{"type":"reservation.created","property_id":"prop_8hJk3m","data":{"object":%s}}`, sample))
	var ev struct{ ID string }
	if err := json.Unmarshal([]byte(body), &ev); code != http.StatusCreated || err != nil || ev.ID == "" {
		t.Fatalf("publish = %d %s", code, body)
	}
	return ev.ID, o.Guest.LastName
}

// waitSlackMessage polls the fake until a message was posted to channel and
// returns it.
func waitSlackMessage(t *testing.T, fake *slackfake.Server, channel string, within time.Duration) slackfake.Message {
	t.Helper()
	for deadline := time.Now().Add(within); ; time.Sleep(50 * time.Millisecond) {
		for _, m := range fake.Messages() {
			if m.Channel == channel {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no message reached #%s in %s; the fake has %+v", channel, within, fake.Messages())
		}
	}
}

// waitRunInHistory reloads the connection page until its run history lists
// a succeeded delivery of eventID.
func waitRunInHistory(t *testing.T, b *browsertest.Browser, eventID string) {
	t.Helper()
	sel := fmt.Sprintf(`//table//tr[td//*[contains(., %q)]]//span[contains(@class, "badge") and normalize-space(.)="succeeded"]`, eventID)
	for deadline := time.Now().Add(10 * time.Second); ; {
		step(t, b, "reload the connection page", chromedp.Reload(), chromedp.WaitVisible("#runs"))
		n, err := chromedp.Run(b.Ctx, chromedp.Nodes(sel, chromedp.AtLeast(0)))
		if err == nil && len(n) > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the run history never showed %s as succeeded:\n%s", eventID, text(t, b, "main"))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// slackHub starts a hub with the Slack plugin and a browser signed in as
// its owner.
func slackHub(t *testing.T) (*hubUnderTest, *browsertest.Browser) {
	t.Helper()
	h := startHub(t, map[string]string{"BELLHOP_PLUGIN_DIR": slackPluginDir(t), "BELLHOP_RETRY_SCHEDULE": "0s,1s,1s"})
	b := browsertest.New(t, 1280, 900, 60*time.Second)
	return h, b
}

// TestConsoleSlackConnectFromTheGallery: an owner enables Slack from the
// gallery, lists the channels the token sees and picks #general, tests
// (the check passes, the dry run shows the message), saves; a reservation
// published through the API then arrives in #general and shows in the
// connection's run history.
func TestConsoleSlackConnectFromTheGallery(t *testing.T) {
	h, b := slackHub(t)
	fake := slackfake.New(t)
	newOwner(t, b, h, "owner@hotel.example")

	step(t, b, "open the gallery", chromedp.Click(`nav a[href="/connectors"]`), chromedp.WaitVisible("#connector-slack"))
	step(t, b, "enable Slack", chromedp.Click(`#connector-slack a[href="/connectors/slack/new"]`), chromedp.WaitVisible("#config-token"))
	if got := text(t, b, "h1"); got != "Connect Slack" {
		t.Fatalf("the form's heading is %q, want Connect Slack", got)
	}
	step(t, b, "type the token and the API URL",
		chromedp.SendKeys("#config-token", fake.Token),
		chromedp.Click("details.advanced summary"),
		chromedp.SendKeys("#config-api_base_url", fake.APIURL()))
	step(t, b, "list the channels", chromedp.Click(`[data-options="channel"]`), chromedp.WaitVisible("#config-channel-select"))
	if msg := text(t, b, "#config-channel-message"); !strings.Contains(msg, "to choose from") {
		t.Fatalf("after listing, the field says %q", msg)
	}
	options := text(t, b, "#config-channel-select")
	if !strings.Contains(options, "#general") || strings.Contains(options, "#old") {
		t.Fatalf("the channel list is %q, want #general and not the archived #old", options)
	}
	// Typing on a focused select picks the option that starts so, as a user does.
	step(t, b, "pick #general", chromedp.SendKeys("#config-channel-select", "#gen"))
	if v, _ := chromedp.Run(b.Ctx, chromedp.Value("#config-channel-select")); v != "C0GENERAL" {
		t.Fatalf("the channel chosen is %q, want C0GENERAL", v)
	}
	if checked, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](`document.querySelector('input[name=enabled_events][value="reservation.created"]').checked`)); err != nil || !checked {
		t.Fatalf("reservation.created, suggested for Slack, is not ticked (%v)", err)
	}

	step(t, b, "test with a reservation", chromedp.SendKeys("#test_event_type", "reservation.created"))
	if v, _ := chromedp.Run(b.Ctx, chromedp.Value("#test_event_type")); v != "reservation.created" {
		t.Fatalf("the sample chosen is %q", v)
	}
	step(t, b, "test", chromedp.Click("[data-test]"), chromedp.WaitVisible("#test-output"))
	result := text(t, b, "#test-result-body")
	if !strings.Contains(result, "Check passed") || !strings.Contains(result, "Transform ran") {
		t.Fatalf("the test says:\n%s\nwant the check passed and the transform ran", result)
	}
	if msg := text(t, b, "#test-result-body .check-message"); !strings.Contains(msg, "reached its service") {
		t.Fatalf("the check's message is %q, want that Slack was reached", msg)
	}
	out := text(t, b, "#test-output")
	if !strings.Contains(out, "New reservation") || !strings.Contains(out, `"text"`) {
		t.Fatalf("the dry run shows:\n%s\nwant the Slack message of a new reservation", out)
	}
	if n := len(fake.Messages()); n != 0 {
		t.Fatalf("Test posted %d messages; it must post nothing", n)
	}

	if label := text(t, b, "#connection-form button.primary"); label != "Save and enable" {
		t.Fatalf("the save button reads %q", label)
	}
	stillPage(t, b) // the test result scrolled into view
	step(t, b, "save", chromedp.Click("#connection-form button.primary"), chromedp.WaitVisible(".alert.ok"))
	if ok := text(t, b, ".alert.ok"); !strings.Contains(ok, "connected and enabled") {
		t.Fatalf("after saving the page says %q", ok)
	}
	if cfg := text(t, b, "dl.props"); !strings.Contains(cfg, "C0GENERAL") || strings.Contains(cfg, fake.Token) {
		t.Fatalf("the configuration shown is:\n%s\nwant the channel and never the token", cfg)
	}

	id, last := publishReservation(t, h)
	m := waitSlackMessage(t, fake, "C0GENERAL", 10*time.Second)
	if !strings.Contains(m.Text, "New reservation") || (last != "" && !strings.Contains(m.Text+string(m.Blocks), last)) {
		t.Fatalf("Slack got %q %s, want the new reservation of %s", m.Text, m.Blocks, last)
	}
	waitRunInHistory(t, b, id)
	noProblems(t, b)
}

// focused describes the element that has focus: its id, else its label,
// else its text.
const focused = `(() => { const e = document.activeElement; if (!e || e === document.body) return "";
  return e.id || e.getAttribute("aria-label") || (e.labels?.[0] ?? e).textContent.trim().replace(/\s+/g, " "); })()`

// focusState is what the keyboard test checks of the focused element.
type focusState struct {
	Name    string  `json:"name"`
	Outline string  `json:"outline"`
	Visible bool    `json:"visible"`
	Top     float64 `json:"top"`
}

const focusStateJS = `(() => { const e = document.activeElement; const r = e.getBoundingClientRect();
  return { name: ` + focused + `, outline: getComputedStyle(e).outlineStyle,
    visible: r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth, top: r.top }; })()`

// keys moves focus with key (Tab, or Shift+Tab with back) until the focused
// element's name is want, at most 40 presses, then checks that it is on
// screen and drawn with a focus outline.
func keys(t *testing.T, b *browsertest.Browser, want string, back bool) {
	t.Helper()
	var opts []chromedp.KeyOption
	if back {
		opts = append(opts, chromedp.KeyModifiers(chromedp.ModifierShift))
	}
	var seen []string
	for i := 0; i < 40; i++ {
		step(t, b, "press Tab", chromedp.KeyEvent(kb.Tab, opts...))
		st := focusNow(t, b)
		seen = append(seen, st.Name)
		// Every stop on the way, not only the one wanted, must show where
		// focus is.
		checkFocusVisible(t, st)
		if st.Name == want {
			t.Logf("%q reached in %d presses, through %q", want, i+1, seen[:i])
			return
		}
	}
	t.Fatalf("%q cannot be reached with Tab in 40 presses; focus went through %q", want, seen)
}

func focusNow(t *testing.T, b *browsertest.Browser) focusState {
	t.Helper()
	st, err := chromedp.Run(b.Ctx, chromedp.Evaluate[focusState](focusStateJS))
	if err != nil {
		t.Fatalf("focused element: %v", err)
	}
	return st
}

func checkFocusVisible(t *testing.T, st focusState) {
	t.Helper()
	if !st.Visible {
		t.Errorf("%q has focus but is off screen (top %.0f)", st.Name, st.Top)
	}
	if st.Outline == "none" || st.Outline == "" {
		t.Errorf("%q has focus but no focus outline (outline-style %q)", st.Name, st.Outline)
	}
}

// waitFocus waits for the page to put focus on want (after a navigation or
// a script moved it).
func waitFocus(t *testing.T, b *browsertest.Browser, want string) focusState {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		st := focusNow(t, b)
		if st.Name == want {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("focus is on %q, want %q", st.Name, want)
		}
	}
}

// TestConsoleSlackConnectWithTheKeyboardOnly is the Slack connection again
// with no mouse: from the console's home, Tab, Shift+Tab, Enter, Space and
// the arrow keys reach every step, each focused element is on screen with a
// focus outline, and the message arrives in Slack.
func TestConsoleSlackConnectWithTheKeyboardOnly(t *testing.T) {
	h, b := slackHub(t)
	fake := slackfake.New(t)
	// The first owner, typed: Enter in the last field submits.
	step(t, b, "first owner",
		chromedp.Navigate(setupLink(t, h)),
		chromedp.SendKeys("#email", "owner@hotel.example"),
		chromedp.SendKeys("#password", ownerPassword),
		chromedp.SendKeys("#password_confirm", ownerPassword+kb.Enter),
		chromedp.WaitVisible(".who"))

	step(t, b, "home", chromedp.Navigate(h.base+"/"), chromedp.WaitVisible(".who"))
	keys(t, b, "Connectors", false)
	step(t, b, "open the gallery", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible("#connector-slack"))
	keys(t, b, "Skip to content", false)
	step(t, b, "skip to the gallery", chromedp.KeyEvent(kb.Enter))
	waitFocus(t, b, "main")
	keys(t, b, "Enable Slack", false)
	step(t, b, "enable Slack", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible("#config-token"))

	// The skip link passes the navigation.
	keys(t, b, "Skip to content", false)
	step(t, b, "skip to the form", chromedp.KeyEvent(kb.Enter))
	waitFocus(t, b, "main")
	keys(t, b, "config-token", false)
	step(t, b, "type the token", chromedp.KeyEvent(fake.Token))
	keys(t, b, "Advanced settings", false)
	step(t, b, "open Advanced settings", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible("#config-api_base_url"))
	keys(t, b, "config-api_base_url", false)
	step(t, b, "type the API URL", chromedp.KeyEvent(fake.APIURL()))

	keys(t, b, "List the choices for Channel", true)
	step(t, b, "list the channels", chromedp.KeyEvent(" "), chromedp.WaitVisible("#config-channel-select"))
	// The list takes focus, so the choice is one arrow key away.
	checkFocusVisible(t, waitFocus(t, b, "config-channel-select"))
	for i := 0; ; i++ {
		v, err := chromedp.Run(b.Ctx, chromedp.Value("#config-channel-select"))
		if err != nil {
			t.Fatal(err)
		}
		if v == "C0GENERAL" {
			break
		}
		if i == 5 {
			t.Fatalf("the arrow keys never chose #general: %s", text(t, b, "#config-channel-select"))
		}
		step(t, b, "arrow down", chromedp.KeyEvent(kb.ArrowDown))
	}

	keys(t, b, "test_event_type", false)
	chooseByKeys(t, b, "#test_event_type", "reservation.created")
	keys(t, b, "Test", false)
	step(t, b, "test", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible("#test-output"))
	if result := text(t, b, "#test-result-body"); !strings.Contains(result, "Check passed") || !strings.Contains(text(t, b, "#test-output"), "New reservation") {
		t.Fatalf("the test says:\n%s", result)
	}

	keys(t, b, "Save and enable", true)
	step(t, b, "save", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(".alert.ok"))

	id, _ := publishReservation(t, h)
	if m := waitSlackMessage(t, fake, "C0GENERAL", 10*time.Second); !strings.Contains(m.Text, "New reservation") {
		t.Fatalf("Slack got %q, want the new reservation", m.Text)
	}
	waitRunInHistory(t, b, id)
	noProblems(t, b)
}

// bodyReceiver is a local webhook receiver that keeps the bodies it gets.
type bodyReceiver struct {
	url    string
	mu     sync.Mutex
	bodies []string
}

func newBodyReceiver(t *testing.T) *bodyReceiver {
	r := &bodyReceiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, string(b))
		r.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL + "/hooks/pms"
	return r
}

func (r *bodyReceiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.bodies)
}

// wait returns the first body that contains want, polling until within.
func (r *bodyReceiver) wait(t *testing.T, want string, within time.Duration) string {
	t.Helper()
	for deadline := time.Now().Add(within); ; time.Sleep(50 * time.Millisecond) {
		r.mu.Lock()
		bodies := append([]string(nil), r.bodies...)
		r.mu.Unlock()
		for _, b := range bodies {
			if strings.Contains(b, want) {
				return b
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the receiver got no body with %s in %s; it got %q", want, within, bodies)
		}
	}
}

// TestConsoleScriptWrittenTestedAttachedAndRun: a developer writes a
// transform in the editor that adds "via": "console" to the body, tests it
// on the reservation.created sample and sees the field in the output,
// saves it, attaches it to an endpoint; the next event reaches the
// endpoint's receiver transformed.
func TestConsoleScriptWrittenTestedAttachedAndRun(t *testing.T) {
	h := startHub(t, map[string]string{"BELLHOP_RETRY_SCHEDULE": "0s,1s,1s"})
	recv := newBodyReceiver(t)
	code, body := h.do(t, "POST", "/v1/webhook_endpoints", fmt.Sprintf(`{"url":%q,"enabled_events":["reservation.created"],"description":"Front desk PMS"}`, recv.url))
	var ep struct{ ID string }
	if err := json.Unmarshal([]byte(body), &ep); code != http.StatusCreated || err != nil {
		t.Fatalf("create endpoint: %d %s", code, body)
	}
	b := browsertest.New(t, 1280, 900, 60*time.Second)
	newOwner(t, b, h, "owner@hotel.example")

	step(t, b, "open scripts", chromedp.Click(`nav a[href="/scripts"]`), chromedp.WaitVisible(`.page-head a[href="/scripts/new"]`))
	step(t, b, "new script", chromedp.Click(`.page-head a[href="/scripts/new"]`), chromedp.WaitVisible("#source-editor"))
	step(t, b, "name it", chromedp.SendKeys("#name", "Mark console"))
	// The editor closes brackets and quotes as they are typed and indents
	// after Enter, so, as a person does, type the opening ones and step
	// over the closing ones.
	step(t, b, "write the script",
		chromedp.Click("#source-editor"),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		typeKeys("function transform(event"),
		chromedp.KeyEvent(kb.ArrowRight),
		typeKeys(" {\r"+`event.via = "console`),
		chromedp.KeyEvent(kb.ArrowRight),
		typeKeys(";\rreturn event;"))
	// The editor colours the code 30 ms after the last key, and puts the
	// caret back, which takes focus back: wait for it before moving on.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		done, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](`(() => { const e = document.getElementById("source-editor");
  return e.innerHTML === Prism.highlight(e.textContent, Prism.languages.javascript, "javascript"); })()`))
		if err != nil {
			t.Fatal(err)
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the editor never highlighted the typed script")
		}
	}
	src, err := chromedp.Run(b.Ctx, chromedp.TextContent("#source-editor"))
	if want := "function transform(event) {\n  event.via = \"console\";\n  return event;\n}"; err != nil || strings.TrimSpace(src) != want {
		t.Fatalf("the editor holds %q (%v), want %q", src, err, want)
	}

	step(t, b, "focus the sample list", chromedp.Focus("#test_event_type"))
	chooseByKeys(t, b, "#test_event_type", "reservation.created")
	step(t, b, "run the test", chromedp.Click("[data-script-test]"), chromedp.WaitVisible("#test-output"))
	out := text(t, b, "#test-output")
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil || got["via"] != "console" || got["type"] != "reservation.created" {
		t.Fatalf("the test output is:\n%s\n(%v) want the reservation sample with \"via\": \"console\"", out, err)
	}
	if recv.count() != 0 {
		t.Fatal("the test delivered something; it must deliver nothing")
	}

	// The test result scrolls into view smoothly; a click aimed while the
	// page still moves lands beside the button.
	stillPage(t, b)
	step(t, b, "save", chromedp.Click("#script-form button.primary"), chromedp.WaitVisible("#versions-heading"))
	if h1 := text(t, b, "h1"); !strings.Contains(h1, "Mark console") || !strings.Contains(h1, "v1") {
		t.Fatalf("the saved script's heading is %q", h1)
	}
	step(t, b, "attach it to the endpoint",
		chromedp.SetValue("#attach-target", ep.ID),
		chromedp.Click(`#attach form[action$="/attach"] button`),
		chromedp.WaitVisible(fmt.Sprintf(`#attach a[href="/endpoints/%s"]`, ep.ID)))

	publishReservation(t, h)
	delivered := recv.wait(t, `"via"`, 10*time.Second)
	var sent map[string]any
	if err := json.Unmarshal([]byte(delivered), &sent); err != nil || sent["via"] != "console" || sent["type"] != "reservation.created" {
		t.Fatalf("the receiver got %s (%v), want the event with \"via\": \"console\"", delivered, err)
	}
	noProblems(t, b)
}
