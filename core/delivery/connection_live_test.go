package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/connectors/sheets"
	"github.com/bellhop/bellhop/connectors/slack"
	"github.com/bellhop/bellhop/connectors/slack/slackfake"
	"github.com/bellhop/bellhop/core"
)

// liveConnections makes h's scope live and returns connections on an
// engine serving only it, with the real Slack connector in process and
// allowed as the operator's ranges; run starts the engine.
func (h *harness) liveConnections(allowed []netip.Prefix, run bool) *Connections {
	h.t.Helper()
	h.scope.Livemode = true
	opts := h.options()
	opts.Scopes = func(context.Context) ([]core.Scope, error) { return []core.Scope{h.scope}, nil }
	e := newEngine(opts)
	conns := NewConnections(e, ConnectionOptions{Host: fakeHost{"slack": slack.NewWithLimit(nil, time.Millisecond, 100)}, AllowedRanges: allowed})
	h.t.Cleanup(conns.Close)
	if run { // after registering: the workers read the senders without a lock
		h.run(e)
	}
	return conns
}

func TestLiveConnectionURLsAtCreate(t *testing.T) {
	fake := slackfake.New(t)
	port := fake.URL[strings.LastIndex(fake.URL, ":"):]
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	tests := []struct {
		name      string
		config    map[string]any
		allowed   []netip.Prefix
		wantParam string // "" for created
		wantText  string
	}{
		{"http to the local fake", map[string]any{"token": fake.Token, "channel": "C0GENERAL", "api_base_url": fake.APIURL()}, nil, "config.api_base_url", "https"},
		{"https to a literal loopback", map[string]any{"token": fake.Token, "channel": "C0GENERAL", "api_base_url": "https://127.0.0.1" + port + "/api/"}, nil, "config.api_base_url", "127.0.0.1"},
		{"localhost", map[string]any{"token": fake.Token, "channel": "C0GENERAL", "api_base_url": "https://localhost./api/"}, nil, "config.api_base_url", "internal address"},
		{"cloud metadata", map[string]any{"token": fake.Token, "channel": "C0GENERAL", "api_base_url": "https://169.254.169.254/"}, nil, "config.api_base_url", "169.254.169.254"},
		{"webhook url on http", map[string]any{"webhook_url": "http://hooks.example.com/services/T/B/x"}, nil, "config.webhook_url", "https"},
		{"webhook url on a private address", map[string]any{"webhook_url": "https://10.0.0.7/services/T/B/x"}, nil, "config.webhook_url", "10.0.0.7"},
		{"webhook url with a percent-encoded host", map[string]any{"webhook_url": "https://127.0.0.1%2509:18501/services/T/B/x"}, nil, "config.webhook_url", "percent-encoded"},
		{"api base url with a percent-encoded host", map[string]any{"token": fake.Token, "channel": "C0GENERAL", "api_base_url": "https://127.0.0.1%2509" + port + "/api/"}, loopback, "config.api_base_url", "percent-encoded"},
		{"public https host", map[string]any{"token": fake.Token, "channel": "C0GENERAL", "api_base_url": "https://slack.example.com/api/"}, nil, "", ""},
		{"loopback in the operator's ranges", map[string]any{"token": fake.Token, "channel": "C0GENERAL", "api_base_url": "https://127.0.0.1" + port + "/api/"}, loopback, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			conns := h.liveConnections(tt.allowed, false)
			name := "slack"
			_, err := conns.CreateConnection(context.Background(), h.scope, core.ConnectionInput{Connector: &name, Config: tt.config, EnabledEvents: []string{"*"}})
			if tt.wantParam == "" {
				if err != nil {
					t.Fatalf("CreateConnection: %v, want created", err)
				}
				return
			}
			var e *core.Error
			if !errors.As(err, &e) || e.Code != core.EINVALID || e.Param != tt.wantParam || !strings.Contains(e.Message, tt.wantText) {
				t.Fatalf("CreateConnection err = %v, want EINVALID on %s mentioning %q", err, tt.wantParam, tt.wantText)
			}
			if strings.Contains(e.Message, "/services/") {
				t.Errorf("message %q quotes the webhook URL", e.Message)
			}
		})
	}
}

