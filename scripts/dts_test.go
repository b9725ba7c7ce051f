package scripts

import (
	"testing"

	"github.com/bellhop/bellhop/core/catalog"
	"github.com/bellhop/bellhop/scripts/dts"
)

// TestTypeDefinitionsUpToDate fails when bellhop.d.ts no longer matches the
// catalog: run `go generate ./scripts` and commit the result.
func TestTypeDefinitionsUpToDate(t *testing.T) {
	cat, err := catalog.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err := dts.Generate(cat.Shipped())
	if err != nil {
		t.Fatal(err)
	}
	if got := TypeDefinitions(); got != string(want) {
		t.Error("scripts/bellhop.d.ts is out of date with the catalog: run `go generate ./scripts` and commit it")
	}
}
