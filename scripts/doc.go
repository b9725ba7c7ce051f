// Package scripts is the JavaScript transform library that ships with the
// hub: the default transform of each prebuilt connector (slack/default.js,
// hubspot/default.js, sheets/default.js), ready-made transforms a developer
// copies (library/), and bellhop.d.ts, the type definitions for editors.
//
// The scripts are embedded: Read("slack/default.js") returns one, List names
// them all. Each connector default's output is that connector's input
// contract, written at the top of the script.
//
// bellhop.d.ts is generated from the catalog's JSON Schemas by ./gen
// (`go generate ./scripts`); a test fails when the
// committed file is out of date. Every script has a test that runs it on the
// catalog's sample events and compares with testdata/<script>/<type>.json
// (`go test ./scripts -update` rewrites them; review the diff).
package scripts
