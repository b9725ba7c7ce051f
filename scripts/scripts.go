package scripts

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

//go:generate go run ./gen -out bellhop.d.ts

// files holds the shipped scripts and their type definitions, built into the
// binary so that connectors and `bellhop scripts test` need no files on disk.
//
//go:embed slack/*.js hubspot/*.js sheets/*.js library/*.js bellhop.d.ts
var files embed.FS

// Read returns a shipped script by its path, e.g. "slack/default.js" (the
// name a connector gives as its DefaultScript). Returns an error naming the
// path when there is no such script.
func Read(path string) (string, error) {
	b, err := files.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("no shipped script %q", path)
	}
	return string(b), nil
}

// List returns the paths of every shipped script, sorted.
func List() []string {
	var out []string
	_ = fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".js") {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// TypeDefinitions returns bellhop.d.ts, the TypeScript definitions of the
// transform contract and every shipped event type, for script authors' editors.
func TypeDefinitions() string {
	b, _ := files.ReadFile("bellhop.d.ts") // embedded: always present
	return string(b)
}
