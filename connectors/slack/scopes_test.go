package slack_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/connectors/connectortest"
	"github.com/bellhop/bellhop/connectors/slack"
	"github.com/bellhop/bellhop/connectors/slack/slackfake"
	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/plugins"
)

// private is a private channel the bot was invited to.
var private = slackfake.Channel{ID: "C0STAFF", Name: "staff", IsMember: true, Private: true}

// param is the field an EINVALID error blames, or "".
func param(err error) string {
	var e *core.Error
	if errors.As(err, &e) {
		return e.Param
	}
	return ""
}

// TestCheckScopes holds that an app with chat:write alone passes Check, says
// the channel was not checked and why, and delivers; that one without
// chat:write fails Check naming it; and that a missing read scope is never
// reported as a bad channel.
func TestCheckScopes(t *testing.T) {
	fake := slackfake.New(t)
	fake.AddChannels(private)
	tests := []struct {
		name        string
		scopes      []string // nil: the fake's default token (every scope asked for)
		channel     string
		wantCode    string
		wantParam   string
		wantMessage []string // each must be in the result's message or the error
		wantDeliver plugins.Outcome
	}{
		{"every scope", nil, "C0GENERAL", "", "", nil, plugins.Delivered},
		{"every scope, private channel", nil, "C0STAFF", "", "", nil, plugins.Delivered},
		{"chat:write only", []string{"chat:write"}, "C0GENERAL", "", "",
			[]string{"not checked", "channels:read", "Bot Token Scopes"}, plugins.Delivered},
		{"no groups:read, private channel", []string{"chat:write", "channels:read"}, "C0STAFF", "", "",
			[]string{"not checked", "groups:read"}, plugins.Delivered},
		{"channel by name", []string{"chat:write"}, "#general", "", "", []string{"not checked"}, plugins.Delivered},
		{"no chat:write", []string{"channels:read", "groups:read"}, "C0GENERAL", core.EINVALID, "token",
			[]string{"chat:write", "Bot Token Scopes"}, plugins.Failed},
		{"no scope at all", []string{}, "C0GENERAL", core.EINVALID, "token", []string{"chat:write"}, plugins.Failed},
		{"no groups:read, unknown channel", []string{"chat:write", "channels:read"}, "C0NOPE", core.EINVALID, "channel",
			[]string{"channel_not_found", "groups:read"}, plugins.Failed},
		{"chat:write only, app not in channel", []string{"chat:write"}, "C0RANDOM", "", "", []string{"not checked"}, plugins.Failed},
	}
	c := slack.NewWithLimit(connectortest.NewLogs().Slog(), time.Millisecond, 100)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token := fake.Token
			if tt.scopes != nil {
				token = fake.TokenWith(tt.scopes...)
			}
			cfg := plugins.Config{"token": token, "channel": tt.channel, "api_base_url": fake.APIURL()}
			res, err := c.Check(context.Background(), cfg)
			if got := core.ErrorCode(err); got != tt.wantCode || param(err) != tt.wantParam {
				t.Fatalf("Check = %+v, %v; want code %q on %q", res, err, tt.wantCode, tt.wantParam)
			}
			said := res.Message + core.ErrorMessage(err)
			for _, w := range tt.wantMessage {
				if !strings.Contains(said, w) {
					t.Errorf("Check said %q, want it to say %q", said, w)
				}
			}
			if tt.wantMessage == nil && said != "" {
				t.Errorf("Check said %q, want nothing: everything was checked", said)
			}
			if res.NotContacted {
				t.Errorf("NotContacted set: Slack was asked")
			}
			got, _ := c.Deliver(context.Background(), cfg, json.RawMessage(sampleInput))
			if got.Outcome != tt.wantDeliver {
				t.Errorf("Deliver = %+v, want %s", got, tt.wantDeliver)
			}
		})
	}
}

