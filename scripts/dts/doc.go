// Package dts writes bellhop.d.ts, the TypeScript definitions script authors'
// editors use: the transform signature, the envelope, the context and the
// data.object of every event type, translated from the catalog's JSON Schemas.
//
// Generate takes the event types and returns the whole file, sorted so that
// it changes only when the catalog does; `go generate ./scripts` writes it,
// and scripts' TestTypeDefinitionsUpToDate fails when the committed file
// falls behind:
//
//	cat, err := catalog.New(nil)
//	...
//	b, err := dts.Generate(cat.Shipped())
package dts
