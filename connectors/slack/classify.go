package slack

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/slack-go/slack"

	"github.com/bellhop/bellhop/connectors"
	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/plugins"
)

// retryable are Slack error codes that may go away on their own and leave
// nothing done behind them; every other code names something the operator
// must fix, or (unsure) may have been done, so it fails for good.
var retryable = map[string]bool{
	"ratelimited":         true,
	"rate_limited":        true,
	"service_unavailable": true,
	"request_timeout":     true,
	"team_added_to_org":   true,
}

// unsure are the codes after which Slack may have carried the call out:
// its docs say of both "It's possible some aspect of the operation
// succeeded before the error was raised". A retried chat.postMessage could
// then post the message twice, so Deliver fails for good and says so (see
// the package doc); a read (Check, Options) is safe to try again.
var unsure = map[string]bool{
	"internal_error": true,
	"fatal_error":    true,
}

// hints turn Slack's permanent codes into what an operator should do.
// missing_scope is not here: its hint names the scope Slack asked for.
var hints = map[string]string{
	"channel_not_found": "the channel does not exist, or it is private and the app is not in it",
	"not_in_channel":    "the app is not in the channel: invite it with /invite",
	"is_archived":       "the channel is archived",
	"invalid_auth":      "Slack does not accept the token",
	"account_inactive":  "the token's workspace or user is deactivated",
	"token_revoked":     "the token was revoked: reinstall the app and paste the new token",
	"not_authed":        "no token was sent",
}

// classify turns a slack-go error from a delivery into a Result.
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
	case errors.As(err, &api) && unsure[api.Err]:
		return connectors.Fail("Slack answered " + api.Err + ": the message may or may not have been posted, " +
			"and a retry could post it twice, so it is not retried. Look in the channel and replay the event if it is missing")
	case errors.As(err, &api):
		summary := apiSummary(api)
		if retryable[api.Err] {
			return connectors.RetryLater(0, summary)
		}
		return connectors.Fail(summary)
	case errors.As(err, &status):
		return connectors.ForStatus(status.Code, 0, fmt.Sprintf("Slack answered HTTP %d", status.Code))
	default:
		return connectors.RetryLater(0, "Slack could not be reached: "+transportText(err, cfg))
	}
}

// apiSummary is "Slack answered <code>" with what to do about it.
func apiSummary(api slack.SlackErrorResponse) string {
	summary := "Slack answered " + api.Err
	if api.Err == "missing_scope" {
		return summary + ": " + missingScope(api.Needed, api.Provided)
	}
	if h := hints[api.Err]; h != "" {
		summary += ": " + h
	}
	return summary
}

// missingScope names the scope Slack said is needed (its `needed` field,
// which lists several when any one of them would do), the ones the token
// has (`provided`), and where to add it.
func missingScope(needed, provided string) string {
	msg := "the app lacks the " + needed + " scope"
	advice := ". Add it under OAuth & Permissions → Bot Token Scopes, then reinstall the app"
	switch {
	case needed == "":
		msg = "the app lacks a scope this call needs"
	case strings.Contains(needed, ","):
		// Slack names every scope that would do (for conversations.*:
		// channels:read,groups:read,mpim:read,im:read); say which we use.
		msg = "the app has none of the scopes " + strings.ReplaceAll(needed, ",", ", ")
		advice = ". Add " + scopeRead + " (and " + scopePrivate + " for private channels) under " +
			"OAuth & Permissions → Bot Token Scopes, then reinstall the app"
	}
	if provided != "" {
		msg += " (it has " + strings.ReplaceAll(provided, ",", ", ") + ")"
	}
	return msg + advice
}

// checkError turns a slack-go error from Check or Options into a core error
// that names the field at fault: the token for a missing scope, else field.
// Those calls only read, so internal_error and fatal_error are EUNAVAILABLE
// (try again), not the failure they are for a delivery.
func checkError(err error, cfg config, field string) error {
	var api slack.SlackErrorResponse
	if errors.As(err, &api) && unsure[api.Err] {
		return core.Errorf(core.EUNAVAILABLE, "Slack answered %s: try again in a moment", api.Err)
	}
	if errors.As(err, &api) && api.Err == "missing_scope" {
		field = "token"
	}
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
