// Command bellhop-connector-echo is the smallest complete Bellhop connector:
// it accepts every delivery and answers with what it received. Copy it to
// start a new connector; README.md shows how to make the hub find it.
package main

import "github.com/bellhop/bellhop/plugins"

func main() { plugins.Serve(Echo{}) }
