package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/core"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// fastValues are JSON values chosen to sit on the edges the fast check
// draws: integers written as decimals, big numbers, rune counts, formats.
var fastValues = []string{`null`, `true`, `false`, `0`, `-0`, `-1`, `1`, `1.0`, `1.5`, `1e1`, `9`, `10`, `10.0`,
	`0.5`, `0.50`, `-0.5`, `2.5`, `2.50000000000000000001`, `0.92`, `1.00000000000000000001`, `-0.0`, `5.0`,
	`99999999999999999999`, `-9223372036854775808`, `""`, `"a"`, `"aa"`, `"é"`, `"éé"`, `"abcd"`,
	`"x@example.com"`, `"not an email"`, `"2026-12-02T01:02:03Z"`, `"2026-12-02"`, `"2026-13-02"`, `"res_1"`, `"USD"`,
	`[]`, `[1]`, `[1,2,3]`, `["a"]`, `{}`, `{"name":"a"}`, `{"name":""}`, `{"name":"a","children":[{"name":"b"}]}`,
	`{"name":"a","children":[{}]}`, `{"name":"a","x":1}`, `{"a":1}`, `{"a":1.5}`, `{"a":1,"b":2,"c":3}`,
	// The text as sent: escapes, invalid UTF-8, whitespace, a duplicate key.
	`"\u00e9"`, `"a\"b"`, `"\ud800"`, "\"\xff\xfe\"", "\"a\xffa\"", ` { "name" : "a" , "children" : [ ] } `,
	`{"name":"a","name":"b"}`, `{"a":1,"a":"x"}`, `["\u0061a"]`}

// notJSON are texts the fast check must refuse whatever the schema, the
// permissive ones included: they are not JSON.
var notJSON = []string{``, ` `, `{`, `{"a":1,}`, `[1,]`, `[1 2]`, `01`, `1.`, `-`, `1e`, `.5`, `+1`, `tru`, `nul`,
	`"abc`, `"a\`, "\"a\x01\"", `{"a" 1}`, `{a:1}`, `{"a":1}}`, `{} {}`, `[]]`, `"\x"`, `NaN`}

// fastSchemas are custom schemas with the keywords the fast check knows,
// and some it must leave to the full validator (wantFast false).
var fastSchemas = []struct {
	schema   string
	wantFast bool
}{
	{`{}`, true},
	{`true`, true},
	{`false`, true},
	{`{"type":"object"}`, true},
	{`{"type":["string","null"]}`, true},
	{`{"type":"integer","minimum":1,"exclusiveMaximum":10}`, true},
	{`{"type":"number","exclusiveMinimum":0,"maximum":10}`, true},
	{`{"type":"integer"}`, true},
	{`{"enum":["a",null,true]}`, true},
	{`{"const":null}`, true},
	{`{"type":"string","format":"email"}`, true},
	{`{"type":"string","format":"date"}`, true},
	{`{"format":"date-time"}`, true},
	{`{"type":"string","pattern":"^a+$","minLength":2,"maxLength":3}`, true},
	{`{"type":"array","items":{"type":"integer","minimum":2},"minItems":1,"maxItems":2}`, true},
	{`{"additionalProperties":{"type":"integer"},"minProperties":1,"maxProperties":2}`, true},
	{`{"type":"object","properties":{"a":false,"b":true}}`, true},
	{`{"type":"object","properties":{"name":{"type":"string","minLength":1,"maxLength":3},
	   "children":{"type":"array","items":{"$ref":"#"}}},"required":["name"],"additionalProperties":false}`, true},
	{`{"$defs":{"n":{"type":"integer","maximum":9}},"properties":{"a":{"$ref":"#/$defs/n"}},"required":["a"]}`, true},
	{`{"$ref":"#"}`, false},
	{`{"anyOf":[{"type":"string"},{"$ref":"#"}]}`, false},
	{`{"$defs":{"a":{"allOf":[{"$ref":"#/$defs/b"}]},"b":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"}`, false},
	{`{"type":"number","maximum":2.5}`, true},
	{`{"type":"integer","exclusiveMinimum":0.5,"maximum":9}`, true},
	{`{"anyOf":[{"type":"string","maxLength":1},{"type":"integer","minimum":5}]}`, true},
	{`{"allOf":[{"type":"integer"},{"minimum":0,"maximum":1}]}`, true},
	{`{"enum":[1,2]}`, false},
	{`{"oneOf":[{"type":"string"},{"type":"integer"}]}`, false},
	{`{"anyOf":[{"type":"string"},{"not":{"type":"integer"}}]}`, false},
	{`{"$schema":"http://json-schema.org/draft-07/schema#","type":"object"}`, false},
	{`{"type":"array","uniqueItems":true}`, false},
}

func decodeInstance(t *testing.T, text string) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		t.Fatalf("decode %s: %v", text, err)
	}
	return v
}

