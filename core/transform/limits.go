package transform

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// limits holds the guards installed on the builtins that can turn a small
// input into an enormous result in one native call, which no interrupt can
// stop: 'x'.repeat(1e9), Array(1e6).fill(s).join(”), JSON.stringify of one
// object shared a million times. Each guard bounds the result before the
// builtin runs and throws a RangeError instead.
type limits struct {
	rt       *goja.Runtime
	maxLen   int // characters in one string
	maxElems int // elements in one array
}

func installLimits(rt *goja.Runtime, maxLen int) error {
	l := &limits{rt: rt, maxLen: maxLen, maxElems: max(maxLen/4, 1024)}
	str := rt.Get("String").ToObject(rt).Get("prototype").ToObject(rt)
	arr := rt.Get("Array").ToObject(rt)
	arrProto := arr.Get("prototype").ToObject(rt)
	for _, name := range arrayMethods() {
		if err := l.wrap(arrProto, name, l.arrayGuard(name)); err != nil {
			return err
		}
	}
	if err := l.guardIterators(arrProto, str); err != nil {
		return err
	}
	if err := arrProto.DefineDataProperty("join", rt.ToValue(l.join), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
		return fmt.Errorf("guard Array.prototype.join: %w", err)
	}
	guards := []struct {
		obj   *goja.Object
		name  string
		guard func(goja.FunctionCall) (int64, string)
	}{
		{str, "repeat", l.repeatSize},
		{str, "padStart", l.padSize},
		{str, "padEnd", l.padSize},
		{str, "concat", l.concatSize},
		{str, "replace", l.replaceSize},
		{str, "replaceAll", l.replaceSize},
		{arr, "from", l.fromSize},
		{rt.Get("Function").ToObject(rt).Get("prototype").ToObject(rt), "apply", l.argsSize(1)},
		{rt.Get("Reflect").ToObject(rt), "apply", l.argsSize(2)},
		{rt.Get("Reflect").ToObject(rt), "construct", l.argsSize(1)},
	}
	for _, g := range guards {
		if err := l.wrap(g.obj, g.name, g.guard); err != nil {
			return err
		}
	}
	return l.guardStringify(rt.Get("JSON").ToObject(rt))
}

// arrayMethods are the Array.prototype methods that loop natively over
// `length` elements, so a sparse array with a huge length would make them
// run (and allocate) without bound.
func arrayMethods() []string {
	return []string{"at", "concat", "copyWithin", "entries", "every", "fill", "filter", "find",
		"findIndex", "findLast", "findLastIndex", "flat", "flatMap", "forEach", "includes",
		"indexOf", "lastIndexOf", "map", "pop", "push", "reduce", "reduceRight",
		"reverse", "shift", "slice", "some", "sort", "splice", "toLocaleString", "toReversed",
		"toSorted", "toSpliced", "toString", "unshift", "with"} // values, keys, entries: guardIterators
}

// wrap replaces obj[name] with a function that asks guard for the size the
// call would produce and throws a RangeError when it is over the limit.
func (l *limits) wrap(obj *goja.Object, name string, guard func(goja.FunctionCall) (int64, string)) error {
	fn, ok := l.guarded(obj.Get(name), name, int64(l.maxLen), guard)
	if !ok {
		return nil // not in this goja version: nothing to guard
	}
	if err := obj.DefineDataProperty(name, fn, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
		return fmt.Errorf("guard %s: %w", name, err)
	}
	return nil
}

// guarded returns builtin behind a guard that throws a RangeError when the
// size the call would produce is over limit.
func (l *limits) guarded(builtin goja.Value, name string, limit int64, guard func(goja.FunctionCall) (int64, string)) (goja.Value, bool) {
	orig, ok := goja.AssertFunction(builtin)
	if !ok {
		return nil, false
	}
	// A builtin is called as the Go function it is, not through
	// goja.Callable, whose exception frame costs more than most array
	// methods on a transform's small arrays.
	native, isNative := builtin.Export().(func(goja.FunctionCall) goja.Value)
	fn := func(call goja.FunctionCall) goja.Value {
		if size, what := guard(call); size > limit {
			l.throwRange("%s: %s of %d exceeds the limit of %d", name, what, size, limit)
		}
		if isNative {
			return native(call)
		}
		res, err := orig(call.This, call.Arguments...)
		if err != nil {
			panic(err)
		}
		return res
	}
	return l.rt.ToValue(fn), true
}

// maxIterated bounds the elements of an array or the characters of a
// string that one iterator may walk. Spreading ([...a], f(...a)), for-of,
// new Map(a), new Set(a) and Promise.all(a) step an iterator in a native
// loop that no interrupt reaches, at about a microsecond a step: 64Ki steps
// stay near the default time limit, where a sparse array claiming 3e7
// elements took 50 s and 17 GB of allocation to spread.
const maxIterated = 1 << 16

