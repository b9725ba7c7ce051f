package transform

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/bellhop/bellhop/core/jsonenc"
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
		e.jsString(s)
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

// jsString writes a JavaScript string. goja keeps a string with any
// character outside ASCII as UTF-16, and its String method makes a []rune
// and then a string of it; those are read code unit by code unit instead.
// (Which kind s is, is read from its Go kind; the UTF-16 path is right for
// either, only slower on ASCII.)
func (e *encoder) jsString(s goja.String) {
	if reflect.TypeOf(s).Kind() == reflect.String {
		e.str(s.String()) // ASCII: String is the string itself
		return
	}
	b := e.buf.AvailableBuffer()
	b = append(b, '"')
	n := s.Length()
	for i := 0; i < n; i++ {
		r := rune(s.CharAt(i))
		if utf16.IsSurrogate(r) {
			r2 := utf8.RuneError
			if i+1 < n {
				r2 = rune(s.CharAt(i + 1))
			}
			if r = utf16.DecodeRune(r, r2); r != utf8.RuneError {
				i++
			}
		}
		b = jsonenc.AppendRune(b, r)
	}
	e.buf.Write(append(b, '"'))
}

// str writes s as a JSON string exactly as encoding/json does (HTML
// characters escaped, invalid UTF-8 as \ufffd), without its reflection and
// allocation.
func (e *encoder) str(s string) {
	e.buf.Write(jsonenc.AppendString(e.buf.AvailableBuffer(), s))
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
