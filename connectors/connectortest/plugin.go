package connectortest

import (
	"testing"

	"github.com/bellhop/bellhop/plugins"
	"github.com/bellhop/bellhop/plugins/plugintest"
)

// OpenPlugin builds the plugin main at pkg (an import path such as
// "github.com/bellhop/bellhop/connectors/slack/cmd/bellhop-connector-slack")
// into t.TempDir(), starts it with plugins.Open with its logs going to logs,
// and stops it when t ends. The result is the same plugins.Connector the hub
// gets, so a test can run the kit through a real plugin process.
func OpenPlugin(t *testing.T, pkg string, logs *Logs) *plugins.Plugin {
	t.Helper()
	bin, err := plugintest.Build(t.TempDir(), pkg)
	if err != nil {
		t.Fatalf("build plugin: %v", err)
	}
	p, err := plugins.Open(bin, plugins.WithLogger(logs.Slog()))
	if err != nil {
		t.Fatalf("open plugin: %v", err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}
