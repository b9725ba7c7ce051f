package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestGeneratedFilesAreCurrent regenerates the SDK's generated files from
// the hub's OpenAPI document in memory and compares them with the checked-in
// ones: a document changed without `go generate ./...` in sdk/go fails here.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	doc, err := os.ReadFile("../../../../core/api/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	files, err := Generate(doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("Generate returned no files")
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join("../..", name))
		if err != nil {
			t.Fatalf("%s: %v (run go generate ./... in sdk/go)", name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run go generate ./... in sdk/go and commit it", name)
		}
	}
}
