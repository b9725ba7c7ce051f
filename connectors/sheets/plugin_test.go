package sheets_test

import (
	"encoding/json"
	"testing"

	"github.com/bellhop/bellhop/connectors/connectortest"
	"github.com/bellhop/bellhop/connectors/sheets/sheetsfake"
	"github.com/bellhop/bellhop/plugins"
)

// TestPlugin delivers through the real plugin binary to the fake, and runs
// the secret-leak check on what the host sees, its logs included.
func TestPlugin(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the plugin binary")
	}
	fake := sheetsfake.New(t)
	logs := connectortest.NewLogs()
	p := connectortest.OpenPlugin(t, "github.com/bellhop/bellhop/connectors/sheets/cmd/bellhop-connector-sheets", logs)
	connectortest.Kit{
		Connector: p, Config: config(fake), Input: json.RawMessage(sampleInput), Logs: logs,
		ExtraSecrets: []string{privateKey(t, fake)},
		Cases: []connectortest.Case{
			{Name: "appended", Want: plugins.Delivered},
			{Name: "403", Arrange: func() { fake.Fail(sheetsfake.Failure{Code: 403}) }, Want: plugins.Failed},
			{Name: "429", Arrange: func() { fake.Fail(sheetsfake.Failure{Code: 429}) }, Want: plugins.Retry},
		},
	}.Run(t)
	if rows := fake.Rows("Bookings"); len(rows) < 2 || rows[0][0] != "Event ID" {
		t.Errorf("rows after delivering through the plugin = %v, want the header and the event", rows)
	}
}