// TestOptionsScopes holds the channel picker to the token's scopes: private
// channels need groups:read, and without channels:read the error names that
// scope on the token, not an invalid channel.
func TestOptionsScopes(t *testing.T) {
	fake := slackfake.New(t)
	fake.AddChannels(private)
	tests := []struct {
		name      string
		scopes    []string
		want      []string
		wantParam string
		wantText  string
	}{
		{"every scope", slackfake.DefaultScopes, []string{"C0GENERAL", "C0RANDOM", "C0STAFF"}, "", ""},
		{"no groups:read: public only", []string{"chat:write", "channels:read"}, []string{"C0GENERAL", "C0RANDOM"}, "", ""},
		{"chat:write only", []string{"chat:write"}, nil, "token", "channels:read"},
		{"groups:read only", []string{"chat:write", "groups:read"}, nil, "token", "channels:read"},
	}
	c := slack.New(connectortest.NewLogs().Slog())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := plugins.Config{"token": fake.TokenWith(tt.scopes...), "api_base_url": fake.APIURL()}
			opts, err := c.Options(context.Background(), cfg, "channel")
			if param(err) != tt.wantParam || (tt.wantParam == "" && err != nil) {
				t.Fatalf("Options error = %v, want one on %q", err, tt.wantParam)
			}
			if msg := core.ErrorMessage(err); !strings.Contains(msg, tt.wantText) || strings.Contains(msg, "channel does not exist") {
				t.Errorf("Options error %q, want it to name %q and not blame the channel", msg, tt.wantText)
			}
			var got []string
			for _, o := range opts {
				got = append(got, o.Value)
			}
			if !equal(got, tt.want) {
				t.Errorf("options = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestOptionsPages lists a workspace larger than a page of
// conversations.list: the picker follows next_cursor and shows each channel
// once.
func TestOptionsPages(t *testing.T) {
	fake := slackfake.New(t)
	const extra = 450 // with #general and #random, three pages of 200
	for i := range extra {
		fake.AddChannels(slackfake.Channel{ID: fmt.Sprintf("C1%05d", i), Name: fmt.Sprintf("ch-%d", i)})
	}
	c := slack.New(connectortest.NewLogs().Slog())
	opts, err := c.Options(context.Background(), tokenConfig(fake, ""), "channel")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, o := range opts {
		if seen[o.Value] {
			t.Errorf("%s listed twice", o.Value)
		}
		seen[o.Value] = true
	}
	if len(opts) != extra+2 || !seen["C0GENERAL"] || !seen[fmt.Sprintf("C1%05d", extra-1)] {
		t.Errorf("got %d channels, want %d, the first and the last page's included", len(opts), extra+2)
	}
}

// TestDeliverUnsureErrorsPostOnce: Slack may post a message and still answer
// internal_error or fatal_error. The delivery fails for good, saying why,
// so the hub does not retry it and the channel gets the message once.
func TestDeliverUnsureErrorsPostOnce(t *testing.T) {
	for _, code := range []string{"internal_error", "fatal_error"} {
		t.Run(code, func(t *testing.T) {
			fake := slackfake.New(t)
			c := slack.NewWithLimit(connectortest.NewLogs().Slog(), time.Millisecond, 100)
			fake.Fail(slackfake.Failure{Error: code, AfterEffect: true})
			res, err := c.Deliver(context.Background(), tokenConfig(fake, "C0GENERAL"), json.RawMessage(sampleInput))
			if err != nil || res.Outcome != plugins.Failed {
				t.Fatalf("Deliver = %+v, %v; want failed for good", res, err)
			}
			if !strings.Contains(res.Summary, code) || !strings.Contains(res.Summary, "twice") {
				t.Errorf("summary %q, want it to name %s and why it is not retried", res.Summary, code)
			}
			if n := len(fake.Messages()); n != 1 {
				t.Errorf("channel got %d messages, want 1", n)
			}
		})
	}
}

// TestMissingScopeNamesScope: whatever call meets missing_scope, the
// summary names the scope Slack said is needed.
func TestMissingScopeNamesScope(t *testing.T) {
	fake := slackfake.New(t)
	c := slack.NewWithLimit(connectortest.NewLogs().Slog(), time.Millisecond, 100)
	cfg := with(tokenConfig(fake, "C0GENERAL"), "token", fake.TokenWith("channels:read"))
	res, _ := c.Deliver(context.Background(), cfg, json.RawMessage(sampleInput))
	if res.Outcome != plugins.Failed || !strings.Contains(res.Summary, "missing_scope: the app lacks the chat:write scope") {
		t.Errorf("Deliver = %+v, want failed naming chat:write", res)
	}
}
