// Command bellhop-connector-sheets serves Bellhop's Google Sheets connector
// as a plugin for the hub, which finds it in BELLHOP_PLUGIN_DIR.
package main

import (
	"github.com/bellhop/bellhop/connectors/sheets"
	"github.com/bellhop/bellhop/plugins"
)

func main() { plugins.Serve(sheets.New(nil)) }
