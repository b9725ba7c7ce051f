package hubspot_test

import (
	"encoding/json"
	"testing"

	"github.com/bellhop/bellhop/connectors/connectortest"
	"github.com/bellhop/bellhop/connectors/hubspot/hubspotfake"
	"github.com/bellhop/bellhop/plugins"
)

// TestPlugin delivers through the real plugin binary to the fake, and runs
// the secret-leak check on what the host sees, its logs included.
func TestPlugin(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the plugin binary")
	}
	fake := hubspotfake.New(t)
	logs := connectortest.NewLogs()
	p := connectortest.OpenPlugin(t, "github.com/bellhop/bellhop/connectors/hubspot/cmd/bellhop-connector-hubspot", logs)
	connectortest.Kit{
		Connector: p, Config: config(fake), Input: json.RawMessage(sampleInput), Logs: logs,
		Cases: []connectortest.Case{
			{Name: "saved", Want: plugins.Delivered},
			{Name: "401", Config: plugins.Config{"token": "pat-wrong", "api_base_url": fake.URL}, Want: plugins.Failed},
			{Name: "429", Arrange: func() { fake.Fail(hubspotfake.Failure{Status: 429, RetryAfter: 3}) }, Want: plugins.Retry, WantRetryAfter: 3e9},
		},
	}.Run(t)
	if _, ok := fake.Contact("ada@example.com"); !ok {
		t.Error("the fake has no contact after delivering through the plugin")
	}
}
