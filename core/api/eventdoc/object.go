package eventdoc

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// object is a JSON object that keeps its members in their written order,
// so that rewriting a few schemas leaves the rest of the document byte for
// byte as a person wrote it.
type object []member

type member struct {
	key   string
	value json.RawMessage
}

func parseObject(raw json.RawMessage) (object, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("want a JSON object, have %.40q", raw)
	}
	var o object
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, err
		}
		o = append(o, member{key: tok.(string), value: value})
	}
	return o, nil
}

func (o object) get(key string) json.RawMessage {
	for _, m := range o {
		if m.key == key {
			return m.value
		}
	}
	return nil
}

// set replaces key's value where it stands, or appends it.
func (o *object) set(key string, value json.RawMessage) {
	for i := range *o {
		if (*o)[i].key == key {
			(*o)[i].value = value
			return
		}
	}
	*o = append(*o, member{key, value})
}

func (o *object) delete(key string) {
	for i := range *o {
		if (*o)[i].key == key {
			*o = append((*o)[:i], (*o)[i+1:]...)
			return
		}
	}
}

func (o object) marshal() json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(mustJSON(m.key))
		b.WriteByte(':')
		b.Write(m.value)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// setPath sets the value at a path of object keys inside raw, which must
// lead through objects that exist.
func setPath(raw json.RawMessage, path []string, value json.RawMessage) (json.RawMessage, error) {
	if len(path) == 0 {
		return value, nil
	}
	o, err := parseObject(raw)
	if err != nil {
		return nil, err
	}
	inner := o.get(path[0])
	if inner == nil && len(path) > 1 {
		return nil, fmt.Errorf("no %q", path[0])
	}
	v, err := setPath(inner, path[1:], value)
	if err != nil {
		return nil, fmt.Errorf("%s.%w", path[0], err)
	}
	o.set(path[0], v)
	return o.marshal(), nil
}

// mapRefs rewrites every "$ref" in raw with rename, in objects and arrays
// at any depth.
func mapRefs(raw json.RawMessage, rename func(string) (string, error)) (json.RawMessage, error) {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 {
		return raw, nil
	}
	switch trimmed[0] {
	case '{':
		o, err := parseObject(trimmed)
		if err != nil {
			return nil, err
		}
		for i, m := range o {
			if m.key == "$ref" {
				var ref string
				if err := json.Unmarshal(m.value, &ref); err != nil {
					return nil, fmt.Errorf("$ref: %w", err)
				}
				to, err := rename(ref)
				if err != nil {
					return nil, err
				}
				o[i].value = mustJSON(to)
				continue
			}
			if o[i].value, err = mapRefs(m.value, rename); err != nil {
				return nil, err
			}
		}
		return o.marshal(), nil
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(trimmed, &items); err != nil {
			return nil, err
		}
		for i := range items {
			var err error
			if items[i], err = mapRefs(items[i], rename); err != nil {
				return nil, err
			}
		}
		return mustJSON(items), nil
	}
	return raw, nil
}

// mustJSON encodes values this package builds itself (strings, slices of
// raw JSON, maps of them), which cannot fail to encode. HTML characters
// are kept as they are: the document is read by people and tools, not
// embedded in a page.
func mustJSON(v any) json.RawMessage {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("eventdoc: encode %T: %v", v, err))
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}