// TestLiveConnectionDialRefused holds the dial-time guard: a live
// connection whose URL got past the create-time check (here stored
// directly, as a name resolving inward would) fails for good naming the
// address, and the fake receives nothing; the same config in test mode
// reaches the fake.
func TestLiveConnectionDialRefused(t *testing.T) {
	tests := []struct {
		live       bool
		wantStatus string
	}{
		{true, core.StatusFailed},
		{false, core.StatusSucceeded},
	}
	for _, tt := range tests {
		t.Run(map[bool]string{true: "live", false: "test"}[tt.live], func(t *testing.T) {
			fake := slackfake.New(t)
			h := newHarness(t)
			var conns *Connections
			if tt.live {
				conns = h.liveConnections(nil, true)
			} else {
				_, conns = h.startWithConnections(h.options(), fakeHost{"slack": slack.NewWithLimit(nil, time.Millisecond, 100)})
			}
			now := time.Now().UTC().Truncate(time.Second)
			conn := &core.Connection{ID: randomID(core.ConnectionIDPrefix), Object: "connection", Connector: "slack", Name: "Slack",
				Livemode: tt.live, CreatedAt: now, UpdatedAt: now, PropertyIDs: []string{}, EnabledEvents: []string{"reservation.created"},
				Config: map[string]any{"channel": "C0GENERAL", "api_base_url": fake.APIURL()}}
			if err := h.store.SaveConnection(context.Background(), h.scope, conn, map[string]string{"token": fake.Token}); err != nil {
				t.Fatal(err)
			}
			h.publish(h.scope, "reservation.created", 1)
			d := h.finished(conns, conn.ID, 1)[0]
			if d.Status != tt.wantStatus {
				t.Fatalf("delivery %s (%s), want %s", d.Status, d.Reason, tt.wantStatus)
			}
			got := len(fake.Messages())
			if tt.live {
				if !strings.Contains(d.Reason, "127.0.0.1") || !strings.Contains(d.Reason, "not allowed in live mode") || len(d.Attempts) != 1 {
					t.Errorf("reason %q after %d attempts, want one attempt naming 127.0.0.1 as not allowed in live mode", d.Reason, len(d.Attempts))
				}
				if got != 0 {
					t.Errorf("fake got %d messages from a live connection, want 0", got)
				}
				test, err := conns.TestConnection(context.Background(), h.scope, conn.ID, "")
				if err != nil || test.Check.OK || !strings.Contains(test.Check.Message, "127.0.0.1") {
					t.Errorf("TestConnection check = %+v, %v; want refused naming 127.0.0.1", test.Check, err)
				}
				if _, err := conns.ConnectionOptions(context.Background(), h.scope, conn.ID, "channel"); err == nil {
					t.Error("ConnectionOptions reached the local fake from a live connection")
				}
			} else if got != 1 {
				t.Errorf("fake got %d messages in test mode, want 1", got)
			}
		})
	}
}

// TestLiveSheetsKeyFileURLs: the URLs inside a Sheets key file (token_uri,
// which the connector calls for a token) are checked at create and update
// like a URL field, with EINVALID on config.credentials_json.<member>.
func TestLiveSheetsKeyFileURLs(t *testing.T) {
	keyFile := func(member, url string) string {
		doc := map[string]string{"type": "service_account", "client_email": "bot@bellhop-test.iam.gserviceaccount.com",
			"private_key": "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n", "token_uri": "https://oauth2.googleapis.com/token"}
		doc[member] = url
		b, _ := json.Marshal(doc)
		return string(b)
	}
	tests := []struct {
		name      string
		keyFile   string
		wantParam string // "" for accepted
		wantText  string
	}{
		{"google's token_uri", keyFile("token_uri", "https://oauth2.googleapis.com/token"), "", ""},
		{"token_uri on loopback", keyFile("token_uri", "https://127.0.0.1:18501/token"), "config.credentials_json.token_uri", "internal address"},
		{"token_uri on cloud metadata", keyFile("token_uri", "https://169.254.169.254/token"), "config.credentials_json.token_uri", "169.254.169.254"},
		{"token_uri on http", keyFile("token_uri", "http://oauth2.googleapis.com/token"), "config.credentials_json.token_uri", "https"},
		{"token_uri percent-encoded", keyFile("token_uri", "https://127.0.0.1%2509:18501/token"), "config.credentials_json.token_uri", "percent-encoded"},
		{"auth_uri on a private address", keyFile("auth_uri", "https://10.0.0.7/auth"), "config.credentials_json.auth_uri", "10.0.0.7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.scope.Livemode = true
			e := newEngine(h.options())
			conns := NewConnections(e, ConnectionOptions{Host: fakeHost{"sheets": sheets.New(nil)}})
			t.Cleanup(conns.Close)
			ctx := context.Background()
			name := "sheets"
			good := keyFile("token_uri", "https://oauth2.googleapis.com/token")
			created, err := conns.CreateConnection(ctx, h.scope, core.ConnectionInput{Connector: &name, EnabledEvents: []string{"*"},
				Config: map[string]any{"credentials_json": good, "spreadsheet_id": "1AbC"}})
			if err != nil {
				t.Fatalf("create with Google's key file: %v", err)
			}
			for op, call := range map[string]func() error{
				"create": func() error {
					_, err := conns.CreateConnection(ctx, h.scope, core.ConnectionInput{Connector: &name, EnabledEvents: []string{"*"},
						Config: map[string]any{"credentials_json": tt.keyFile, "spreadsheet_id": "1AbC"}})
					return err
				},
				"update": func() error {
					_, err := conns.UpdateConnection(ctx, h.scope, created.ID, core.ConnectionInput{
						Config: map[string]any{"credentials_json": tt.keyFile, "spreadsheet_id": "1AbC"}})
					return err
				},
			} {
				err := call()
				if tt.wantParam == "" {
					if err != nil {
						t.Errorf("%s: %v, want accepted", op, err)
					}
					continue
				}
				var e *core.Error
				if !errors.As(err, &e) || e.Code != core.EINVALID || e.Param != tt.wantParam || !strings.Contains(e.Message, tt.wantText) {
					t.Errorf("%s err = %v, want EINVALID on %s mentioning %q", op, err, tt.wantParam, tt.wantText)
				}
			}
		})
	}
}
