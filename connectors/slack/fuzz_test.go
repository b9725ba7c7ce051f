package slack_test

import (
	"testing"

	"github.com/bellhop/bellhop/connectors/connectortest"
	"github.com/bellhop/bellhop/connectors/slack"
	"github.com/bellhop/bellhop/plugins"
)

// FuzzValidate runs the kit's config fuzzing on Slack's Validate, seeded
// with a token config, a webhook config and the mistakes its own checks
// name (both, neither, a user token, no channel).
func FuzzValidate(f *testing.F) {
	connectortest.FuzzValidate(f, slack.New(nil),
		plugins.Config{"token": "xoxb-1-2-abcdefgh", "channel": "C0123", "api_base_url": "https://slack.example/api"},
		plugins.Config{"webhook_url": "https://hooks.slack.com/services/T0/B0/abcdefgh"},
		plugins.Config{"token": "xoxb-1-2-abcdefgh", "webhook_url": "https://hooks.slack.com/services/T0/B0/x"},
		plugins.Config{"token": "xoxp-user-token", "channel": "C0123"},
		plugins.Config{"token": "xoxb-1-2-abcdefgh"},
		plugins.Config{"token": "  ", "channel": 5, "webhook_url": "ftp://x"},
	)
}
