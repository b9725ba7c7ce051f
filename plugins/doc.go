// Package plugins is Bellhop's connector SDK: the Connector interface a
// connector author implements, Serve for the plugin binary, and Open for the
// hub. gRPC, protobuf and the go-plugin handshake stay inside; an author only
// sees plain Go types.
//
// A connector binary's main is one line:
//
//	func main() { plugins.Serve(myconnector.New()) }
//
// Build it as bellhop-connector-<name> into the hub's plugin directory
// (BELLHOP_PLUGIN_DIR); examples/connector-echo is a complete connector to
// copy.
//
// The hub (core/pluginhost) starts a plugin with Open, which returns a
// *Plugin that implements Connector, OptionLister and RateLimited: a test may use a
// connector in process or as a plugin process interchangeably. Context
// deadlines and cancellation reach the plugin; errors made with core.Errorf
// keep their code, reason and param across the process boundary; an error
// from a plugin that crashed or did not answer in time has code EUNAVAILABLE,
// and the hub retries the delivery.
//
// In a plugin, log with log/slog's default logger: Serve sends its records to
// the hub's logger, tagged with the plugin's name. Stdout and stderr output
// after Serve starts goes to the hub's log too and never disturbs the
// protocol. Never log a secret field.
//
// The host tells a connector whether a call is for a live-mode connection
// with WithEgress; the connector reads it with EgressFrom (the prebuilt ones
// through connectors.HTTPClients) and, in live mode, must not reach internal
// addresses. It rides on the context rather than in Config so that a user
// cannot set it and a connector's form never shows it.
//
// A connector whose service has rate limits declares them by implementing
// RateLimited: for each delivery it returns the Limits it spends, each per
// a key it derives from the configuration or input (a token and a channel),
// and the hub takes them from a GCRA limiter in Redis shared by every hub
// before it calls Deliver. A spent limit defers the delivery, with no
// attempt, to when the limiter allows it; the connector keeps no limiter of
// its own and never sees Redis:
//
//	func (c *Connector) Limits(_ context.Context, cfg plugins.Config, _ json.RawMessage) ([]plugins.Limit, error) {
//		return []plugins.Limit{{Name: "token", Key: cfg["token"].(string), Rate: 100, Period: 10 * time.Second, Burst: 10}}, nil
//	}
//
// A limit the hub cannot count per delivery (Sheets' write requests, one of
// which carries many deliveries' rows) is taken by the connector itself at
// request time, from the Budget the hub lends every Deliver (BudgetFrom):
// Budget.Take takes a Limit's tokens from the same shared limiter in Redis,
// never waits, and says how long until they would be there. Across the
// process boundary the plugin calls back to the hub over go-plugin's
// broker; a Budget is lent for as long as its Deliver call runs, so a
// connector that writes on a goroutine of its own takes through the Budget
// of a delivery still waiting for that write. Without one (tests, an older
// hub) a connector keeps its own limiter.
//
// A connector's configuration form is a list of Field; ConfigSchema turns it
// into the JSON Schema the API validates against and a UI draws, and
// ValidateFields does the checks every connector's Validate needs (required,
// types, enums, URLs, unknown fields) before its own.
package plugins
