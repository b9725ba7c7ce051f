// Command gen writes scripts/bellhop.d.ts from the catalog's shipped event
// types: `go generate ./scripts`.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/bellhop/bellhop/core/catalog"
	"github.com/bellhop/bellhop/scripts/dts"
)

func main() {
	out := flag.String("out", "bellhop.d.ts", "file to write")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	cat, err := catalog.New(nil)
	if err != nil {
		return fmt.Errorf("load the catalog: %w", err)
	}
	b, err := dts.Generate(cat.Shipped())
	if err != nil {
		return fmt.Errorf("generate definitions: %w", err)
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		return fmt.Errorf("write definitions: %w", err)
	}
	return nil
}
