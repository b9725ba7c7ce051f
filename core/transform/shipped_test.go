package transform_test

import (
	"testing"

	"github.com/bellhop/bellhop/core/transform"
	"github.com/bellhop/bellhop/scripts"
)

// TestShippedScriptsReuseTopLevel holds every script the hub ships to the
// fast path: their top levels only declare helpers and constant tables, so a
// runtime evaluates them once. A shipped script that loses this is slower on
// every delivery, silently; this says so.
func TestShippedScriptsReuseTopLevel(t *testing.T) {
	for _, path := range scripts.List() {
		t.Run(path, func(t *testing.T) {
			src, err := scripts.Read(path)
			if err != nil {
				t.Fatal(err)
			}
			p, err := transform.Compile(path, src)
			if err != nil {
				t.Fatal(err)
			}
			if !p.ReusesTopLevel() {
				t.Errorf("%s evaluates its top level on every run; want it reused (see reusableTopLevel)", path)
			}
		})
	}
}
