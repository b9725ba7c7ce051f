package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strconv"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// errTooLarge and errTooDeep stop the output encoder.
var (
	errTooLarge = errors.New("output too large")
	errTooDeep  = errors.New("output nested too deep (or cyclic)")
)

// maxOutputDepth bounds nesting in the output, which also catches cycles.
const maxOutputDepth = 200

// encoder writes a returned value as JSON the way JSON.stringify would
// (toJSON honoured, undefined and functions dropped from objects and null in
// arrays), stopping as soon as the output passes its cap: an object shared a
// million times never becomes a gigabyte in memory.
type encoder struct {
	rt    *goja.Runtime
	buf   bytes.Buffer
	limit int
}

// keptBufferBytes is the largest output buffer a runtime keeps for its next
// run; a bigger one (a rare large output) is let go.
const keptBufferBytes = 64 << 10

// release drops the buffer if one run made it large, so that a pooled
// runtime does not hold on to its largest output ever.
func (e *encoder) release() {
	if e.buf.Cap() > keptBufferBytes {
		e.buf = bytes.Buffer{}
	}
}

func (e *encoder) encode(v goja.Value, depth int) error {
	if e.buf.Len() > e.limit {
		return errTooLarge
	}
	if depth > maxOutputDepth {
		return errTooDeep
	}
	obj, isObj := v.(*goja.Object)
	if isObj {
		if toJSON, ok := goja.AssertFunction(obj.Get("toJSON")); ok {
			r, err := toJSON(obj)
			if err != nil {
				return err
			}
			return e.encode(r, depth+1)
		}
	}
	switch {
	case v == nil || goja.IsUndefined(v) || goja.IsNull(v):
		e.buf.WriteString("null")
	case isObj:
		return e.object(obj, depth)
	default:
		e.scalar(v)
	}
	return nil
}

func (e *encoder) scalar(v goja.Value) {
	if s, ok := v.(goja.String); ok {
		e.str(s.String())
		return
	}
	switch v.ExportType().Kind() {
	case reflect.Bool:
		e.buf.WriteString(strconv.FormatBool(v.ToBoolean()))
	case reflect.Int64:
		e.buf.WriteString(strconv.FormatInt(v.ToInteger(), 10))
	case reflect.Float64:
		if x := v.ToFloat(); math.IsNaN(x) || math.IsInf(x, 0) {
			e.buf.WriteString("null")
		} else {
			e.buf.WriteString(v.String()) // JavaScript's own number formatting
		}
	case reflect.String:
		e.str(v.String())
	default:
		e.buf.WriteString("null") // symbols, bigints: not JSON
	}
}

// str writes s as a JSON string exactly as encoding/json does, without its
// reflection and allocation for the common string that needs no escaping.
func (e *encoder) str(s string) {
	if !plainJSON(s) {
		b, _ := json.Marshal(s)
		e.buf.Write(b)
		return
	}
	e.buf.WriteByte('"')
	e.buf.WriteString(s)
	e.buf.WriteByte('"')
}

// plainJSON says whether encoding/json would write s between quotes as it
// is: valid UTF-8 with no control character, quote, backslash, HTML
// character (<, >, &) or line/paragraph separator (U+2028, U+2029).
func plainJSON(s string) bool {
	ascii := true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		case c == 0xE2 && i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xA8 || s[i+2] == 0xA9):
			return false
		case c >= 0x80:
			ascii = false
		}
	}
	return ascii || utf8.ValidString(s)
}

func (e *encoder) object(obj *goja.Object, depth int) error {
	if _, isFn := goja.AssertFunction(obj); isFn {
		e.buf.WriteString("null")
		return nil
	}
	if obj.ClassName() == "Array" {
		n := obj.Get("length").ToInteger()
		e.buf.WriteByte('[')
		for i := int64(0); i < n; i++ {
			if i > 0 {
				e.buf.WriteByte(',')
			}
			if err := e.encode(skipNonJSON(obj.Get(strconv.FormatInt(i, 10))), depth+1); err != nil {
				return err
			}
		}
		e.buf.WriteByte(']')
		return nil
	}
	switch obj.ClassName() { // boxed primitives: new String("x")
	case "String":
		e.scalar(obj.ToString())
		return nil
	case "Number":
		e.scalar(obj.ToNumber())
		return nil
	case "Boolean":
		e.scalar(e.rt.ToValue(obj.Export()))
		return nil
	}
	e.buf.WriteByte('{')
	first := true
	for _, k := range obj.Keys() {
		val := obj.Get(k)
		if val == nil || goja.IsUndefined(val) || isFunc(val) || isSymbol(val) {
			continue
		}
		if !first {
			e.buf.WriteByte(',')
		}
		first = false
		e.str(k)
		e.buf.WriteByte(':')
		if err := e.encode(val, depth+1); err != nil {
			return err
		}
	}
	e.buf.WriteByte('}')
	return nil
}

func skipNonJSON(v goja.Value) goja.Value {
	if v == nil || isFunc(v) || isSymbol(v) {
		return goja.Undefined()
	}
	return v
}

func isFunc(v goja.Value) bool { _, ok := goja.AssertFunction(v); return ok }

func isSymbol(v goja.Value) bool { _, ok := v.(*goja.Symbol); return ok }
