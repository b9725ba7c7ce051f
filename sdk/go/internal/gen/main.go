// Command gen regenerates the SDK's generated code from the hub's OpenAPI
// document, core/api/openapi.json:
//
//   - api/api.gen.go: the models and the HTTP client, by oapi-codegen;
//   - events.gen.go: the typed event structs of package bellhop, one per
//     event type of the catalog, with the EventType method that names it.
//
// oapi-codegen v2.8.2 reads the hub's OpenAPI 3.1 document as it is: its
// kin-openapi understands type arrays (["string", "null"] becomes a
// pointer or a plain value), const and examples, so no 3.1 to 3.0
// conversion is needed. prepare only adds x-go-… hints so that the Go reads
// well (see its comment).
//
// Run it from sdk/go with `go generate ./...`. The generated files are
// checked in; gen_test.go regenerates them in memory and fails when they
// differ from the document, so a change to the document without a
// regeneration fails CI.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	doc := flag.String("doc", "../../core/api/openapi.json", "the hub's OpenAPI document")
	out := flag.String("out", ".", "the SDK module's root folder")
	flag.Parse()
	if err := run(*doc, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(docPath, outDir string) error {
	doc, err := os.ReadFile(docPath)
	if err != nil {
		return err
	}
	files, err := Generate(doc)
	if err != nil {
		return err
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(outDir, name), src, 0o644); err != nil {
			return err
		}
	}
	return nil
}
