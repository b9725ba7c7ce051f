package console

// The harness every console test uses: newHarness wires the console to the
// real store, catalog, ingest, delivery engine, transforms, connector host
// and users service, as `bellhop serve` does, on a fresh prefix of the test
// Redis; h.as signs in a new user with a role and returns a browser-like
// client that keeps its cookie and sends the CSRF token with every post.
//
//	h := newHarness(t)
//	dev := h.as(t, core.RoleDeveloper)
//	status, body := dev.get(t, "/endpoints")
//	status, body, location := dev.post(t, "/endpoints", url.Values{"url": {"https://example.com/hook"}})

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/catalog"
	"github.com/bellhop/bellhop/core/delivery"
	"github.com/bellhop/bellhop/core/ingest"
	"github.com/bellhop/bellhop/core/pluginhost"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/redistest"
	"github.com/bellhop/bellhop/core/secretbox"
	"github.com/bellhop/bellhop/core/transform"
	"github.com/bellhop/bellhop/core/users"
)

// harness is a running console for one test.
type harness struct {
	URL     string
	Server  *Server
	Store   *redisstore.Store
	Users   *users.Service
	Engine  *delivery.Engine
	deps    Deps
	scope   core.Scope // the test-mode scope of the harness's account
	account string
}

// newHarness starts the console on a fresh prefix of the test Redis, with
// the engine running. Connector plugins come from BELLHOP_PLUGIN_DIR (make
// test sets it to bin/plugins), or none when it is unset.
func newHarness(t testing.TB, opts ...func(*Config, *Deps)) *harness {
	t.Helper()
	rdb := redistest.New(t)
	box, err := secretbox.New(secretbox.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	store := redisstore.New(rdb.Client, redisstore.Options{Prefix: rdb.Prefix, Sealer: box})
	types, err := catalog.New(store)
	if err != nil {
		t.Fatalf("catalog: %v", err)
	}
	events := ingest.New(types, store, nil)
	scripts := transform.New(transform.Options{Timeout: 500 * time.Millisecond})
	runner := transform.NewRunner(scripts, store)
	eng := delivery.New(delivery.Options{
		Store: store, Events: events, EventTypes: types, Transforms: runner,
		Block: 50 * time.Millisecond, MaxIdle: 50 * time.Millisecond, ScopeRefresh: 100 * time.Millisecond,
		DeferDelay: 20 * time.Millisecond,
		Schedule:   []time.Duration{0, 100 * time.Millisecond, 200 * time.Millisecond}, ForceSchedule: true,
	})
	pluginDir := os.Getenv("BELLHOP_PLUGIN_DIR")
	if pluginDir == "" {
		pluginDir = t.TempDir()
	}
	host := pluginhost.New(pluginhost.Config{Dir: pluginDir})
	conns := delivery.NewConnections(eng, delivery.ConnectionOptions{Host: host, Scripts: scripts})
	us := users.New(store, store, time.Now)

	account := "acct_console" + randomHex(5)
	cfg := Config{Version: "test", SetupAccount: account}
	deps := Deps{
		Users: us, Sessions: store, Keys: store, Events: events, EventTypes: types,
		Endpoints: delivery.NewEndpoints(eng, delivery.EndpointOptions{}), Deliveries: eng,
		Scripts: transform.NewService(store, runner, types), Connections: conns, Activity: store, Alerts: store,
	}
	for _, o := range opts {
		o(&cfg, &deps)
	}
	s, err := New(cfg, deps)
	if err != nil {
		t.Fatalf("console: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		// An error after the cleanup's cancel is the engine stopping, not
		// failing (a short test can end before it listed its scopes).
		if err := eng.Run(ctx); err != nil && ctx.Err() == nil {
			t.Errorf("run engine: %v", err)
		}
	}()
	ts := httptest.NewServer(s)
	t.Cleanup(func() {
		ts.Close()
		cancel()
		<-done
		conns.Close()
		host.Close()
		scripts.Close()
	})
	return &harness{
		URL: ts.URL, Server: s, Store: store, Users: us, Engine: eng, deps: deps,
		scope: core.Scope{AccountID: account}, account: account,
	}
}

// randomHex returns n random bytes in hex: ids and emails of one test.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// as creates a user of the harness's account with role and returns a
// client signed in as them, in test mode.
func (h *harness) as(t testing.TB, role core.Role) *client {
	t.Helper()
	email := string(role) + "-" + randomHex(6) + "@hotel.example"
	const password = "correct horse battery staple"
	if _, err := h.Users.CreateUser(context.Background(), h.account, email, password, role); err != nil {
		t.Fatalf("create %s user: %v", role, err)
	}
	c := h.anonymous(t)
	status, body, _ := c.post(t, "/signin", url.Values{"email": {email}, "password": {password}})
	if status != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d\n%s", role, status, body)
	}
	c.email = email
	c.get(t, "/") // the session's CSRF token replaces the anonymous one
	return c
}

// anonymous returns a client with no session.
func (h *harness) anonymous(t testing.TB) *client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &client{base: h.URL, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// client is a browser for tests: it keeps cookies, does not follow
// redirects (a test sees the 303 and its Location), and adds the CSRF token
// of the last page it read to every post.
type client struct {
	base  string
	http  *http.Client
	csrf  string
	email string
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]*)">`)

// get reads a page and remembers its CSRF token.
func (c *client) get(t testing.TB, path string) (int, string) {
	t.Helper()
	resp, err := c.http.Get(c.base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if m := csrfMeta.FindSubmatch(b); m != nil {
		c.csrf = string(m[1])
	}
	return resp.StatusCode, string(b)
}

// post sends a form with the CSRF token (read from a page first if the
// client has none yet) and returns the status, body and Location.
func (c *client) post(t testing.TB, path string, form url.Values) (int, string, string) {
	t.Helper()
	if c.csrf == "" {
		c.get(t, "/signin")
	}
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	if _, ok := f[csrfField]; !ok {
		f.Set(csrfField, c.csrf)
	}
	return c.postRaw(t, path, f)
}

// postRaw sends a form as it is, without adding a CSRF token.
func (c *client) postRaw(t testing.TB, path string, form url.Values) (int, string, string) {
	t.Helper()
	resp, err := c.http.PostForm(c.base+path, form)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if m := csrfMeta.FindSubmatch(b); m != nil {
		c.csrf = string(m[1])
	}
	return resp.StatusCode, string(b), resp.Header.Get("Location")
}

// xss is user content that must come back inert on every page: escaped,
// never markup.
const xss = `<script>alert(1)</script>"><img src=x onerror=alert(2)>`

// assertEscaped fails if body holds xss's markup unescaped.
func assertEscaped(t testing.TB, body string) {
	t.Helper()
	for _, raw := range []string{"<script>alert(1)", "<img src=x onerror"} {
		if strings.Contains(body, raw) {
			t.Errorf("page holds %q unescaped:\n%s", raw, body)
		}
	}
}

// wantEscaped is assertEscaped, and checks that the content is on the page.
func wantEscaped(t testing.TB, body string) {
	t.Helper()
	assertEscaped(t, body)
	if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Fatalf("user content missing (escaped) from the page:\n%s", body)
	}
}
