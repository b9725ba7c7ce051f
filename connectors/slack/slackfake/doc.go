// Package slackfake is a local stand-in for the Slack Web API and incoming
// webhooks, speaking their wire format so the Slack connector can be tested
// without reaching slack.com: Web API methods take a form-encoded body that
// carries `token` (as slack-go sends it) or a Bearer header, and answer HTTP
// 200 with `{"ok":false,"error":"…"}` on failure; rate limits answer 429 with
// Retry-After; webhooks answer plain-text codes with 400/403/404/410/500
// (https://api.slack.com/changelog/2016-05-17-changes-to-errors-for-incoming-webhooks).
//
//	fake := slackfake.New(t)              // token fake.Token, channel C0GENERAL (#general)
//	c := slack.New(logger)
//	cfg := plugins.Config{"token": fake.Token, "channel": "C0GENERAL", "api_base_url": fake.APIURL()}
//	fake.Fail(slackfake.Failure{Status: 429, RetryAfter: 3}) // the next request is rate limited
//	fake.Messages()                      // what was posted
package slackfake
