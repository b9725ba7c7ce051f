package slack_test

import (
	"encoding/json"
	"testing"

	"github.com/bellhop/bellhop/connectors/connectortest"
	"github.com/bellhop/bellhop/connectors/slack/slackfake"
	"github.com/bellhop/bellhop/plugins"
)

// TestPlugin delivers through the real plugin binary to the fake, and runs
// the secret-leak check on what the host sees, its logs included.
func TestPlugin(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the plugin binary")
	}
	fake := slackfake.New(t)
	logs := connectortest.NewLogs()
	p := connectortest.OpenPlugin(t, "github.com/bellhop/bellhop/connectors/slack/cmd/bellhop-connector-slack", logs)
	cfg := tokenConfig(fake, "C0GENERAL")
	kit := connectortest.Kit{
		Connector: p, Config: cfg, Input: json.RawMessage(sampleInput), Logs: logs,
		ExtraSecrets: []string{fake.WebhookPath},
		Cases: []connectortest.Case{
			{Name: "posted", Want: plugins.Delivered},
			{Name: "webhook posted", Config: plugins.Config{"webhook_url": fake.WebhookURL()}, Want: plugins.Delivered},
			{Name: "not_in_channel", Config: with(cfg, "channel", "C0RANDOM"), Want: plugins.Failed},
			{Name: "invalid_auth", Config: with(cfg, "token", "xoxb-wrong"), Want: plugins.Failed},
			{Name: "503", Arrange: func() { fake.Fail(slackfake.Failure{Status: 503}) }, Config: plugins.Config{"webhook_url": fake.WebhookURL()}, Want: plugins.Retry},
		},
	}
	kit.Run(t)
	var posted int
	for _, m := range fake.Messages() {
		if m.Channel == "C0GENERAL" {
			posted++
		}
	}
	if posted < 2 {
		t.Errorf("the fake got %d messages in C0GENERAL, want at least the two delivered ones", posted)
	}
}
