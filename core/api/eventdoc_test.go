package api

import (
	"testing"

	"github.com/bellhop/bellhop/core/api/eventdoc"
	"github.com/bellhop/bellhop/core/catalog"
)

// TestOpenAPIEventSchemasUpToDate fails when openapi.json's event schemas no
// longer match the catalog: run `go generate ./core/api` and commit it.
func TestOpenAPIEventSchemasUpToDate(t *testing.T) {
	cat, err := catalog.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err := eventdoc.Generate(openAPIDocument, cat.Shipped())
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(openAPIDocument) {
		t.Error("core/api/openapi.json is out of date with the catalog: run `go generate ./core/api` and commit it")
	}
}
