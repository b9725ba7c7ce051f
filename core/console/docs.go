package console

// The API reference is rendered here, on the server, from the same
// OpenAPI document GET /v1/openapi.json serves (api.OpenAPI), with a small
// "Try it" module (static/docs.js) for signed-in users. A vendored
// Swagger UI or Redoc bundle was the alternative: about 1 MB of
// JavaScript, an inline-style habit that fights the console's CSP, and a
// look of its own; this is some 300 lines of Go and 100 of JavaScript,
// works with scripts off, reads like the rest of the console and is fast
// to load. It shows what a reader needs: operations by tag, parameters,
// request fields with types and constraints, responses, and an example
// request and body generated from the schemas.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/bellhop/bellhop/core/api"
)

// The OpenAPI document, as far as the reference reads it.
type oaDoc struct {
	Info struct {
		Title, Version, Description string
	}
	Tags       []struct{ Name, Description string }
	Paths      map[string]map[string]json.RawMessage
	Components struct {
		Schemas    map[string]*oaSchema
		Parameters map[string]*oaParam
		Responses  map[string]*oaResponse
	}
}

type oaOperation struct {
	OperationID string `json:"operationId"`
	Summary     string
	Description string
	Tags        []string
	Parameters  []*oaParam
	RequestBody *struct {
		Required bool
		Content  map[string]struct{ Schema *oaSchema }
	} `json:"requestBody"`
	Responses map[string]*oaResponse
	Security  *[]map[string][]string
}

type oaParam struct {
	Ref         string `json:"$ref"`
	Name, In    string
	Description string
	Required    bool
	Schema      *oaSchema
}

type oaResponse struct {
	Ref         string `json:"$ref"`
	Description string
	Content     map[string]struct{ Schema *oaSchema }
}

type oaSchema struct {
	Ref                  string `json:"$ref"`
	Type                 any    // "string", or ["string", "null"] in OpenAPI 3.1
	Format, Description  string
	Pattern              string
	Properties           map[string]*oaSchema
	Required             []string
	Items                *oaSchema
	Enum                 []any
	Const                any
	Default              any
	Minimum, Maximum     *float64
	MaxLength            *int        `json:"maxLength"`
	OneOf                []*oaSchema `json:"oneOf"`
	Examples             []any       `json:"examples"`
	AdditionalProperties any         `json:"additionalProperties"`
}

// The reference as the template shows it.
type docsData struct {
	Title, Version string
	Description    string
	Groups         []docsGroup
	SignedIn       bool
	Base           string
}

type docsGroup struct {
	Name, Anchor string
	Ops          []docsOp
}

type docsOp struct {
	ID, Method, Path, Summary, Description string
	Public                                 bool // no API key needed
	Params                                 []docsField
	Body                                   []docsField
	BodyName                               string // the request schema's name
	BodyExample                            string
	Responses                              []docsResponse
	PathParams                             []string // for the Try it form
}

type docsField struct {
	Name, In, Type, Description string
	Required                    bool
	Constraints                 []string
	Depth                       int // nesting under the request body's top level
}

type docsResponse struct {
	Status, Description, Schema string
	OK                          bool
}

var httpMethods = []string{"get", "post", "put", "patch", "delete"}

// buildDocs turns the OpenAPI document into the reference's sections, once.
func buildDocs(raw []byte) (*docsData, error) {
	var doc oaDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("docs: read the OpenAPI document: %w", err)
	}
	d := &docsData{Title: doc.Info.Title, Version: doc.Info.Version, Description: doc.Info.Description}
	groups := map[string]*docsGroup{}
	var order []string
	for _, t := range doc.Tags {
		groups[t.Name] = &docsGroup{Name: t.Name, Anchor: "tag-" + slug(t.Name)}
		order = append(order, t.Name)
	}
	paths := make([]string, 0, len(doc.Paths))
	for p := range doc.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		for _, m := range httpMethods {
			rawOp, ok := doc.Paths[p][m]
			if !ok {
				continue
			}
			var op oaOperation
			if err := json.Unmarshal(rawOp, &op); err != nil {
				return nil, fmt.Errorf("docs: %s %s: %w", m, p, err)
			}
			tag := "Other"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			g := groups[tag]
			if g == nil {
				g = &docsGroup{Name: tag, Anchor: "tag-" + slug(tag)}
				groups[tag] = g
				order = append(order, tag)
			}
			g.Ops = append(g.Ops, doc.operation(strings.ToUpper(m), p, &op))
		}
	}
	for _, name := range order {
		if g := groups[name]; len(g.Ops) > 0 {
			d.Groups = append(d.Groups, *g)
		}
	}
	return d, nil
}