// guardIterators puts maxIterated on the iterators of arrays (values, keys,
// entries and Symbol.iterator, which is values) and of strings.
func (l *limits) guardIterators(arrProto, strProto *goja.Object) error {
	elements := func(call goja.FunctionCall) (int64, string) { return l.lengthOf(call.This), "an array length" }
	for _, name := range []string{"values", "keys", "entries"} {
		if fn, ok := l.guarded(arrProto.Get(name), name, maxIterated, elements); ok {
			if err := arrProto.DefineDataProperty(name, fn, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
				return fmt.Errorf("guard Array.prototype.%s: %w", name, err)
			}
		}
	}
	// Symbol.iterator of arrays is the same function as values, as the spec has it.
	if err := arrProto.DefineDataPropertySymbol(goja.SymIterator, arrProto.Get("values"), goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE); err != nil {
		return fmt.Errorf("guard Array.prototype[Symbol.iterator]: %w", err)
	}
	chars := func(call goja.FunctionCall) (int64, string) { return l.strLen(call.This), "a string length" }
	if fn, ok := l.guarded(strProto.GetSymbol(goja.SymIterator), "[Symbol.iterator]", maxIterated, chars); ok {
		if err := strProto.DefineDataPropertySymbol(goja.SymIterator, fn, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE); err != nil {
			return fmt.Errorf("guard String.prototype[Symbol.iterator]: %w", err)
		}
	}
	return nil
}

func (l *limits) throwRange(format string, args ...any) {
	e, err := l.rt.New(l.rt.Get("RangeError"), l.rt.ToValue(fmt.Sprintf(format, args...)))
	if err != nil {
		panic(err)
	}
	panic(e)
}

func (l *limits) strLen(v goja.Value) int64 {
	if s, ok := v.ToString().(goja.String); ok {
		return int64(s.Length())
	}
	return int64(len(v.String()))
}

func (l *limits) lengthOf(v goja.Value) int64 {
	obj, ok := v.(*goja.Object)
	if !ok {
		return 0
	}
	n := obj.Get("length")
	if n == nil { // an iterable without a length: a Set, a Map, an iterator
		return 0
	}
	return n.ToInteger()
}

func (l *limits) arrayGuard(name string) func(goja.FunctionCall) (int64, string) {
	return func(call goja.FunctionCall) (int64, string) {
		n := l.lengthOf(call.This)
		if name == "concat" {
			for _, a := range call.Arguments {
				n += l.lengthOf(a)
			}
		}
		if name == "flat" {
			depth := 1.0
			if d := call.Argument(0); !goja.IsUndefined(d) {
				depth = d.ToFloat()
			}
			n = l.flatSize(call.This, depth)
		}
		// Scale so that the common check against maxLen bounds elements by maxElems.
		return n * int64(l.maxLen) / int64(l.maxElems), "an array length (scaled)"
	}
}

// flatSize counts the elements flat(depth) would produce, following nested
// arrays depth levels down (shared ones counted each time they appear, as
// flat copies them), and stops counting once over the limit.
func (l *limits) flatSize(v goja.Value, depth float64) int64 {
	var total int64
	var walk func(obj *goja.Object, depth float64)
	walk = func(obj *goja.Object, depth float64) {
		n := obj.Get("length").ToInteger()
		for i := int64(0); i < n && total <= int64(l.maxElems); i++ {
			inner, ok := obj.Get(strconv.FormatInt(i, 10)).(*goja.Object)
			if ok && depth >= 1 && inner.ClassName() == "Array" {
				walk(inner, depth-1)
			} else {
				total++
			}
		}
	}
	if obj, ok := v.(*goja.Object); ok {
		if n := obj.Get("length").ToInteger(); n > int64(l.maxElems) {
			return n
		}
		walk(obj, depth)
	}
	return total
}

func (l *limits) repeatSize(call goja.FunctionCall) (int64, string) {
	count := call.Argument(0).ToFloat()
	size := float64(l.strLen(call.This)) * count
	if size > float64(1<<62) {
		return 1 << 62, "a string length"
	}
	return int64(size), "a string length"
}

func (l *limits) padSize(call goja.FunctionCall) (int64, string) {
	return call.Argument(0).ToInteger(), "a string length"
}

func (l *limits) concatSize(call goja.FunctionCall) (int64, string) {
	n := l.strLen(call.This)
	for _, a := range call.Arguments {
		n += l.strLen(a)
	}
	return n, "a string length"
}

// replaceSize bounds a replacement by its worst case: every position a match
// and every "$&" the whole string. A function replacement is bounded after
// each call instead, by counting what it returns.
func (l *limits) replaceSize(call goja.FunctionCall) (int64, string) {
	n := l.strLen(call.This)
	repl := call.Argument(1)
	if _, isFn := goja.AssertFunction(repl); isFn {
		call.Arguments[1] = l.countingReplacer(repl, n)
		return n, "a string length"
	}
	r := repl.String()
	per := int64(len(r)) + int64(strings.Count(r, "$"))*n
	if per <= 1 {
		return n, "a string length"
	}
	return n + (n+1)*per, "a possible string length"
}

func (l *limits) countingReplacer(fn goja.Value, base int64) goja.Value {
	call, _ := goja.AssertFunction(fn)
	total := base
	return l.rt.ToValue(func(c goja.FunctionCall) goja.Value {
		res, err := call(c.This, c.Arguments...)
		if err != nil {
			panic(err)
		}
		if total += l.strLen(res); total > int64(l.maxLen) {
			l.throwRange("replace: a string length of %d exceeds the limit of %d", total, l.maxLen)
		}
		return res
	})
}

func (l *limits) fromSize(call goja.FunctionCall) (int64, string) {
	n := l.lengthOf(call.Argument(0))
	return n * int64(l.maxLen) / int64(l.maxElems), "an array length (scaled)"
}

func (l *limits) argsSize(i int) func(goja.FunctionCall) (int64, string) {
	return func(call goja.FunctionCall) (int64, string) {
		n := l.lengthOf(call.Argument(i))
		return n * int64(l.maxLen) / int64(l.maxElems), "an argument count (scaled)"
	}
}
