package eventdoc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/catalog"
)

// marker is the extension every generated schema carries, naming the
// catalog type it comes from; Generate replaces exactly the schemas that
// carry it, so a type removed from the catalog leaves no schema behind.
const marker = "x-bellhop-catalog"

const schemasRef = "#/components/schemas/"

// Generate returns doc (an OpenAPI 3.1 document) with its event schemas in
// step with types. For each type T named N (catalog.TypeName) it writes N,
// the schema of data.object; NEvent, the envelope, cloned from CustomEvent
// with type fixed to T; and PublishNRequest, cloned from
// PublishCustomEventRequest. A schema of the catalog's $defs becomes a
// component of its own. Event and PublishEventRequest become a oneOf of
// the typed schemas and the custom one, told apart by type, and the custom
// ones say "not" a catalog name so that oneOf matches exactly one.
// Everything else in doc is kept byte for byte; the result is indented with
// two spaces.
func Generate(doc []byte, types []*core.EventType) ([]byte, error) {
	sorted := append([]*core.EventType(nil), types...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Type < sorted[j].Type })

	top, err := parseObject(doc)
	if err != nil {
		return nil, fmt.Errorf("document: %w", err)
	}
	components, err := parseObject(top.get("components"))
	if err != nil {
		return nil, fmt.Errorf("components: %w", err)
	}
	schemas, err := parseObject(components.get("schemas"))
	if err != nil {
		return nil, fmt.Errorf("components.schemas: %w", err)
	}
	schemas = handWritten(schemas)

	g := &generator{schemas: schemas, defs: map[string]json.RawMessage{}}
	var names []string
	for _, t := range sorted {
		names = append(names, t.Type)
		if err := g.add(t); err != nil {
			return nil, fmt.Errorf("%s: %w", t.Type, err)
		}
	}
	if err := g.unions(names); err != nil {
		return nil, err
	}

	components.set("schemas", g.schemas.marshal())
	top.set("components", components.marshal())
	var compact, out bytes.Buffer
	if err := json.Compact(&compact, top.marshal()); err != nil {
		return nil, err
	}
	if err := json.Indent(&out, compact.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// handWritten drops the schemas an earlier run generated.
func handWritten(schemas object) object {
	var kept object
	for _, m := range schemas {
		if s, err := parseObject(m.value); err == nil && s.get(marker) != nil {
			continue
		}
		kept = append(kept, m)
	}
	return kept
}

type generator struct {
	schemas object
	defs    map[string]json.RawMessage // component name → schema, to catch two types defining one name differently
}

// add writes the three schemas of one type and the components of its $defs.
func (g *generator) add(t *core.EventType) error {
	name := catalog.TypeName(t.Type)
	schema, err := parseObject(t.Schema)
	if err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	if raw := schema.get("$defs"); raw != nil {
		defs, err := parseObject(raw)
		if err != nil {
			return fmt.Errorf("$defs: %w", err)
		}
		for _, d := range defs {
			if err := g.addDef(t.Type, d); err != nil {
				return err
			}
		}
	}
	schema.delete("$schema")
	schema.delete("$defs")
	schema.set("description", mustJSON("data.object of "+t.Type+": "+t.Description))
	if len(t.Sample) > 0 && string(t.Sample) != "null" {
		schema.set("examples", mustJSON([]json.RawMessage{t.Sample}))
	}
	schema.set(marker, mustJSON(t.Type))
	dataObject, err := mapRefs(schema.marshal(), defRef)
	if err != nil {
		return err
	}
	g.schemas.set(name, dataObject)

	typeConst := object{{"type", mustJSON("string")}, {"const", mustJSON(t.Type)}}.marshal()
	objectRef := object{{"$ref", mustJSON(schemasRef + name)}}.marshal()
	for _, c := range []struct{ template, name, description string }{
		{"CustomEvent", name + "Event", t.Description},
		{"PublishCustomEventRequest", "Publish" + name + "Request", t.Description},
	} {
		s, err := g.clone(c.template, t.Type, c.description)
		if err != nil {
			return err
		}
		if s, err = setPath(s, []string{"properties", "type"}, typeConst); err != nil {
			return fmt.Errorf("%s: %w", c.template, err)
		}
		if s, err = setPath(s, []string{"properties", "data", "properties", "object"}, objectRef); err != nil {
			return fmt.Errorf("%s: %w", c.template, err)
		}
		g.schemas.set(c.name, s)
	}
	return nil
}

// clone copies a hand-written template schema for one type.
func (g *generator) clone(template, eventType, description string) (json.RawMessage, error) {
	raw := g.schemas.get(template)
	if raw == nil {
		return nil, fmt.Errorf("components.schemas has no %s to copy", template)
	}
	s, err := parseObject(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", template, err)
	}
	s.delete("not") // the template's "not a catalog type", which unions wrote
	s.set("description", mustJSON(description))
	s.set(marker, mustJSON(eventType))
	return s.marshal(), nil
}

func (g *generator) addDef(eventType string, d member) error {
	name := catalog.TypeName(d.key)
	s, err := parseObject(d.value)
	if err != nil {
		return fmt.Errorf("$defs.%s: %w", d.key, err)
	}
	s.set(marker, mustJSON(eventType+"#/$defs/"+d.key))
	def, err := mapRefs(s.marshal(), defRef)
	if err != nil {
		return err
	}
	if prev, ok := g.defs[name]; ok {
		if !sameDef(prev, def) {
			return fmt.Errorf("$defs.%s differs from the %s another type defines", d.key, name)
		}
		return nil
	}
	if g.schemas.get(name) != nil {
		return fmt.Errorf("$defs.%s would replace the hand-written schema %s", d.key, name)
	}
	g.defs[name] = def
	g.schemas.set(name, def)
	return nil
}

// sameDef compares two definitions without the marker, which names the
// type each came from.
func sameDef(a, b json.RawMessage) bool {
	strip := func(raw json.RawMessage) string {
		o, _ := parseObject(raw)
		o.delete(marker)
		var c bytes.Buffer
		_ = json.Compact(&c, o.marshal())
		return c.String()
	}
	return strip(a) == strip(b)
}

// defRef points a catalog schema's "#/$defs/money" at the component Money.
func defRef(ref string) (string, error) {
	name, ok := strings.CutPrefix(ref, "#/$defs/")
	if !ok {
		return "", fmt.Errorf("$ref %q: only #/$defs/… references are supported in catalog schemas", ref)
	}
	return schemasRef + catalog.TypeName(name), nil
}

// unions makes Event and PublishEventRequest a oneOf of the typed schemas
// and the custom one, and keeps the custom ones off the catalog's names.
// type discriminates them (each typed schema fixes it with const), but the
// oneOf carries no OpenAPI discriminator object: a discriminator must map
// every value to a schema by const or enum, which a custom type, any name
// outside the catalog, cannot give (redocly refuses it).
func (g *generator) unions(names []string) error {
	// "not a catalog type" is said on the whole schema rather than on its
	// type property: the same rule, and redocly's overlap check, which reads
	// const and enum but not "not", then leaves the pair alone instead of
	// calling every shared envelope field ambiguous.
	notCatalog := object{
		{"required", mustJSON([]string{"type"})},
		{"properties", object{{"type", mustJSON(map[string]any{"enum": names})}}.marshal()},
	}.marshal()
	for _, u := range []struct{ union, custom, suffix, prefix string }{
		{"Event", "CustomEvent", "Event", ""},
		{"PublishEventRequest", "PublishCustomEventRequest", "Request", "Publish"},
	} {
		custom := g.schemas.get(u.custom)
		custom, err := setPath(custom, []string{"not"}, notCatalog)
		if err != nil {
			return fmt.Errorf("%s: %w", u.custom, err)
		}
		g.schemas.set(u.custom, custom)

		var refs []json.RawMessage
		for _, t := range names {
			refs = append(refs, mustJSON(map[string]string{"$ref": schemasRef + u.prefix + catalog.TypeName(t) + u.suffix}))
		}
		refs = append(refs, mustJSON(map[string]string{"$ref": schemasRef + u.custom}))
		raw := g.schemas.get(u.union)
		if raw == nil {
			return fmt.Errorf("components.schemas has no %s", u.union)
		}
		union, err := parseObject(raw)
		if err != nil {
			return fmt.Errorf("%s: %w", u.union, err)
		}
		union.set("oneOf", mustJSON(refs))
		g.schemas.set(u.union, union.marshal())
	}
	return nil
}