func (doc *oaDoc) operation(method, path string, op *oaOperation) docsOp {
	o := docsOp{ID: op.OperationID, Method: method, Path: path, Summary: op.Summary, Description: op.Description,
		Public: op.Security != nil && len(*op.Security) == 0}
	if o.ID == "" {
		o.ID = slug(method + " " + path)
	}
	for _, p := range op.Parameters {
		if p.Ref != "" {
			if q := doc.Components.Parameters[refName(p.Ref)]; q != nil {
				p = q
			}
		}
		f := docsField{Name: p.Name, In: p.In, Description: p.Description, Required: p.Required || p.In == "path"}
		if s := doc.resolve(p.Schema); s != nil {
			f.Type, f.Constraints = schemaType(s, p.Schema), constraints(s)
		}
		o.Params = append(o.Params, f)
		if p.In == "path" {
			o.PathParams = append(o.PathParams, p.Name)
		}
	}
	// A path parameter the operation does not declare is still a field of
	// the Try it form.
	for _, seg := range strings.Split(path, "/") {
		if name, ok := strings.CutPrefix(seg, "{"); ok {
			name = strings.TrimSuffix(name, "}")
			if !slices.Contains(o.PathParams, name) {
				o.PathParams = append(o.PathParams, name)
				o.Params = append(o.Params, docsField{Name: name, In: "path", Type: "string", Required: true})
			}
		}
	}
	if op.RequestBody != nil {
		if c, ok := op.RequestBody.Content["application/json"]; ok && c.Schema != nil {
			o.BodyName = refName(c.Schema.Ref)
			o.Body = doc.fields(c.Schema, "", 0)
			if b, err := json.MarshalIndent(doc.example(c.Schema, "", 0), "", "  "); err == nil {
				o.BodyExample = string(b)
			}
		}
	}
	codes := make([]string, 0, len(op.Responses))
	for code := range op.Responses {
		codes = append(codes, code)
	}
	sort.Strings(codes) // "default" sorts after the numbers
	for _, code := range codes {
		r := op.Responses[code]
		if r.Ref != "" {
			if q := doc.Components.Responses[refName(r.Ref)]; q != nil {
				r = q
			}
		}
		dr := docsResponse{Status: code, Description: r.Description, OK: strings.HasPrefix(code, "2")}
		if c, ok := r.Content["application/json"]; ok && c.Schema != nil {
			dr.Schema = refName(c.Schema.Ref)
		}
		o.Responses = append(o.Responses, dr)
	}
	return o
}

// fields lists a request schema's properties, required first, and one
// level of the objects inside them.
func (doc *oaDoc) fields(ref *oaSchema, prefix string, depth int) []docsField {
	s := doc.resolve(ref)
	if s != nil && len(s.Properties) == 0 && len(s.OneOf) > 0 {
		// A union of event types (core/api/eventdoc) ends with its custom
		// member: the envelope's fields with data.object left open, which
		// is what every member shares.
		s = doc.resolve(s.OneOf[len(s.OneOf)-1])
	}
	if s == nil || len(s.Properties) == 0 || depth > 1 {
		return nil
	}
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		names = append(names, n)
	}
	sort.SliceStable(names, func(i, j int) bool {
		ri, rj := slices.Contains(s.Required, names[i]), slices.Contains(s.Required, names[j])
		if ri != rj {
			return ri
		}
		return names[i] < names[j]
	})
	var out []docsField
	for _, n := range names {
		p := doc.resolve(s.Properties[n])
		f := docsField{Name: prefix + n, Type: schemaType(p, s.Properties[n]), Description: p.Description,
			Required: slices.Contains(s.Required, n), Constraints: constraints(p), Depth: depth}
		out = append(out, f)
		out = append(out, doc.fields(s.Properties[n], prefix+n+".", depth+1)...)
	}
	return out
}

