// Package connectors holds what Bellhop's prebuilt connectors share, in the
// way alertmanager's notify package serves its receivers: turning an HTTP
// answer into a plugins.Outcome, declaring a remote API's pace, and keeping
// secrets out of summaries and logs.
//
// Each connector lives in its own package below this one (slack, hubspot,
// sheets), with its configuration in config.go, its plugins.Connector in
// connector.go, a faithful fake of the remote API in <name>fake, and a
// ten-line plugin main in cmd/bellhop-connector-<name>. Every connector's
// tests run the shared kit in connectortest: the retry classification table
// and the "no secret leaks" check.
//
// A connector builds its results with Delivered, RetryLater and Fail, and
// with ForStatus for a remote HTTP error status (classified as the hub
// classifies a webhook's answer, and reported so that 5xx answers count
// toward the hub's circuit breaker), reads a hint with RetryAfter,
// and passes any text that may echo remote or transport errors through
// Redact before it reaches a Summary or a log line.
//
// # Rate limits are shared by every hub
//
// A remote API's limit (Slack about one message a second per channel,
// HubSpot 100 requests per 10 s per token) is declared, not kept, by the
// connector: it implements plugins.RateLimited, returning for each delivery
// a Pace.Limit named for what it is per, with the key it is per and the
// requests the delivery makes:
//
//	func (c *Connector) Limits(_ context.Context, cfg plugins.Config, in json.RawMessage) ([]plugins.Limit, error) {
//		return []plugins.Limit{c.pace.Limit("token", parseConfig(cfg).token, 1)}, nil
//	}
//
// The hub hashes the key (a token never reaches Redis), takes the requests
// from a GCRA limiter in Redis under the connection's account, shared by
// every hub, and only then calls Deliver. When the pace is spent the
// delivery is deferred to when the limiter allows it, with no attempt spent
// and no worker sleeping; three hubs spend one channel's budget once, not
// three times. The connector keeps no limiter of its own, which would only
// see its process's share and make a delivery wait twice; a 429 that still
// comes (the service counts something else too) is a RetryLater with the
// service's Retry-After. Declare a pace a little under the published limit:
// the time between the hub's grant and the request reaching the service
// varies.
//
// A budget that is not counted per delivery is taken at request time
// instead: Google Sheets' 60 write requests a minute, where one write
// carries the rows of every delivery that waited for it. The hub lends
// every Deliver a plugins.Budget (plugins.BudgetFrom), backed by the same
// limiter in Redis, and the connector takes one token of its Pace.Limit
// per write, through the budget of a delivery still waiting for that write
// (see the sheets package). Limiters, a per-process token bucket, is only
// the fallback when no hub lends a budget (a connector used directly, an
// older hub): it sees its own process's share alone.
//
// Every outbound call goes through HTTPClients.For(ctx): in live mode
// (plugins.EgressFrom) it refuses internal addresses at dial time, so a
// user-set api_base_url or webhook URL cannot reach the hub's own network;
// Blocked turns such a refusal into a failed-for-good result naming the
// address.
package connectors
