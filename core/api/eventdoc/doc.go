// Package eventdoc writes the event part of the API's OpenAPI document from
// the catalog, so that data.object is typed per event type for SDK
// generators and readers, and cannot drift from core/catalog/types.
//
// The rest of the document is written by hand. Two hand-written schemas are
// templates: CustomEvent (the envelope of an account's own type) and
// PublishCustomEventRequest; Event and PublishEventRequest are hand-written
// descriptions whose oneOf and discriminator Generate fills in. Every
// schema Generate writes carries x-bellhop-catalog, naming its type, and is
// replaced on the next run:
//
//	cat, _ := catalog.New(nil)
//	out, err := eventdoc.Generate(doc, cat.Shipped())
//
// `go generate ./core/api` rewrites core/api/openapi.json, and core/api's
// TestOpenAPIEventSchemasUpToDate fails when the committed file falls behind.
package eventdoc
