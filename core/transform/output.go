package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"

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
	switch x := v.Export().(type) {
	case bool:
		e.buf.WriteString(strconv.FormatBool(x))
	case int64:
		e.buf.WriteString(strconv.FormatInt(x, 10))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			e.buf.WriteString("null")
		} else {
			e.buf.WriteString(v.String()) // JavaScript's own number formatting
		}
	case string:
		b, _ := json.Marshal(x)
		e.buf.Write(b)
	default:
		e.buf.WriteString("null") // symbols, bigints: not JSON
	}
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
		kb, _ := json.Marshal(k)
		e.buf.Write(kb)
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
