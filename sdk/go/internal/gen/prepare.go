package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// prepare adapts the document to what reads well once generated, without
// changing what goes over the wire:
//
//   - A property named …_ids is named …IDs in Go (PropertyIDs), as Go
//     spells initialisms; the name normalizer knows ID but not IDs.
//   - An object inline in a catalog type's schema (a reservation's guest)
//     gets a name, its parent's and its own (ReservationCreatedGuest), so
//     that a literal of it can be written; oapi-codegen would make it an
//     anonymous struct.
//   - The client is generated with optional fields as plain values with
//     omitempty (prefer-skip-optional-pointer), so a create request reads
//     as a literal; they are omitzero too, or encoding/json would send an
//     unset time.Time as year 1. An update sends only the fields it sets,
//     and a zero it means must be sent (disabled: false, rate_limit: 0), so
//     the properties of the Update… request schemas keep their pointers.
func prepare(doc []byte) ([]byte, error) {
	d, err := decode(doc)
	if err != nil {
		return nil, err
	}
	walkProperties(d, func(name string, p map[string]any, required bool) {
		if !required {
			p["x-omitzero"] = true
		}
		if base, ok := strings.CutSuffix(name, "_ids"); ok {
			p["x-go-name"] = goName(base) + "IDs"
		}
	})
	all := schemas(d)
	for _, t := range catalogTypes(d) {
		nameInline(t.Name, all[t.Name])
	}
	for name, schema := range all {
		if !strings.HasPrefix(name, "Update") {
			continue
		}
		props, _ := schema["properties"].(map[string]any)
		for _, p := range props {
			if p, ok := p.(map[string]any); ok {
				p["x-go-type-skip-optional-pointer"] = false
			}
		}
	}
	return json.Marshal(d)
}

// walkProperties calls fn with every property schema of the document,
// nested ones included, its name and whether its object requires it.
func walkProperties(node any, fn func(name string, p map[string]any, required bool)) {
	switch n := node.(type) {
	case map[string]any:
		if props, ok := n["properties"].(map[string]any); ok {
			required, _ := n["required"].([]any)
			for name, p := range props {
				if p, ok := p.(map[string]any); ok {
					fn(name, p, slices.Contains(required, any(name)))
				}
			}
		}
		for _, v := range n {
			walkProperties(v, fn)
		}
	case []any:
		for _, v := range n {
			walkProperties(v, fn)
		}
	}
}

// goName turns snake_case into the Go name oapi-codegen would give it.
func goName(snake string) string {
	var b strings.Builder
	for _, part := range strings.Split(snake, "_") {
		if part == "id" {
			b.WriteString("ID")
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// nameInline sets x-go-type-name on every object defined inline under the
// schema named parent, nested ones included: <parent><Property>, and
// <parent><Property>Item for the objects of an array.
func nameInline(parent string, schema map[string]any) {
	props, _ := schema["properties"].(map[string]any)
	for prop, p := range props {
		p, ok := p.(map[string]any)
		if !ok {
			continue
		}
		name := parent + goName(prop)
		if items, ok := p["items"].(map[string]any); ok && isInlineObject(items) {
			items["x-go-type-name"] = name + "Item"
			nameInline(name+"Item", items)
		}
		if isInlineObject(p) {
			p["x-go-type-name"] = name
			nameInline(name, p)
		}
	}
}

func isInlineObject(s map[string]any) bool {
	_, ok := s["properties"].(map[string]any)
	return ok
}

func decode(doc []byte) (map[string]any, error) {
	var d map[string]any
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("read the document: %w", err)
	}
	return d, nil
}

// schemas returns the document's component schemas by name.
func schemas(d map[string]any) map[string]map[string]any {
	components, _ := d["components"].(map[string]any)
	all, _ := components["schemas"].(map[string]any)
	out := make(map[string]map[string]any, len(all))
	for name, s := range all {
		if s, ok := s.(map[string]any); ok {
			out[name] = s
		}
	}
	return out
}
