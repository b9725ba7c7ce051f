// Package slack is Bellhop's Slack connector: it posts each event's message
// (the text and Block Kit blocks made by scripts/slack/default.js) into a
// channel, with a bot token through chat.postMessage, or through an
// incoming-webhook URL.
//
// Run it in process with New(logger), or as a plugin with
// cmd/bellhop-connector-slack. Its input is
//
//	{"text": "fallback and notification text", "blocks": [...], "channel": "optional override"}
//
// # Setting up the Slack app
//
// In the app's settings at api.slack.com/apps, under OAuth & Permissions →
// Bot Token Scopes, add:
//
//   - chat:write, to post messages. Required.
//   - channels:read, so that the connection test can check the channel and
//     the channel picker can list channels (conversations.info and
//     conversations.list).
//   - groups:read, the same for private channels.
//
// Then Install (or Reinstall) to Workspace, copy the Bot User OAuth Token
// (xoxb-…), and invite the app into the channel with /invite. With
// chat:write alone the connector still delivers: Check then says the
// channel was not checked and which scope Slack asked for, and the picker
// answers with an error naming the missing scope; without groups:read the
// picker lists public channels only.
//
// # Outcomes
//
// Slack's permanent errors (channel_not_found, not_in_channel, is_archived,
// invalid_auth, account_inactive, token_revoked, missing_scope,
// invalid_blocks, …) fail for good; missing_scope names the scope Slack said
// is needed. 429 retries after Slack's Retry-After; 5xx, ratelimited,
// service_unavailable and transport errors retry. A per-channel limiter
// keeps to about one message a second, as chat.postMessage asks; when the
// wait would outlast the delivery's context, Deliver returns a Retry with
// that wait instead of blocking. The Result's ExternalID is the message ts
// (webhooks return none).
//
// internal_error and fatal_error from chat.postMessage fail for good, with a
// summary that says the message may or may not be in the channel. Slack's
// docs say of both "It's possible some aspect of the operation succeeded
// before the error was raised", so a retry could post the message twice.
// The other way, looking in the channel with conversations.history for the
// delivery's marker before retrying, was not taken: it needs one more scope
// (channels:history, and groups:history for private channels) from every
// install, a marker in every message, and a read whose rate limit Slack
// tightened in 2025 for apps distributed outside its Marketplace
// (https://docs.slack.dev/apis/web-api/rate-limits); and these errors are
// rare. A person who sees one looks in the channel and
// replays the event if the message is missing. In Check and Options, which
// only read, both are temporary (EUNAVAILABLE).
//
// # Check and Options
//
// Check calls auth.test and reads the token's scopes from the X-OAuth-Scopes
// header of its answer: without chat:write it fails on the token field,
// naming the scope. Then, when the channel is an id (C…/G…), it calls
// conversations.info; a missing read scope is not a failure but a Message
// saying the channel was not checked and why. A #name is not looked up (the
// method takes ids) and the Message says so. In webhook mode Check only
// checks the URL's shape, because a webhook cannot be called without
// posting a message, and says so (CheckResult.NotContacted: the test answers
// "contacted": false). Options("channel") lists the channels the token can
// see (conversations.list, following response_metadata.next_cursor, 200 a
// page, up to 2,000 channels).
//
// # What the fake was checked against
//
// slackfake names, in its package doc and beside each behaviour, the
// reference it follows: Slack's Web API OpenAPI spec
// (github.com/slackapi/slack-api-specs, web-api/slack_web_openapi_v2.json)
// for each method's scopes, the missing_scope answer with needed and
// provided, and conversations.list's limit and cursor; Slack's method docs
// for the common errors (internal_error, fatal_error) and rate limits (429
// with Retry-After). Where the references are silent (the needed value for
// a token with only some read scopes; the X-OAuth-Scopes header) the fake's
// comment says it is an assumption and what it rests on.
package slack
