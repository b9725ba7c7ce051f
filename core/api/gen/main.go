// Command gen brings the event schemas of core/api/openapi.json in step
// with the catalog's shipped types: `go generate ./core/api`.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/bellhop/bellhop/core/api/eventdoc"
	"github.com/bellhop/bellhop/core/catalog"
)

func main() {
	file := flag.String("file", "openapi.json", "the OpenAPI document to update in place")
	flag.Parse()
	if err := run(*file); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(file string) error {
	cat, err := catalog.New(nil)
	if err != nil {
		return fmt.Errorf("load the catalog: %w", err)
	}
	doc, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	out, err := eventdoc.Generate(doc, cat.Shipped())
	if err != nil {
		return fmt.Errorf("generate %s: %w", file, err)
	}
	return os.WriteFile(file, out, 0o644)
}
