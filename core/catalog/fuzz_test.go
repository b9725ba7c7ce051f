package catalog

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/core"
)

// FuzzValidateObject checks arbitrary JSON against each shipped type's
// schema, the check every published data.object goes through. Whatever the
// input, ValidateObject must not panic, must accept only valid JSON, and
// must refuse with an EINVALID error whose Param is a path under
// data.object that the message starts with, whose parent exists in the
// object (the publisher has to find the field it names), and which is the
// same on every run (problems are sorted, so the "first" one is stable).
func FuzzValidateObject(f *testing.F) {
	c, err := New(nil)
	if err != nil {
		f.Fatal(err)
	}
	types := c.Shipped()
	for i, t := range types {
		f.Add(uint8(i), []byte(t.Sample))
		f.Add(uint8(i), []byte(strings.Replace(string(t.Sample), `"`, `"x`, 3)))
	}
	for _, s := range []string{``, `null`, `[]`, `{}`, `{"a":1} {}`, `{"id":"res_1","guest":{"email":"x"}}`,
		`{"nights":"four","total":{"amount":1.5,"currency":"usd"}}`, `{"rates":[{"date":"x"}]}`, `{"a.b":{"c":1}}`} {
		f.Add(uint8(0), []byte(s))
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, which uint8, object []byte) {
		typ := types[int(which)%len(types)].Type
		err := c.ValidateObject(ctx, testScope, typ, object)
		if err == nil {
			if !json.Valid(object) {
				t.Fatalf("%s accepted invalid JSON %q", typ, object)
			}
			return
		}
		e, ok := err.(*core.Error)
		if !ok || e.Code != core.EINVALID {
			t.Fatalf("%s: %v is not an EINVALID *core.Error", typ, err)
		}
		if e.Param != "data.object" && !strings.HasPrefix(e.Param, "data.object.") && !strings.HasPrefix(e.Param, "data.object[") {
			t.Fatalf("%s: param %q is not a path under data.object (%v)", typ, e.Param, err)
		}
		if !strings.HasPrefix(e.Message, e.Param) || len(e.Message) <= len(e.Param)+2 {
			t.Fatalf("%s: message %q does not name %q and say what is wrong", typ, e.Message, e.Param)
		}
		if again := c.ValidateObject(ctx, testScope, typ, object); again.Error() != err.Error() {
			t.Fatalf("%s: two runs disagree:\n%v\n%v", typ, err, again)
		}
		var inst any
		if json.Unmarshal(object, &inst) == nil && !parentExists(inst, e.Param) {
			t.Fatalf("%s: param %q names a field under one the object does not have: %s", typ, e.Param, object)
		}
	})
}

// parentExists reports whether every step of param but the last (which may
// be a missing required field) leads somewhere in the decoded object.
// A key holding '.', '[' or ']' is written ["a.b"], so every path reads
// one way.
func parentExists(inst any, param string) bool {
	steps := splitPath(strings.TrimPrefix(param, "data.object"))
	if steps == nil {
		return true
	}
	v := inst
	for _, s := range steps[:len(steps)-1] {
		switch cur := v.(type) {
		case map[string]any:
			next, ok := cur[s]
			if !ok {
				return false
			}
			v = next
		case []any:
			i, err := strconv.Atoi(strings.Trim(s, "[]"))
			if err != nil || !strings.HasPrefix(s, "[") || i < 0 || i >= len(cur) {
				return false
			}
			v = cur[i]
		default:
			return false
		}
	}
	return true
}

// splitPath splits ".guest.email", ".rates[0].date" or `.amount["a.b"]`
// into its steps (an index keeps its brackets), or returns nil when it
// cannot be read.
func splitPath(p string) []string {
	var steps []string
	for p != "" {
		switch p[0] {
		case '.':
			end := strings.IndexAny(p[1:], ".[")
			if end < 0 {
				end = len(p) - 1
			}
			steps = append(steps, p[1:end+1])
			p = p[end+1:]
		case '[':
			if strings.HasPrefix(p, `["`) {
				q, err := strconv.QuotedPrefix(p[1:])
				if err != nil || !strings.HasPrefix(p[1+len(q):], "]") {
					return nil
				}
				key, _ := strconv.Unquote(q)
				steps = append(steps, key)
				p = p[len(q)+2:]
				continue
			}
			end := strings.IndexByte(p, ']')
			if end < 0 {
				return nil
			}
			steps = append(steps, p[:end+1])
			p = p[end+1:]
		default:
			return nil
		}
	}
	return steps
}
