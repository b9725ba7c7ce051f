package dts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/catalog"
)

// schema is the part of JSON Schema the catalog uses.
type schema struct {
	Ref         string             `json:"$ref"`
	Type        any                `json:"type"`
	Description string             `json:"description"`
	Enum        []any              `json:"enum"`
	Const       any                `json:"const"`
	Properties  map[string]*schema `json:"properties"`
	Required    []string           `json:"required"`
	Items       *schema            `json:"items"`
	AnyOf       []*schema          `json:"anyOf"`
	OneOf       []*schema          `json:"oneOf"`
	Defs        map[string]*schema `json:"$defs"`
	Additional  any                `json:"additionalProperties"`
}

// Generate returns the definitions for types, sorted by type name so that
// the output only changes when the catalog does.
func Generate(types []*core.EventType) ([]byte, error) {
	sorted := append([]*core.EventType(nil), types...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Type < sorted[j].Type })
	var b bytes.Buffer
	b.WriteString(header)
	var union []string
	for _, t := range sorted {
		var s schema
		if err := json.Unmarshal(t.Schema, &s); err != nil {
			return nil, fmt.Errorf("schema of %s: %w", t.Type, err)
		}
		name := catalog.TypeName(t.Type)
		fmt.Fprintf(&b, "\n  /** data.object of %s: %s */\n  type %s = %s;\n", t.Type, oneLine(t.Description), name, tsType(&s, s.Defs, "  "))
		union = append(union, fmt.Sprintf("Envelope<%q, %s>", t.Type, name))
	}
	fmt.Fprintf(&b, "\n  /** Any event of the catalog; narrow it with `event.type`. */\n  type Event =\n    | %s;\n}\n", strings.Join(union, "\n    | "))
	b.WriteString(footer)
	return b.Bytes(), nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func tsType(s *schema, defs map[string]*schema, indent string) string {
	if s == nil {
		return "unknown"
	}
	if s.Ref != "" {
		if d, ok := defs[strings.TrimPrefix(s.Ref, "#/$defs/")]; ok {
			return tsType(d, defs, indent)
		}
		return "unknown"
	}
	if len(s.Enum) > 0 {
		return literals(s.Enum)
	}
	if s.Const != nil {
		return literals([]any{s.Const})
	}
	if alts := append(s.AnyOf, s.OneOf...); len(alts) > 0 {
		var parts []string
		for _, a := range alts {
			parts = append(parts, tsType(a, defs, indent))
		}
		return strings.Join(parts, " | ")
	}
	switch ts := s.Type.(type) {
	case string:
		return single(ts, s, defs, indent)
	case []any:
		var parts []string
		for _, one := range ts {
			parts = append(parts, single(fmt.Sprint(one), s, defs, indent))
		}
		return strings.Join(parts, " | ")
	}
	if s.Properties != nil {
		return object(s, defs, indent)
	}
	return "unknown"
}

func single(t string, s *schema, defs map[string]*schema, indent string) string {
	switch t {
	case "string":
		return "string"
	case "integer", "number":
		return "number"
	case "boolean":
		return "boolean"
	case "null":
		return "null"
	case "array":
		item := tsType(s.Items, defs, indent)
		if strings.ContainsAny(item, "|") {
			item = "(" + item + ")"
		}
		return item + "[]"
	case "object":
		return object(s, defs, indent)
	}
	return "unknown"
}

func object(s *schema, defs map[string]*schema, indent string) string {
	if len(s.Properties) == 0 {
		return "Record<string, unknown>"
	}
	req := map[string]bool{}
	for _, r := range s.Required {
		req[r] = true
	}
	keys := make([]string, 0, len(s.Properties))
	for k := range s.Properties {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("{\n")
	for _, k := range keys {
		p := s.Properties[k]
		if p.Description != "" {
			fmt.Fprintf(&b, "%s  /** %s */\n", indent, oneLine(p.Description))
		}
		opt := "?"
		if req[k] {
			opt = ""
		}
		fmt.Fprintf(&b, "%s  %s%s: %s;\n", indent, propName(k), opt, tsType(p, defs, indent+"  "))
	}
	b.WriteString(indent + "}")
	return b.String()
}

func literals(vals []any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		j, _ := json.Marshal(v)
		parts[i] = string(j)
	}
	return strings.Join(parts, " | ")
}

// propName quotes a property name that is not a plain identifier.
func propName(k string) string {
	for i, r := range k {
		if !(r == '_' || r == '$' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return fmt.Sprintf("%q", k)
		}
	}
	return k
}
