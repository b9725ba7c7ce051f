// Command bellhop-connector-hubspot serves Bellhop's hubspot connector as a plugin
// for the hub, which finds it in BELLHOP_PLUGIN_DIR.
package main

import (
	"github.com/bellhop/bellhop/connectors/hubspot"
	"github.com/bellhop/bellhop/plugins"
)

func main() { plugins.Serve(hubspot.New(nil)) }
