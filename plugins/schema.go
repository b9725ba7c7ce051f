package plugins

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"slices"
	"sort"
	"strings"
)

// The field types a connector's form may use.
const (
	TypeString  = "string"
	TypeInteger = "integer"
	TypeBoolean = "boolean"
)

// ConfigSchema returns the JSON Schema (draft 2020-12) of a configuration
// form, so the API can validate a connection's config and a UI can draw the
// form without knowing the connector. Properties appear in field order and
// "x-order" lists them again, because JSON objects have no order; secret
// fields carry "writeOnly": true and "x-secret": true; Help becomes the
// description; advanced fields carry "x-advanced": true, and fields whose
// choices the connector lists (Field.Options) "x-options": true.
func ConfigSchema(fields []Field) json.RawMessage {
	var props bytes.Buffer
	props.WriteByte('{')
	order := make([]string, 0, len(fields))
	required := []string{}
	for i, f := range fields {
		if i > 0 {
			props.WriteByte(',')
		}
		k, _ := json.Marshal(f.Name)
		v, _ := json.Marshal(fieldSchema(f))
		props.Write(k)
		props.WriteByte(':')
		props.Write(v)
		order = append(order, f.Name)
		if f.Required {
			required = append(required, f.Name)
		}
	}
	props.WriteByte('}')
	schema, _ := json.Marshal(struct {
		Schema     string          `json:"$schema"`
		Type       string          `json:"type"`
		Properties json.RawMessage `json:"properties"`
		Required   []string        `json:"required"`
		Additional bool            `json:"additionalProperties"`
		Order      []string        `json:"x-order"`
	}{"https://json-schema.org/draft/2020-12/schema", "object", props.Bytes(), required, false, order})
	return schema
}

// ConfigSchema is the JSON Schema of the connector's configuration form.
func (d Description) ConfigSchema() json.RawMessage { return ConfigSchema(d.Fields) }

type propertySchema struct {
	Type        string   `json:"type"`
	Title       string   `json:"title,omitempty"`
	Description string   `json:"description,omitempty"`
	Format      string   `json:"format,omitempty"`
	Enum        []string `json:"enum,omitempty"`
	WriteOnly   bool     `json:"writeOnly,omitempty"`
	Secret      bool     `json:"x-secret,omitempty"`
	Advanced    bool     `json:"x-advanced,omitempty"`
	Options     bool     `json:"x-options,omitempty"`
}

func fieldSchema(f Field) propertySchema {
	return propertySchema{Type: f.Type, Title: f.Title, Description: f.Help, Format: f.Format,
		Enum: f.Enum, WriteOnly: f.Secret, Secret: f.Secret, Advanced: f.Advanced, Options: f.Options}
}

// ValidateFields checks config against a connector's fields: required fields
// present and not empty, values of the declared type, enum membership, "uri"
// and "url" formats as absolute http(s) URLs, and no unknown fields. A
// connector's Validate calls it first and adds its own checks, so that no
// connector rewrites this. Errors come in field order; none means valid.
func ValidateFields(fields []Field, config Config) []FieldError {
	var errs []FieldError
	known := make(map[string]bool, len(fields))
	for _, f := range fields {
		known[f.Name] = true
		if msg := checkField(f, config[f.Name]); msg != "" {
			errs = append(errs, FieldError{Field: f.Name, Message: msg})
		}
	}
	var unknown []string
	for k := range config {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		if k == "" {
			// Named as JSON spells it, so the hub's param reads config.""
			// rather than a bare "config." that names nothing.
			k = `""`
		}
		errs = append(errs, FieldError{Field: k, Message: "is not a field of this connector"})
	}
	return errs
}

func checkField(f Field, v any) string {
	// Blanks count as missing: connectors trim what they read
	// (connectors.String), so "  " would reach the remote API as "".
	if s, ok := v.(string); v == nil || ok && strings.TrimSpace(s) == "" {
		if f.Required {
			return "is required"
		}
		return ""
	}
	switch f.Type {
	case TypeInteger:
		if !isInteger(v) {
			return "must be an integer"
		}
	case TypeBoolean:
		if _, ok := v.(bool); !ok {
			return "must be true or false"
		}
	default:
		s, ok := v.(string)
		if !ok {
			return "must be a string"
		}
		return checkString(f, s)
	}
	return ""
}

func checkString(f Field, s string) string {
	if len(f.Enum) > 0 && !slices.Contains(f.Enum, s) {
		return fmt.Sprintf("must be one of %q", f.Enum)
	}
	if f.Format == "uri" || f.Format == "url" {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "must be an absolute http or https URL"
		}
	}
	return ""
}

func isInteger(v any) bool {
	switch n := v.(type) {
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return true
	case float64:
		return n == math.Trunc(n) && !math.IsInf(n, 0)
	case float32:
		return float64(n) == math.Trunc(float64(n))
	case json.Number:
		_, err := n.Int64()
		return err == nil
	}
	return false
}
