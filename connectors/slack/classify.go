package slack

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/slack-go/slack"

	"github.com/bellhop/bellhop/connectors"
	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/plugins"
)

// retryable are Slack error codes that may go away on their own; every other
// code names something the operator must fix, so it fails for good.
var retryable = map[string]bool{
	"ratelimited":         true,
	"rate_limited":        true,
	"internal_error":      true,
	"fatal_error":         true,
	"service_unavailable": true,
	"request_timeout":     true,
	"team_added_to_org":   true,
}

// hints turn Slack's permanent codes into what an operator should do.
var hints = map[string]string{
	"channel_not_found": "the channel does not exist or the app cannot see it",
	"not_in_channel":    "the app is not in the channel: invite it with /invite",
	"is_archived":       "the channel is archived",
	"invalid_auth":      "Slack does not accept the token",
	"account_inactive":  "the token's workspace or user is deactivated",
	"token_revoked":     "the token was revoked: reinstall the app and paste the new token",
	"missing_scope":     "the app lacks the chat:write scope",
	"not_authed":        "no token was sent",
}

// classify turns a slack-go error into a Result.
func classify(err error, cfg config) plugins.Result {
	var rl *slack.RateLimitedError
	var api slack.SlackErrorResponse
	var status slack.StatusCodeError
	if res, ok := connectors.Blocked(err); ok {
		return res
	}
	switch {
	case errors.As(err, &rl):
		return connectors.RetryLater(rl.RetryAfter, fmt.Sprintf("Slack rate limit: retry after %s", rl.RetryAfter))
	case errors.As(err, &api):
		summary := "Slack answered " + api.Err
		if h := hints[api.Err]; h != "" {
			summary += ": " + h
		}
		if retryable[api.Err] {
			return connectors.RetryLater(0, summary)
		}
		return connectors.Fail(summary)
	case errors.As(err, &status):
		summary := fmt.Sprintf("Slack answered HTTP %d", status.Code)
		if connectors.OutcomeForStatus(status.Code) == plugins.Retry {
			return connectors.RetryLater(0, summary)
		}
		return connectors.Fail(summary)
	default:
		return connectors.RetryLater(0, "Slack could not be reached: "+transportText(err, cfg))
	}
}

// checkError turns a slack-go error from Check or Options into a core error
// that names the field at fault.
func checkError(err error, cfg config, field string) error {
	res := classify(err, cfg)
	if _, blocked := connectors.Blocked(err); blocked {
		field = "api_base_url"
	}
	if res.Outcome == plugins.Failed {
		return core.ParamError(field, "%s", res.Summary)
	}
	return core.Errorf(core.EUNAVAILABLE, "%s", res.Summary)
}

// transportText drops the URL a net/http error carries (a webhook URL is a
// secret) and redacts whatever else could hold one.
func transportText(err error, cfg config) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return connectors.Redact(err.Error(), cfg.secrets()...)
}
