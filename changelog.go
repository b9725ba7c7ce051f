// Package bellhop holds what belongs to the repository as a whole rather
// than to one part of the hub: today, the changelog.
//
// It exists because go:embed cannot reach outside a package's directory,
// and CHANGELOG.md belongs at the root where people look for it: this
// package embeds it once, and the console (/changelog and its RSS feed)
// reads it from here, so there is no copy to drift.
package bellhop

import _ "embed"

//go:embed CHANGELOG.md
var changelog []byte

// Changelog returns CHANGELOG.md, in Keep a Changelog format.
func Changelog() []byte { return append([]byte(nil), changelog...) }
