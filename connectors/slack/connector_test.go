package slack_test

import (
	"context"
	"encoding/json"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/connectors/connectortest"
	"github.com/bellhop/bellhop/connectors/slack"
	"github.com/bellhop/bellhop/connectors/slack/slackfake"
	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/plugins"
)

const sampleInput = `{"text":"New reservation R-1001 for Ada Lovelace","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"*New reservation* R-1001"}},{"type":"divider"}]}`

func tokenConfig(fake *slackfake.Server, channel string) plugins.Config {
	return plugins.Config{"token": fake.Token, "channel": channel, "api_base_url": fake.APIURL()}
}

func with(cfg plugins.Config, k, v string) plugins.Config {
	out := plugins.Config{}
	for n, x := range cfg {
		out[n] = x
	}
	out[k] = v
	return out
}

func TestKit(t *testing.T) {
	fake := slackfake.New(t)
	logs := connectortest.NewLogs()
	cfg := tokenConfig(fake, "C0GENERAL")
	revoked := func(code string) func() {
		return func() { fake.TokenError = code }
	}
	healthy := func() { fake.TokenError = "" }
	cases := []connectortest.Case{
		{Name: "posted", Arrange: healthy, Want: plugins.Delivered},
		{Name: "channel_not_found", Arrange: healthy, Config: with(cfg, "channel", "C0NOPE"), Want: plugins.Failed},
		{Name: "not_in_channel", Arrange: healthy, Config: with(cfg, "channel", "C0RANDOM"), Want: plugins.Failed},
		{Name: "is_archived", Arrange: healthy, Config: with(cfg, "channel", "#old"), Want: plugins.Failed},
		{Name: "invalid_auth", Arrange: healthy, Config: with(cfg, "token", "xoxb-not-the-right-token"), Want: plugins.Failed},
		{Name: "account_inactive", Arrange: revoked("account_inactive"), Want: plugins.Failed},
		{Name: "token_revoked", Arrange: revoked("token_revoked"), Want: plugins.Failed},
		{Name: "429 with Retry-After", Arrange: func() { healthy(); fake.Fail(slackfake.Failure{Status: 429, RetryAfter: 7}) }, Want: plugins.Retry, WantRetryAfter: 7 * time.Second},
		{Name: "ratelimited in body", Arrange: func() { fake.Fail(slackfake.Failure{Error: "ratelimited"}) }, Want: plugins.Retry},
		// Slack may have posted before answering these: a retry could post twice.
		{Name: "internal_error", Arrange: func() { fake.Fail(slackfake.Failure{Error: "internal_error"}) }, Want: plugins.Failed},
		{Name: "fatal_error", Arrange: func() { fake.Fail(slackfake.Failure{Error: "fatal_error"}) }, Want: plugins.Failed},
		{Name: "service_unavailable", Arrange: func() { fake.Fail(slackfake.Failure{Error: "service_unavailable"}) }, Want: plugins.Retry},
		{Name: "missing_scope", Arrange: healthy, Config: with(cfg, "token", fake.TokenWith("channels:read")), Want: plugins.Failed},
		{Name: "503", Arrange: func() { fake.Fail(slackfake.Failure{Status: 503}) }, Want: plugins.Retry},
		{Name: "invalid_blocks", Input: json.RawMessage(`{"text":"x","blocks":[{"text":"no type"}]}`), Want: plugins.Failed},
		{Name: "input not a message", Input: json.RawMessage(`[1,2]`), Want: plugins.Failed},
		{Name: "webhook posted", Config: plugins.Config{"webhook_url": fake.WebhookURL()}, Want: plugins.Delivered},
		{Name: "webhook no_service", Config: plugins.Config{"webhook_url": fake.WebhookURL() + "x"}, Want: plugins.Failed},
		{Name: "webhook 429", Arrange: func() { fake.Fail(slackfake.Failure{Status: 429, RetryAfter: 2}) }, Config: plugins.Config{"webhook_url": fake.WebhookURL()}, Want: plugins.Retry, WantRetryAfter: 2 * time.Second},
		{Name: "webhook 500 rollup_error", Arrange: func() { fake.Fail(slackfake.Failure{Status: 500}) }, Config: plugins.Config{"webhook_url": fake.WebhookURL()}, Want: plugins.Retry},
		{Name: "webhook channel_is_archived", Arrange: func() { fake.Fail(slackfake.Failure{Status: 410, Error: "channel_is_archived"}) }, Config: plugins.Config{"webhook_url": fake.WebhookURL()}, Want: plugins.Failed},
		{Name: "unreachable", Config: plugins.Config{"webhook_url": "http://127.0.0.1:1/services/T/B/unreachablesecret"}, Want: plugins.Retry},
	}
	kit := connectortest.Kit{
		Connector:    slack.NewWithLimit(logs.Slog(), time.Millisecond, 100),
		Config:       cfg,
		Input:        json.RawMessage(sampleInput),
		Cases:        cases,
		Logs:         logs,
		ExtraSecrets: []string{fake.WebhookPath, "unreachablesecret"},
		Received:     func() int { return len(fake.Messages()) },
		OptionField:  "channel",
	}
	kit.Run(t)
}

