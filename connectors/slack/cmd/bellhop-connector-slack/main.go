// Command bellhop-connector-slack serves Bellhop's slack connector as a plugin
// for the hub, which finds it in BELLHOP_PLUGIN_DIR.
package main

import (
	"github.com/bellhop/bellhop/connectors/slack"
	"github.com/bellhop/bellhop/plugins"
)

func main() { plugins.Serve(slack.New(nil)) }
