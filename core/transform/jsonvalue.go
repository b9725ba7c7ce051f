package transform

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/bellhop/bellhop/core"
	"github.com/dop251/goja"
)

// The event goes into the runtime by a direct translation of its JSON into
// goja values: goja's own JSON.parse streams tokens through encoding/json and
// costs more than the script itself on a typical transform. Objects are
// translated lazily (see jsonObject): a script reads a handful of an event's
// fields, and an ordinary goja object costs a map and half a dozen
// allocations whether its fields are read or not.

// eventValue builds the envelope object of ev.
func (v *vm) eventValue(ev *core.Event) (goja.Value, error) {
	raw := ev.Data.Object
	obj := goja.Null()
	if len(raw) > 0 {
		// About one member per 24 bytes of a typical event, up to 64 members:
		// a large document whose script reads little gets no large slab.
		doc := &jsonDoc{rt: v.rt, s: string(raw), slab: make([]jsonEntry, 0, min(len(raw)/24+4, 64))}
		// Checked whole here, so that reading the document lazily later
		// cannot meet an error in the middle of the script.
		if !validJSON(doc.s) {
			return nil, fmt.Errorf("event data.object: not valid JSON")
		}
		var err error
		if obj, err = doc.value(doc.trim(0, len(doc.s))); err != nil {
			return nil, fmt.Errorf("event data.object: %w", err)
		}
	}
	data := &jsonObject{entries: []jsonEntry{{key: "object", val: obj}}}
	e := &jsonObject{entries: []jsonEntry{
		{key: "id", val: v.rt.ToValue(ev.ID)},
		{key: "type", val: v.rt.ToValue(ev.Type)},
		{key: "created_at", val: v.rt.ToValue(ev.CreatedAt.UTC().Format("2006-01-02T15:04:05Z07:00"))},
		{key: "api_version", val: v.rt.ToValue(ev.APIVersion)},
		{key: "livemode", val: v.rt.ToValue(ev.Livemode)},
		{key: "property_id", val: v.rt.ToValue(ev.PropertyID)},
		{key: "data", val: v.rt.NewDynamicObject(data)},
	}}
	return v.rt.NewDynamicObject(e), nil
}

// jsonDoc is one JSON document, valid (eventValue checked it), as a string:
// every key and plain string value is a slice of it, and a value not yet
// read is the span of its text. The entries of its objects are cut from one
// slab, a few allocations for the document instead of a growing slice for
// each object.
type jsonDoc struct {
	rt   *goja.Runtime
	s    string
	slab []jsonEntry
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// trim returns the text of s[i:j] without surrounding white space.
func (d *jsonDoc) trim(i, j int) string {
	for i < j && isSpace(d.s[i]) {
		i++
	}
	for j > i && isSpace(d.s[j-1]) {
		j--
	}
	return d.s[i:j]
}

// value turns the text of one JSON value into a goja value: an object
// lazily, anything else at once.
func (d *jsonDoc) value(t string) (goja.Value, error) {
	switch c := t[0]; {
	case c == '{':
		o, err := d.object(t)
		if err != nil {
			return nil, err
		}
		return d.rt.NewDynamicObject(o), nil
	case c == '[':
		return d.array(t)
	case c == '"':
		s, err := unquote(t)
		return d.rt.ToValue(s), err
	case t == "true":
		return d.rt.ToValue(true), nil
	case t == "false":
		return d.rt.ToValue(false), nil
	case t == "null":
		return goja.Null(), nil
	}
	if n, err := strconv.ParseInt(t, 10, 64); err == nil && n > -1<<53 && n < 1<<53 {
		return d.rt.ToValue(n), nil
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return nil, fmt.Errorf("bad number %q", t)
	}
	return d.rt.ToValue(f), nil
}

// unquote returns the string a JSON string literal stands for, leaving
// escapes to encoding/json.
func unquote(t string) (string, error) {
	for i := 1; i < len(t)-1; i++ {
		if t[i] == '\\' {
			var s string
			err := json.Unmarshal([]byte(t), &s)
			return s, err
		}
	}
	return t[1 : len(t)-1], nil
}

// end returns the index just past the JSON value that starts at s[i].
func end(s string, i int) int {
	switch s[i] {
	case '"':
		for i++; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case '"':
				return i + 1
			}
		}
		return len(s)
	case '{', '[':
		depth := 0
		for ; i < len(s); i++ {
			switch s[i] {
			case '"':
				i = end(s, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return len(s)
	}
	for ; i < len(s); i++ {
		if c := s[i]; c == ',' || c == '}' || c == ']' || isSpace(c) {
			return i
		}
	}
	return i
}

// members calls f with the text of each member of the object or array t
// (t a slice of d.s), and for an object with the member's key text.
func (d *jsonDoc) members(t string, isObject bool, f func(key, val string) error) error {
	s := t[1 : len(t)-1]
	for i := 0; ; {
		for i < len(s) && (isSpace(s[i]) || s[i] == ',') {
			i++
		}
		if i >= len(s) {
			return nil
		}
		var key string
		if isObject {
			k := end(s, i)
			key, i = s[i:k], k
			for i < len(s) && (isSpace(s[i]) || s[i] == ':') {
				i++
			}
		}
		j := end(s, i)
		if err := f(key, s[i:j]); err != nil {
			return err
		}
		i = j
	}
}

func (d *jsonDoc) object(t string) (*jsonObject, error) {
	start := len(d.slab)
	err := d.members(t, true, func(keyText, val string) error {
		key, err := unquote(keyText)
		if err != nil {
			return err
		}
		d.slab = append(d.slab, jsonEntry{key: key, raw: val})
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Capped, so that a member added later is appended to a copy, not
	// over the next object's entries.
	o := &jsonObject{doc: d, entries: d.slab[start:len(d.slab):len(d.slab)]}
	o.dedupe()
	return o, nil
}

func (d *jsonDoc) array(t string) (goja.Value, error) {
	var items []any
	err := d.members(t, false, func(_, val string) error {
		v, err := d.value(val)
		items = append(items, v)
		return err
	})
	if err != nil {
		return nil, err
	}
	return d.rt.NewArray(items...), nil
}
