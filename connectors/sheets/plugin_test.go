package sheets_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

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

// TestPluginTakesTheHubsBudget holds that the plugin binary's writer takes
// its write token from the budget the host lends with Deliver, across the
// process boundary (go-plugin's broker), rather than from a limiter of its
// own; and that a budget spent for longer than a batch waits reaches the
// host as a retry with the hub's wait.
func TestPluginTakesTheHubsBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the plugin binary")
	}
	fake := sheetsfake.New(t)
	p := connectortest.OpenPlugin(t, "github.com/bellhop/bellhop/connectors/sheets/cmd/bellhop-connector-sheets", connectortest.NewLogs())
	b := &gateBudget{}
	b.open.Store(true)
	ctx, cancel := context.WithTimeout(plugins.WithBudget(context.Background(), b), 30*time.Second)
	defer cancel()
	for i := range 2 {
		if res, err := p.Deliver(ctx, config(fake), rowInput(fmt.Sprint("evt_", i))); err != nil || res.Outcome != plugins.Delivered {
			t.Fatalf("delivery %d: %+v, %v", i, res, err)
		}
	}
	_, granted := b.counts()
	// The binary's pace is production's: 57 a minute in bursts of 3.
	want := plugins.Limit{Name: "writes", Key: fake.ClientEmail, Rate: 1, Period: time.Minute / 57, Burst: 3, Cost: 1}
	if len(granted) != 2 || granted[0] != want {
		t.Errorf("the host granted %v, want two tokens of %+v", granted, want)
	}

	spent := &gateBudget{wait: 10 * time.Minute}
	res, err := p.Deliver(plugins.WithBudget(ctx, spent), config(fake), rowInput("evt_held"))
	if err != nil || res.Outcome != plugins.Retry || res.RetryAfter != 10*time.Minute {
		t.Errorf("with the hub's budget spent: %+v, %v; want retry after 10m", res, err)
	}
	if got := fake.Appends(); got != 2 {
		t.Errorf("the fake got %d appends, want 2", got)
	}
}
