// Package connectors holds what Bellhop's prebuilt connectors share, in the
// way alertmanager's notify package serves its receivers: turning an HTTP
// answer into a plugins.Outcome, client-side rate limiters that never wait
// past a context, and keeping secrets out of summaries and logs.
//
// Each connector lives in its own package below this one (slack, hubspot,
// sheets), with its configuration in config.go, its plugins.Connector in
// connector.go, a faithful fake of the remote API in <name>fake, and a
// ten-line plugin main in cmd/bellhop-connector-<name>. Every connector's
// tests run the shared kit in connectortest: the retry classification table
// and the "no secret leaks" check.
//
// A connector builds its results with Delivered, RetryLater and Fail, maps a
// remote HTTP status with OutcomeForStatus, reads a hint with RetryAfter,
// waits for its budget with Limiters.Wait, and passes any text that may echo
// remote or transport errors through Redact before it reaches a Summary or a
// log line.
//
// Every outbound call goes through HTTPClients.For(ctx): in live mode
// (plugins.EgressFrom) it refuses internal addresses at dial time, so a
// user-set api_base_url or webhook URL cannot reach the hub's own network;
// Blocked turns such a refusal into a failed-for-good result naming the
// address.
package connectors