// agree fails t if the fast check of sch accepts text and the full
// validator does not, or text is not JSON: the one thing the fast check
// must never do.
func agree(t *testing.T, name string, sch *schema, text []byte) (fastOK bool) {
	t.Helper()
	fastOK = sch.fast != nil && sch.fast.okJSON(text)
	if !fastOK {
		return false
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(text))
	if err == nil {
		err = sch.full.Validate(v)
	}
	if err != nil {
		t.Fatalf("%s: the fast check accepts %s, the full validator refuses it: %v", name, text, err)
	}
	return true
}

// encode writes a decoded instance back as JSON text.
func encode(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestFastPathAgrees: on custom schemas and on every shipped type (its
// sample and thousands of mutations of it), whatever the fast check
// accepts the full validator accepts; and the fast check does accept every
// shipped sample, or it would speed nothing up.
func TestFastPathAgrees(t *testing.T) {
	for _, tt := range fastSchemas {
		sch, err := compileSchema("test", []byte(tt.schema))
		if err != nil {
			t.Fatalf("compile %s: %v", tt.schema, err)
		}
		if (sch.fast != nil) != tt.wantFast {
			t.Errorf("%s: fast check %v, want %v", tt.schema, sch.fast != nil, tt.wantFast)
		}
		for _, text := range fastValues {
			agree(t, tt.schema, sch, []byte(text))
		}
	}
	for _, tt := range fastSchemas {
		sch, _ := compileSchema("test", []byte(tt.schema))
		for _, text := range notJSON {
			if sch.fast != nil && sch.fast.okJSON([]byte(text)) {
				t.Errorf("%s: the fast check accepts %q, which is not JSON", tt.schema, text)
			}
		}
	}
	c, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(12, 2026))
	for _, typ := range c.Shipped() {
		sch := c.schemas[typ.Type]
		if sch.fast == nil {
			t.Errorf("%s: no fast check; a shipped type should use only keywords it knows", typ.Type)
			continue
		}
		if len(typ.Sample) > 0 && !agree(t, typ.Type, sch, typ.Sample) {
			t.Errorf("%s: the fast check refuses the type's own sample", typ.Type)
		}
		for range 500 {
			v := decodeInstance(t, string(typ.Sample))
			v = mutateRandom(rng, v, decodeInstance(t, fastValues[rng.IntN(len(fastValues))]))
			agree(t, typ.Type, sch, encode(t, v))
		}
	}
}

// mutateRandom replaces a random node of v (or adds or deletes a key of a random
// object in it) with with.
func mutateRandom(rng *rand.Rand, v, with any) any {
	switch cur := v.(type) {
	case map[string]any:
		if len(cur) == 0 || rng.IntN(4) == 0 {
			return with
		}
		keys := make([]string, 0, len(cur))
		for k := range cur {
			keys = append(keys, k)
		}
		k := keys[rng.IntN(len(keys))]
		switch rng.IntN(6) {
		case 0:
			delete(cur, k)
		case 1:
			cur["extra_"+k] = with
		default:
			cur[k] = mutateRandom(rng, cur[k], with)
		}
		return cur
	case []any:
		if len(cur) == 0 || rng.IntN(4) == 0 {
			return with
		}
		i := rng.IntN(len(cur))
		cur[i] = mutateRandom(rng, cur[i], with)
		return cur
	}
	return with
}

// TestValidatePermissive: a schema that takes any object accepts one
// without decoding it, but still refuses what is not an object or not JSON.
func TestValidatePermissive(t *testing.T) {
	sch, err := compileSchema("test", []byte(`{"type":"object"}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ raw, wantErr string }{
		{` {"a":[1,{"b":null}]}`, ""},
		{`[{}]`, "data.object: must be an object"},
		{`{"a":`, "data.object: must be valid JSON."},
		{`{} {}`, "data.object: must be valid JSON."},
	} {
		err := validate(sch, json.RawMessage(tt.raw), "data.object")
		if got := core.ErrorMessage(err); !strings.HasPrefix(got, tt.wantErr) || (tt.wantErr == "") != (err == nil) {
			t.Errorf("validate(%s) = %q, want %q", tt.raw, got, tt.wantErr)
		}
	}
}

// FuzzFastPathAgrees is TestFastPathAgrees on arbitrary bytes, JSON or not.
func FuzzFastPathAgrees(f *testing.F) {
	var schemas []*schema
	for _, tt := range fastSchemas {
		sch, err := compileSchema("test", []byte(tt.schema))
		if err != nil {
			f.Fatal(err)
		}
		schemas = append(schemas, sch)
	}
	c, err := New(nil)
	if err != nil {
		f.Fatal(err)
	}
	for _, typ := range c.Shipped() {
		schemas = append(schemas, c.schemas[typ.Type])
		f.Add(uint8(len(schemas)-1), []byte(typ.Sample))
	}
	for i, v := range fastValues {
		f.Add(uint8(i), []byte(v))
	}
	f.Fuzz(func(t *testing.T, which uint8, object []byte) {
		agree(t, fmt.Sprint("schema ", int(which)%len(schemas)), schemas[int(which)%len(schemas)], object)
	})
}
