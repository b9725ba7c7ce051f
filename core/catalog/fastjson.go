package catalog

import (
	"encoding/json"
	"unicode/utf8"

	"github.com/bellhop/bellhop/core/jsonenc"
)

// okJSON reports whether raw, a JSON text, is valid for sure against n,
// reading the bytes as they are: decoding data.object into maps for the
// check cost a third of a batch publish's CPU (issue 12), and a publish
// that passes never needs the tree. false means invalid or unsure,
// including raw that is not JSON, a duplicate key (a decoder keeps only
// the last one) and nesting deeper than jsonenc.MaxDepth, and the caller
// asks the full validator.
func (n *fastNode) okJSON(raw []byte) bool {
	w := walker{b: raw}
	w.space()
	if !w.value(n, 0) {
		return false
	}
	w.space()
	return w.i == len(w.b)
}

// walker reads one JSON text, checking each value against a fastNode as
// it goes.
type walker struct {
	b []byte
	i int
}

func (w *walker) space() { w.i = jsonenc.SpaceEnd(w.b, w.i) }

// value checks the value at w.i against n (nil: any value, its syntax
// only) and moves past it. The keywords that apply several schemas to one
// value ($ref, allOf, anyOf) read it again from its start.
func (w *walker) value(n *fastNode, depth int) bool {
	if depth > jsonenc.MaxDepth || w.i >= len(w.b) {
		return false
	}
	if n != nil && n.reject {
		return false
	}
	if n != nil && n.accept {
		n = nil
	}
	start := w.i
	if !w.own(n, depth) {
		return false
	}
	if n == nil {
		return true
	}
	end := w.i
	again := func(sub *fastNode) bool {
		r := walker{b: w.b[:end], i: start}
		return r.value(sub, depth+1) && r.i == end
	}
	if n.ref != nil && !again(n.ref) {
		return false
	}
	for _, sub := range n.allOf {
		if !again(sub) {
			return false
		}
	}
	for _, sub := range n.anyOf {
		if again(sub) {
			return true
		}
	}
	return n.anyOf == nil
}

// own checks the value at w.i against n's own keywords (not $ref, allOf
// or anyOf) and moves past it.
func (w *walker) own(n *fastNode, depth int) bool {
	var t typeMask
	switch c := w.b[w.i]; {
	case c == '{':
		t = tObject
		if !w.object(n, depth) {
			return false
		}
	case c == '[':
		t = tArray
		if !w.array(n, depth) {
			return false
		}
	case c == '"':
		t = tString
		b, ok := w.str()
		if !ok {
			return false
		}
		if n == nil {
			return true
		}
		if n.minLen > 0 || n.maxLen >= 0 {
			l := utf8.RuneCount(b)
			if l < n.minLen || n.maxLen >= 0 && l > n.maxLen {
				return false
			}
		}
		if n.pattern != nil || n.format != nil || n.enum != nil {
			s := string(b)
			if n.pattern != nil && !n.pattern.MatchString(s) || n.format != nil && n.format(s) != nil ||
				n.enum != nil && !n.inEnum(s) {
				return false
			}
		}
		return n.types == 0 || n.types&t != 0
	case c == 't' || c == 'f' || c == 'n':
		v, ok := w.literal()
		if !ok {
			return false
		}
		switch v.(type) {
		case bool:
			t = tBoolean
		default:
			t = tNull
		}
		if n != nil && n.enum != nil && !n.inEnum(v) {
			return false
		}
	case c == '-' || '0' <= c && c <= '9':
		num, ok := w.number()
		if !ok {
			return false
		}
		if n != nil {
			if t, ok = n.okNumber(json.Number(num)); !ok { // copied only when a schema reads it
				return false
			}
		}
	default:
		return false
	}
	if n == nil {
		return true
	}
	if n.types != 0 && n.types&t == 0 {
		return false
	}
	// Formats check strings; on any other value the full validator decides,
	// and an enum of strings, booleans and null holds no object, array or
	// number.
	return n.format == nil && (n.enum == nil || t == tNull || t == tBoolean)
}

