package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/bellhop/bellhop/core"
)

// Limits on a custom type. A schema is compiled and kept in memory by every
// hub process that validates against it, so it is capped; 64 KiB is ample
// for a hand-written schema of a business object.
const (
	MaxNameLen        = 100
	MaxDescriptionLen = 500
	MaxSchemaBytes    = 64 << 10
	MaxSampleBytes    = 64 << 10
)

// namePattern is a dotted lower-case name of at least two parts, like the
// shipped types (reservation.created, loyalty.points_earned).
var namePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$`)

func validName(name string) bool {
	return len(name) <= MaxNameLen && namePattern.MatchString(name)
}

// CreateEventType registers a custom type in scope. t.Type, t.Schema and
// optionally t.Description and t.Sample come from the caller; Group and
// Custom are set here. The schema must compile and the sample, when given,
// must validate against it, so that a type's own sample never fails a
// connection test.
//
// Returns EINVALID naming the param at fault (type, description, schema, or
// the path of the bad field under sample), and ECONFLICT if the name is a
// shipped type or already registered in scope.
func (c *Catalog) CreateEventType(ctx context.Context, scope core.Scope, t *core.EventType) error {
	if err := checkName(t.Type); err != nil {
		return err
	}
	if _, ok := c.byName[t.Type]; ok {
		return &core.Error{Code: core.ECONFLICT, Param: "type", Reason: "resource_already_exists",
			Message: fmt.Sprintf("'%s' is a shipped event type; choose another name for a custom type.", t.Type)}
	}
	if utf8.RuneCountInString(t.Description) > MaxDescriptionLen || strings.ContainsFunc(t.Description, isControl) {
		return core.ParamError("description", "description: must be at most %d characters, without control characters.", MaxDescriptionLen)
	}
	schema, sch, err := checkSchema(t.Type, t.Schema)
	if err != nil {
		return err
	}
	sample, err := checkSample(sch, t.Sample)
	if err != nil {
		return err
	}
	saved := &core.EventType{Type: t.Type, Description: t.Description, Group: "custom",
		Schema: schema, Sample: sample, Custom: true}
	if err := c.store.SaveEventType(ctx, scope, saved); err != nil {
		if core.ErrorCode(err) == core.ECONFLICT {
			return err
		}
		return fmt.Errorf("save event type: %w", err)
	}
	*t = *saved
	return nil
}

func checkName(name string) error {
	if name == "" {
		return core.ParamError("type", "type is required.")
	}
	if !validName(name) {
		return core.ParamError("type", "type: '%s' is not a valid name; use lower-case dotted words like 'loyalty.points_earned' (at most %d characters).",
			name, MaxNameLen)
	}
	return nil
}

// checkSchema returns the schema compacted, and compiled.
func checkSchema(name string, raw json.RawMessage) (json.RawMessage, *schema, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil, core.ParamError("schema", "schema is required: a JSON Schema (2020-12) of data.object.")
	}
	if len(raw) > MaxSchemaBytes {
		return nil, nil, core.ParamError("schema", "schema: must be at most %d bytes.", MaxSchemaBytes)
	}
	schema := compact(raw)
	if schema[0] != '{' {
		return nil, nil, core.ParamError("schema", "schema: must be a JSON object (a JSON Schema).")
	}
	sch, err := compileSchema(name, schema)
	if err != nil {
		return nil, nil, core.ParamError("schema", "schema: does not compile: %s", oneLine(err.Error()))
	}
	return schema, sch, nil
}

// checkSample returns the sample compacted, after validating it.
func checkSample(sch *schema, raw json.RawMessage) (json.RawMessage, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if len(raw) > MaxSampleBytes {
		return nil, core.ParamError("sample", "sample: must be at most %d bytes.", MaxSampleBytes)
	}
	if err := validate(sch, raw, "sample"); err != nil {
		return nil, err
	}
	return compact(raw), nil
}

func isControl(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' || r == 0x7f }

// oneLine keeps a compiler message readable in a one-line API error.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300]) + "…"
	}
	return s
}