func TestDeliverPostsTextAndBlocks(t *testing.T) {
	tests := []struct {
		name        string
		input       string
		wantChannel string
		wantBlocks  bool
	}{
		{"text and blocks", sampleInput, "C0GENERAL", true},
		{"text only", `{"text":"Guest checked in"}`, "C0GENERAL", false},
		{"blocks null", `{"text":"Guest checked in","blocks":null}`, "C0GENERAL", false},
		{"channel override by name", `{"text":"hi","channel":"#general"}`, "C0GENERAL", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := slackfake.New(t)
			c := slack.NewWithLimit(connectortest.NewLogs().Slog(), time.Millisecond, 10)
			res, err := c.Deliver(context.Background(), tokenConfig(fake, "C0GENERAL"), json.RawMessage(tt.input))
			if err != nil || res.Outcome != plugins.Delivered {
				t.Fatalf("Deliver = %+v, %v; want delivered", res, err)
			}
			msgs := fake.Messages()
			if len(msgs) != 1 {
				t.Fatalf("fake got %d messages, want 1", len(msgs))
			}
			if got := msgs[0].Channel; got != tt.wantChannel {
				t.Errorf("channel = %q, want %q", got, tt.wantChannel)
			}
			if got := msgs[0].TS; got != res.ExternalID || got == "" {
				t.Errorf("external id = %q, want the message ts %q", res.ExternalID, got)
			}
			if got := len(msgs[0].Blocks) > 0; got != tt.wantBlocks {
				t.Errorf("blocks sent = %v, want %v", got, tt.wantBlocks)
			}
		})
	}
}

func TestDeliverBlocksArriveIntact(t *testing.T) {
	fake := slackfake.New(t)
	c := slack.New(connectortest.NewLogs().Slog())
	if _, err := c.Deliver(context.Background(), plugins.Config{"webhook_url": fake.WebhookURL()}, json.RawMessage(sampleInput)); err != nil {
		t.Fatal(err)
	}
	msgs := fake.Messages()
	if len(msgs) != 1 {
		t.Fatalf("fake got %d messages, want 1", len(msgs))
	}
	var got []map[string]any
	if err := json.Unmarshal(msgs[0].Blocks, &got); err != nil {
		t.Fatalf("blocks: %v", err)
	}
	if len(got) != 2 || got[0]["type"] != "section" || got[1]["type"] != "divider" {
		t.Errorf("blocks = %s, want the section and the divider", msgs[0].Blocks)
	}
}

