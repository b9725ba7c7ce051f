package transform

import (
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// join is Array.prototype.join with its result bounded as it is built.
func (l *limits) join(call goja.FunctionCall) goja.Value {
	obj := call.This.ToObject(l.rt)
	n := obj.Get("length").ToInteger()
	if n > int64(l.maxElems) {
		l.throwRange("join: an array length of %d exceeds the limit of %d", n, l.maxElems)
	}
	sep := ","
	if a := call.Argument(0); !goja.IsUndefined(a) {
		sep = a.String()
	}
	var b strings.Builder
	for i := int64(0); i < n; i++ {
		if i > 0 {
			b.WriteString(sep)
		}
		if el := obj.Get(strconv.FormatInt(i, 10)); el != nil && !goja.IsUndefined(el) && !goja.IsNull(el) {
			b.WriteString(el.String())
		}
		if b.Len() > l.maxLen {
			l.throwRange("join: a string length over %d", l.maxLen)
		}
	}
	return l.rt.ToValue(b.String())
}

// guardStringify wraps JSON.stringify with a replacer that counts what it
// writes and throws once that passes the limit, so that one object shared a
// million times cannot produce a gigabyte of JSON. A caller's own replacer
// (function or list of keys) still applies.
func (l *limits) guardStringify(json *goja.Object) error {
	orig, _ := goja.AssertFunction(json.Get("stringify"))
	fn := func(call goja.FunctionCall) goja.Value {
		counter := l.countingStringifyReplacer(call.Argument(1))
		res, err := orig(call.This, call.Argument(0), counter, call.Argument(2))
		if err != nil {
			panic(err)
		}
		return res
	}
	return json.DefineDataProperty("stringify", l.rt.ToValue(fn), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

func (l *limits) countingStringifyReplacer(user goja.Value) goja.Value {
	userFn, isFn := goja.AssertFunction(user)
	var keep map[string]bool
	if obj, ok := user.(*goja.Object); ok && !isFn && obj.ClassName() == "Array" {
		keep = map[string]bool{}
		for _, k := range obj.Keys() {
			keep[obj.Get(k).String()] = true
		}
	}
	var total int64
	return l.rt.ToValue(func(c goja.FunctionCall) goja.Value {
		key, val := c.Argument(0), c.Argument(1)
		if isFn {
			v, err := userFn(c.This, key, val)
			if err != nil {
				panic(err)
			}
			val = v
		} else if keep != nil && key.String() != "" && !keep[key.String()] {
			if h, ok := c.This.(*goja.Object); !ok || h.ClassName() != "Array" {
				return goja.Undefined()
			}
		}
		total += l.strLen(key) + 2
		if _, isObj := val.(*goja.Object); !isObj && val != nil && !goja.IsUndefined(val) {
			total += l.strLen(val)
		}
		if total > int64(l.maxLen) {
			l.throwRange("JSON.stringify: output over %d characters", l.maxLen)
		}
		return val
	})
}