func (w *walker) object(n *fastNode, depth int) bool {
	w.i++           // {
	var seen keySet // for duplicates, which matter only to a check
	var required uint64
	if n != nil && len(n.required) > 64 {
		return false
	}
	count := 0
	w.space()
	if w.i < len(w.b) && w.b[w.i] == '}' {
		w.i++
	} else {
		for {
			w.space()
			if w.i >= len(w.b) || w.b[w.i] != '"' {
				return false
			}
			key, ok := w.str()
			if !ok {
				return false
			}
			if n != nil && !seen.add(key) {
				return false
			}
			count++
			w.space()
			if w.i >= len(w.b) || w.b[w.i] != ':' {
				return false
			}
			w.i++
			w.space()
			var sub *fastNode
			if n != nil {
				for j, name := range n.required {
					if name == string(key) {
						required |= 1 << j
					}
				}
				if p, ok := n.props[string(key)]; ok {
					sub = p
				} else if n.noExtra {
					return false
				} else {
					sub = n.extra
				}
			}
			if !w.value(sub, depth+1) {
				return false
			}
			if done, ok := w.after('}'); !ok {
				return false
			} else if done {
				break
			}
		}
	}
	if n == nil {
		return true
	}
	return count >= n.minProps && (n.maxProps < 0 || count <= n.maxProps) && required == 1<<len(n.required)-1
}

// keySet holds an object's keys, in a small array while there are few of
// them (most objects) and in a map beyond, so that a huge object costs no
// quadratic time.
type keySet struct {
	few  [16][]byte
	n    int
	many map[string]bool
}

// add adds key and reports whether it was new.
func (s *keySet) add(key []byte) bool {
	if s.many != nil {
		if s.many[string(key)] {
			return false
		}
		s.many[string(key)] = true
		return true
	}
	for _, k := range s.few[:s.n] {
		if string(k) == string(key) {
			return false
		}
	}
	if s.n < len(s.few) {
		s.few[s.n] = key
		s.n++
		return true
	}
	s.many = make(map[string]bool, 2*len(s.few))
	for _, k := range s.few {
		s.many[string(k)] = true
	}
	s.many[string(key)] = true
	return true
}

func (w *walker) array(n *fastNode, depth int) bool {
	w.i++ // [
	var items *fastNode
	if n != nil {
		items = n.items
	}
	count := 0
	w.space()
	if w.i < len(w.b) && w.b[w.i] == ']' {
		w.i++
	} else {
		for {
			w.space()
			if !w.value(items, depth+1) {
				return false
			}
			count++
			if done, ok := w.after(']'); !ok {
				return false
			} else if done {
				break
			}
		}
	}
	return n == nil || count >= n.minItems && (n.maxItems < 0 || count <= n.maxItems)
}

// after reads what follows an object's member or an array's element: its
// closing byte (done) or a comma; anything else is not JSON.
func (w *walker) after(closing byte) (done, ok bool) {
	w.space()
	if w.i >= len(w.b) {
		return false, false
	}
	switch w.b[w.i] {
	case closing:
		w.i++
		return true, true
	case ',':
		w.i++
		return false, true
	}
	return false, false
}

// str reads a string and returns its value as encoding/json decodes it.
// A plain one (no escape, valid UTF-8) is the bytes themselves, no copy;
// any other is left to encoding/json, which is exact about escapes,
// surrogates and invalid UTF-8.
func (w *walker) str() ([]byte, bool) {
	start := w.i
	w.i++ // "
	plain := true
	for w.i < len(w.b) {
		c := w.b[w.i]
		switch {
		case c == '"':
			w.i++
			if plain {
				return w.b[start+1 : w.i-1], true
			}
			var s string
			err := json.Unmarshal(w.b[start:w.i], &s)
			return []byte(s), err == nil
		case c == '\\':
			plain = false
			w.i += 2 // the escaped byte; json.Unmarshal checks the escape
		case c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(w.b[w.i:])
			if r == utf8.RuneError && size == 1 {
				plain = false
			}
			w.i += size
		default:
			w.i++
		}
	}
	return nil, false
}

// literal reads true, false or null.
func (w *walker) literal() (any, bool) {
	end := jsonenc.LiteralEnd(w.b, w.i)
	if end < 0 {
		return nil, false
	}
	var v any
	switch w.b[w.i] {
	case 't':
		v = true
	case 'f':
		v = false
	}
	w.i = end
	return v, true
}

// number reads a number as JSON writes one and returns its bytes.
func (w *walker) number() ([]byte, bool) {
	end := jsonenc.NumberEnd(w.b, w.i)
	if end < 0 {
		return nil, false
	}
	num := w.b[w.i:end]
	w.i = end
	return num, true
}
