package catalog

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/bellhop/bellhop/core"
)

// typeFiles holds one file per shipped event type, named <type>.json.
//
//go:embed types/*.json
var typeFiles embed.FS

// typeFile is the layout of a file in types/.
type typeFile struct {
	Description string          `json:"description"`
	Group       string          `json:"group"`
	Schema      json.RawMessage `json:"schema"`
	Sample      json.RawMessage `json:"sample"`
}

// loadShipped reads the embedded type files, sorted by name.
func loadShipped() ([]*core.EventType, error) {
	entries, err := typeFiles.ReadDir("types")
	if err != nil {
		return nil, fmt.Errorf("read shipped types: %w", err)
	}
	var types []*core.EventType
	for _, e := range entries {
		b, err := typeFiles.ReadFile(path.Join("types", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read shipped type %s: %w", e.Name(), err)
		}
		var f typeFile
		if err := json.Unmarshal(b, &f); err != nil {
			return nil, fmt.Errorf("parse shipped type %s: %w", e.Name(), err)
		}
		types = append(types, &core.EventType{
			Type:        strings.TrimSuffix(e.Name(), ".json"),
			Description: f.Description,
			Group:       f.Group,
			Schema:      compact(f.Schema),
			Sample:      compact(f.Sample),
		})
	}
	sort.Slice(types, func(i, j int) bool { return types[i].Type < types[j].Type })
	return types, nil
}

// compact drops the indentation the files carry for human readers, so that
// API responses and cache keys do not depend on it. Input that is not valid
// JSON is returned as it is, for the schema compiler to reject by name.
func compact(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return nil
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return raw
	}
	return b.Bytes()
}
