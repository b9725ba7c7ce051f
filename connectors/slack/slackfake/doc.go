// Package slackfake is a local stand-in for the Slack Web API and incoming
// webhooks, speaking their wire format so the Slack connector can be tested
// without reaching slack.com: Web API methods take a form-encoded body that
// carries `token` (as slack-go sends it) or a Bearer header, and answer HTTP
// 200 with `{"ok":false,"error":"…"}` on failure; rate limits answer 429 with
// Retry-After; webhooks answer plain-text codes with 400/403/404/410/500
// (https://api.slack.com/changelog/2016-05-17-changes-to-errors-for-incoming-webhooks).
//
// It enforces what Slack enforces where that changes the connector's
// outcome:
//
//   - Scopes. Each token carries Bot Token Scopes (Token has DefaultScopes;
//     TokenWith makes others). A method called without its scope answers
//     {"ok":false,"error":"missing_scope","needed":"channels:read","provided":"chat:write"}
//     and every answer carries X-OAuth-Scopes (see scopes.go and methods.go
//     for which scope each method needs, and which parts are assumptions).
//   - Pagination. conversations.list honours types, exclude_archived, limit
//     and cursor, and pages with response_metadata.next_cursor (list.go).
//   - Visibility. A private channel is invisible to a bot that is not in it
//     (channel_not_found, not listed).
//
// References checked, and where a behaviour comes from:
//
//   - Slack's Web API OpenAPI spec, github.com/slackapi/slack-api-specs
//     web-api/slack_web_openapi_v2.json (the last published version, 2020):
//     each method's scopes (chat.postMessage "Requires scope: chat:write";
//     conversations.info and .list: channels:read, groups:read, im:read,
//     mpim:read; auth.test: none), the error schemas with `needed` and
//     `provided`, conversations.list's limit (≤ 1000) and cursor with
//     response_metadata.next_cursor.
//   - The errors every Web API method page lists, as republished from
//     Slack's method docs by slack-ruby/slack-api-ref and slack_kit
//     (priv/docs/common_errors.json): internal_error and fatal_error both
//     say "It's possible some aspect of the operation succeeded before the
//     error was raised"; conversations.list adds invalid_cursor,
//     invalid_limit and invalid_types. And
//     https://api.slack.com/docs/rate-limits: 429 with Retry-After, about
//     one message a second per channel.
//   - What neither says is marked in a comment where the fake does it: the
//     `needed` value for a token with some but not all read scopes, and the
//     X-OAuth-Scopes header (described by slack-go and slack-ruby-client,
//     not by the spec).
//
// In a test:
//
//	fake := slackfake.New(t)              // token fake.Token, channel C0GENERAL (#general)
//	c := slack.New(logger)
//	cfg := plugins.Config{"token": fake.Token, "channel": "C0GENERAL", "api_base_url": fake.APIURL()}
//	fake.Fail(slackfake.Failure{Status: 429, RetryAfter: 3}) // the next request is rate limited
//	fake.Fail(slackfake.Failure{Error: "fatal_error", AfterEffect: true}) // posts, then answers fatal_error
//	limited := fake.TokenWith("chat:write") // a token that cannot read channels
//	fake.Messages()                      // what was posted
package slackfake
