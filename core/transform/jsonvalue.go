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
// costs more than the script itself on a typical transform. Keys keep their
// order, as JSON.parse would keep it.

// eventValue builds the envelope object of ev.
func (v *vm) eventValue(ev *core.Event) (goja.Value, error) {
	obj, err := v.parseJSON(ev.Data.Object)
	if err != nil {
		return nil, fmt.Errorf("event data.object: %w", err)
	}
	data := v.rt.NewObject()
	e := v.rt.NewObject()
	err = firstErr(
		data.Set("object", obj),
		e.Set("id", ev.ID),
		e.Set("type", ev.Type),
		e.Set("created_at", ev.CreatedAt.UTC().Format("2006-01-02T15:04:05Z07:00")),
		e.Set("api_version", ev.APIVersion),
		e.Set("livemode", ev.Livemode),
		e.Set("property_id", ev.PropertyID),
		e.Set("data", data),
	)
	return e, err
}

// parseJSON turns one JSON document into goja values.
func (v *vm) parseJSON(raw []byte) (goja.Value, error) {
	if len(raw) == 0 {
		return goja.Null(), nil
	}
	p := &jsonParser{rt: v.rt, b: raw, s: string(raw)}
	val, err := p.value()
	if err != nil {
		return nil, err
	}
	if p.skipSpace(); p.i != len(p.b) {
		return nil, fmt.Errorf("trailing data at offset %d", p.i)
	}
	return val, nil
}

// jsonParser reads b; s is the same bytes as one string, which every key
// and plain string value is a slice of: one allocation for the document
// instead of one for each of its strings.
type jsonParser struct {
	rt *goja.Runtime
	b  []byte
	s  string
	i  int
}

func (p *jsonParser) skipSpace() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\n' || p.b[p.i] == '\t' || p.b[p.i] == '\r') {
		p.i++
	}
}

func (p *jsonParser) value() (goja.Value, error) {
	p.skipSpace()
	if p.i >= len(p.b) {
		return nil, fmt.Errorf("unexpected end of JSON")
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.str()
		return p.rt.ToValue(s), err
	case c == 't' || c == 'f' || c == 'n':
		return p.literal()
	default:
		return p.number()
	}
}

func (p *jsonParser) object() (goja.Value, error) {
	obj := p.rt.NewObject()
	p.i++ // {
	for {
		p.skipSpace()
		if p.i < len(p.b) && p.b[p.i] == '}' {
			p.i++
			return obj, nil
		}
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		if p.skipSpace(); p.i >= len(p.b) || p.b[p.i] != ':' {
			return nil, fmt.Errorf("expected ':' at offset %d", p.i)
		}
		p.i++
		val, err := p.value()
		if err != nil {
			return nil, err
		}
		if err := obj.Set(key, val); err != nil {
			return nil, err
		}
		if err := p.next('}'); err != nil {
			return nil, err
		}
	}
}

// next consumes a ',' or leaves the closing byte for the loop to see.
func (p *jsonParser) next(closing byte) error {
	p.skipSpace()
	if p.i < len(p.b) && p.b[p.i] == ',' {
		p.i++
		return nil
	}
	if p.i < len(p.b) && p.b[p.i] == closing {
		return nil
	}
	return fmt.Errorf("expected ',' or '%c' at offset %d", closing, p.i)
}

func (p *jsonParser) array() (goja.Value, error) {
	var items []any
	p.i++ // [
	for {
		p.skipSpace()
		if p.i < len(p.b) && p.b[p.i] == ']' {
			p.i++
			return p.rt.NewArray(items...), nil
		}
		val, err := p.value()
		if err != nil {
			return nil, err
		}
		items = append(items, val)
		if err := p.next(']'); err != nil {
			return nil, err
		}
	}
}

// str reads a JSON string, leaving escapes to encoding/json.
func (p *jsonParser) str() (string, error) {
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return "", fmt.Errorf("expected a string at offset %d", p.i)
	}
	start, escaped := p.i, false
	for p.i++; p.i < len(p.b); p.i++ {
		switch p.b[p.i] {
		case '\\':
			escaped = true
			p.i++
		case '"':
			p.i++
			if !escaped {
				return p.s[start+1 : p.i-1], nil
			}
			var s string
			err := json.Unmarshal(p.b[start:p.i], &s)
			return s, err
		}
	}
	return "", fmt.Errorf("unterminated string at offset %d", start)
}

func (p *jsonParser) literal() (goja.Value, error) {
	for _, lit := range []struct {
		text string
		val  goja.Value
	}{{"true", p.rt.ToValue(true)}, {"false", p.rt.ToValue(false)}, {"null", goja.Null()}} {
		if len(p.b)-p.i >= len(lit.text) && string(p.b[p.i:p.i+len(lit.text)]) == lit.text {
			p.i += len(lit.text)
			return lit.val, nil
		}
	}
	return nil, fmt.Errorf("unexpected literal at offset %d", p.i)
}

func (p *jsonParser) number() (goja.Value, error) {
	start := p.i
	for p.i < len(p.b) && (p.b[p.i] >= '0' && p.b[p.i] <= '9' || p.b[p.i] == '-' || p.b[p.i] == '+' || p.b[p.i] == '.' || p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
	}
	text := p.s[start:p.i]
	if n, err := strconv.ParseInt(text, 10, 64); err == nil && n > -1<<53 && n < 1<<53 {
		return p.rt.ToValue(n), nil
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return nil, fmt.Errorf("bad number %q at offset %d", text, start)
	}
	return p.rt.ToValue(f), nil
}