// example makes a plausible JSON value of a schema, for the request
// examples: its first example, const, enum or default, else a value of its
// type.
func (doc *oaDoc) example(ref *oaSchema, name string, depth int) any {
	s := doc.resolve(ref)
	if s == nil || depth > 4 {
		return nil
	}
	switch {
	case len(s.Examples) > 0:
		return s.Examples[0]
	case s.Const != nil:
		return s.Const
	case len(s.Enum) > 0:
		return s.Enum[0]
	case s.Default != nil:
		return s.Default
	case len(s.OneOf) > 0:
		return doc.example(s.OneOf[0], name, depth+1)
	}
	switch primaryType(s) {
	case "object":
		obj := map[string]any{}
		for n, p := range s.Properties {
			// Only what a request needs, so that the example sent as it is
			// is a small valid request.
			if slices.Contains(s.Required, n) || len(s.Required) == 0 && depth == 0 {
				obj[n] = doc.example(p, n, depth+1)
			}
		}
		return obj
	case "array":
		return []any{doc.example(s.Items, name, depth+1)}
	case "integer", "number":
		if s.Minimum != nil {
			return *s.Minimum
		}
		return 0
	case "boolean":
		return false
	case "string":
		switch {
		case s.Format == "date-time" || strings.HasSuffix(name, "_at") || name == "since" || name == "until":
			return "2026-01-15T12:00:00Z"
		case s.Format == "uri" || name == "url":
			return "https://example.com/webhooks"
		case name == "type" || name == "event_type":
			return "reservation.created"
		}
		return "string"
	}
	return nil
}

func (doc *oaDoc) resolve(s *oaSchema) *oaSchema {
	for i := 0; s != nil && s.Ref != "" && i < 8; i++ {
		s = doc.Components.Schemas[refName(s.Ref)]
	}
	return s
}

// schemaType says a schema's type the way a reader wants it: "string",
// "array of string", "object", the name of a referenced schema.
func schemaType(s, ref *oaSchema) string {
	if ref != nil && ref.Ref != "" {
		return refName(ref.Ref)
	}
	t := primaryType(s)
	if t == "array" && s.Items != nil {
		if s.Items.Ref != "" {
			return "array of " + refName(s.Items.Ref)
		}
		return "array of " + primaryType(s.Items)
	}
	if s.Format != "" {
		t += " (" + s.Format + ")"
	}
	if nullable(s) {
		t += ", nullable"
	}
	return t
}

func primaryType(s *oaSchema) string {
	switch t := s.Type.(type) {
	case string:
		return t
	case []any:
		for _, x := range t {
			if str, ok := x.(string); ok && str != "null" {
				return str
			}
		}
	}
	if len(s.Properties) > 0 {
		return "object"
	}
	return "any"
}

func nullable(s *oaSchema) bool {
	if ts, ok := s.Type.([]any); ok {
		return slices.Contains(ts, any("null"))
	}
	return false
}

func constraints(s *oaSchema) []string {
	var out []string
	if len(s.Enum) > 0 {
		vals := make([]string, len(s.Enum))
		for i, v := range s.Enum {
			vals[i] = fmt.Sprint(v)
		}
		out = append(out, "one of: "+strings.Join(vals, ", "))
	}
	if s.Minimum != nil {
		out = append(out, fmt.Sprintf("min %v", *s.Minimum))
	}
	if s.Maximum != nil {
		out = append(out, fmt.Sprintf("max %v", *s.Maximum))
	}
	if s.MaxLength != nil {
		out = append(out, fmt.Sprintf("at most %d characters", *s.MaxLength))
	}
	if s.Default != nil {
		out = append(out, fmt.Sprintf("default %v", s.Default))
	}
	return out
}

func refName(ref string) string { return ref[strings.LastIndexByte(ref, '/')+1:] }

// slug makes an id for an anchor: lower-case letters, digits and dashes.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

func (s *Server) handleDocs() gin.HandlerFunc {
	ref, err := buildDocs(api.OpenAPI())
	return func(c *gin.Context) {
		if err != nil {
			s.fail(c, err)
			return
		}
		d := *ref
		d.SignedIn, d.Base = s.current(c) != nil, s.publicBase(c)
		s.render(c, http.StatusOK, "docs", "", &d)
	}
}