// Limits declares Slack's pace per token and channel (the channel a script
// picks counts), or per webhook; the hub keeps it, so Deliver never waits.
func TestLimits(t *testing.T) {
	fake := slackfake.New(t)
	c := slack.New(connectortest.NewLogs().Slog())
	pace := func(name, key string) []plugins.Limit {
		return []plugins.Limit{{Name: name, Key: key, Rate: 1, Period: time.Second, Burst: 3, Cost: 1}}
	}
	tests := []struct {
		name   string
		config plugins.Config
		input  string
		want   []plugins.Limit
	}{
		{"configured channel", tokenConfig(fake, "C0GENERAL"), `{"text":"hi"}`, pace("channel", fake.Token+"\x00C0GENERAL")},
		{"channel the script picks", tokenConfig(fake, "C0GENERAL"), `{"text":"hi","channel":"C0RANDOM"}`, pace("channel", fake.Token+"\x00C0RANDOM")},
		{"unreadable input spends the configured channel", tokenConfig(fake, "C0GENERAL"), `[`, pace("channel", fake.Token+"\x00C0GENERAL")},
		{"incoming webhook", plugins.Config{"webhook_url": fake.WebhookURL()}, `{"text":"hi"}`, pace("webhook", fake.WebhookURL())},
		{"invalid configuration", plugins.Config{}, `{"text":"hi"}`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.Limits(context.Background(), tc.config, json.RawMessage(tc.input))
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Limits = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

// Deliver keeps no limiter of its own: a pace it declared does not hold
// back a message (the hub would have), so no hub's worker ever sleeps in it.
func TestDeliverDoesNotWait(t *testing.T) {
	fake := slackfake.New(t)
	c := slack.NewWithLimit(connectortest.NewLogs().Slog(), time.Hour, 1)
	for i := range 3 {
		if res, _ := c.Deliver(context.Background(), tokenConfig(fake, "C0GENERAL"), json.RawMessage(`{"text":"one"}`)); res.Outcome != plugins.Delivered {
			t.Fatalf("delivery %d = %+v, want delivered", i, res)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name       string
		config     plugins.Config
		wantFields []string
	}{
		{"token and channel", plugins.Config{"token": "xoxb-1", "channel": "C1"}, nil},
		{"webhook", plugins.Config{"webhook_url": "https://hooks.slack.com/services/T/B/x"}, nil},
		{"nothing", plugins.Config{}, []string{"token"}},
		{"user token", plugins.Config{"token": "xoxp-1", "channel": "C1"}, []string{"token"}},
		{"no channel", plugins.Config{"token": "xoxb-1"}, []string{"channel"}},
		{"both", plugins.Config{"token": "xoxb-1", "channel": "C1", "webhook_url": "https://hooks.slack.com/x"}, []string{"webhook_url"}},
		{"bad webhook", plugins.Config{"webhook_url": "hooks.slack.com/x"}, []string{"webhook_url"}},
		{"bad base url", plugins.Config{"token": "xoxb-1", "channel": "C1", "api_base_url": "ftp://x"}, []string{"api_base_url"}},
	}
	c := slack.New(connectortest.NewLogs().Slog())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fes, err := c.Validate(context.Background(), tt.config)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, fe := range fes {
				got = append(got, fe.Field)
			}
			if !equal(got, tt.wantFields) {
				t.Errorf("fields at fault = %v, want %v (%+v)", got, tt.wantFields, fes)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	fake := slackfake.New(t)
	cfg := tokenConfig(fake, "C0GENERAL")
	tests := []struct {
		name             string
		config           plugins.Config
		wantCode         string
		wantNotContacted bool
	}{
		{"good", cfg, "", false},
		{"channel by name", with(cfg, "channel", "#general"), "", false},
		{"bad token", with(cfg, "token", "xoxb-wrong"), core.EINVALID, false},
		{"unknown channel", with(cfg, "channel", "C0NOPE"), core.EINVALID, false},
		{"not a member", with(cfg, "channel", "C0RANDOM"), core.EINVALID, false},
		{"unreachable", with(cfg, "api_base_url", "http://127.0.0.1:1/api/"), core.EUNAVAILABLE, false},
		// An incoming webhook cannot be checked without posting: say so.
		{"webhook", plugins.Config{"webhook_url": fake.WebhookURL()}, "", true},
		{"bad webhook", plugins.Config{"webhook_url": "hooks.slack.com/x"}, core.EINVALID, false},
	}
	c := slack.New(connectortest.NewLogs().Slog())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := c.Check(context.Background(), tt.config)
			if got := core.ErrorCode(err); got != tt.wantCode {
				t.Errorf("Check = %v (code %q), want code %q", err, got, tt.wantCode)
			}
			if res.NotContacted != tt.wantNotContacted {
				t.Errorf("Check = %+v, want NotContacted %v", res, tt.wantNotContacted)
			}
			if tt.wantNotContacted && !strings.Contains(res.Message, "not contacted") {
				t.Errorf("message = %q, want it to say the webhook was not contacted", res.Message)
			}
		})
	}
	if m := fake.Messages(); len(m) != 0 {
		t.Errorf("Check posted %d messages, want none", len(m))
	}
}

func TestOptionsListsChannels(t *testing.T) {
	fake := slackfake.New(t)
	c := slack.New(connectortest.NewLogs().Slog())
	opts, err := c.Options(context.Background(), tokenConfig(fake, ""), "channel")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range opts {
		got = append(got, o.Value+" "+o.Label)
	}
	want := []string{"C0GENERAL #general", "C0RANDOM #random"}
	if !equal(got, want) {
		t.Errorf("options = %v, want %v", got, want)
	}
	if _, err := c.Options(context.Background(), tokenConfig(fake, ""), "token"); core.ErrorCode(err) != core.EINVALID {
		t.Errorf("Options(token) error = %v, want EINVALID", err)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestLiveWebhookURLRefused holds that a live-mode connection cannot aim
// its incoming-webhook URL at an internal address: the delivery fails for
// good naming it, and the fake gets nothing.
func TestLiveWebhookURLRefused(t *testing.T) {
	fake := slackfake.New(t)
	c := slack.NewWithLimit(nil, time.Millisecond, 100)
	cfg := plugins.Config{"webhook_url": fake.WebhookURL()}
	live := plugins.WithEgress(context.Background(), plugins.Egress{Livemode: true})
	res, err := c.Deliver(live, cfg, json.RawMessage(sampleInput))
	if err != nil || res.Outcome != plugins.Failed || !strings.Contains(res.Summary, "127.0.0.1") {
		t.Errorf("live Deliver = %+v, %v; want failed naming 127.0.0.1", res, err)
	}
	if strings.Contains(res.Summary, fake.WebhookPath) {
		t.Errorf("summary %q leaks the webhook URL", res.Summary)
	}
	if n := len(fake.Messages()); n != 0 {
		t.Errorf("fake got %d messages in live mode, want 0", n)
	}
	allowed := plugins.WithEgress(context.Background(), plugins.Egress{Livemode: true, AllowedRanges: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	if res, err := c.Deliver(allowed, cfg, json.RawMessage(sampleInput)); err != nil || res.Outcome != plugins.Delivered {
		t.Errorf("live Deliver with 127.0.0.0/8 allowed = %+v, %v; want delivered", res, err)
	}
}
