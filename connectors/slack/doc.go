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
// Outcomes: Slack's permanent errors (channel_not_found, not_in_channel,
// is_archived, invalid_auth, account_inactive, token_revoked, missing_scope,
// invalid_blocks, …) fail for good; 429 retries after Slack's Retry-After;
// 5xx, internal_error and transport errors retry. A per-channel limiter keeps
// to about one message a second, as chat.postMessage asks; when the wait would
// outlast the delivery's context, Deliver returns a Retry with that wait
// instead of blocking. The Result's ExternalID is the message ts (webhooks
// return none).
//
// Check calls auth.test and, when the channel is an id (C…/G…), also
// conversations.info; in webhook mode it only checks the URL's shape, because
// a webhook cannot be called without posting a message, and says so
// (CheckResult.NotContacted: the test answers "contacted": false). Options("channel")
// lists the channels the token can see (conversations.list).
package slack
