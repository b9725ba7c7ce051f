package transform

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/dop251/goja"
)

// vm is one pooled goja runtime with the host functions installed and the
// builtins locked down. It serves one run at a time; state points at the run
// in progress so that console output lands in the right place.
type vm struct {
	rt        *goja.Runtime
	stringify goja.Callable // JSON.stringify with the size guard
	freeze    goja.Callable // deep-freezes a value (see deepFreeze)
	fns       map[*Program]goja.Callable
	enc       encoder // its buffer is reused from run to run
	state     *runState
	opts      Options
	spoiled   bool // a run panicked through guard: never reused
}

// maxReusedPrograms bounds how many programs' transform functions one runtime
// keeps, so that a hub running many scripts does not grow without bound.
const maxReusedPrograms = 64

// runState is what a run accumulates besides its return value.
type runState struct {
	logs       []string
	logBytes   int
	dropped    int
	skipReason string
}

// removedGlobals are the globals a script never needs and that could
// allocate without bound in one native call (new Uint8Array(1e9)).
func removedGlobals() []string {
	return []string{
		"ArrayBuffer", "SharedArrayBuffer", "DataView", "Atomics",
		"Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array",
		"Int32Array", "Uint32Array", "Float32Array", "Float64Array",
		"BigInt64Array", "BigUint64Array",
	}
}

// lockdown freezes the global object and everything reachable from it, so
// that no run can leave anything behind for the next one: not a global, not
// a patched prototype.
const lockdown = `(function () {
	"use strict";
	const seen = new Set();
	function freeze(o) {
		if (o === null || (typeof o !== "object" && typeof o !== "function") || seen.has(o)) return;
		seen.add(o);
		Object.freeze(o);
		for (const k of Reflect.ownKeys(o)) {
			const d = Reflect.getOwnPropertyDescriptor(o, k);
			if (!d) continue;
			if ("value" in d) freeze(d.value); else { freeze(d.get); freeze(d.set); }
		}
		freeze(Reflect.getPrototypeOf(o));
	}
	freeze(globalThis);
})()`

// deepFreeze returns a function that freezes a value and everything reachable
// from it. It stops at objects already frozen: the builtins (lockdown froze
// them whole) and what it has frozen itself, which also ends cycles.
const deepFreeze = `(function () {
	"use strict";
	const isFrozen = Object.isFrozen, freezeOne = Object.freeze;
	const ownKeys = Reflect.ownKeys, describe = Reflect.getOwnPropertyDescriptor, proto = Reflect.getPrototypeOf;
	return function freeze(o) {
		if (o === null || (typeof o !== "object" && typeof o !== "function") || isFrozen(o)) return;
		freezeOne(o);
		for (const k of ownKeys(o)) {
			const d = describe(o, k);
			if ("value" in d) freeze(d.value); else { freeze(d.get); freeze(d.set); }
		}
		freeze(proto(o));
	};
})()`

func newVM(opts Options, lockdownProgram, freezeProgram *goja.Program) (*vm, error) {
	rt := goja.New()
	rt.SetMaxCallStackSize(opts.MaxStackDepth)
	v := &vm{rt: rt, opts: opts, state: &runState{}, fns: map[*Program]goja.Callable{}}
	for _, name := range removedGlobals() {
		rt.GlobalObject().Delete(name)
	}
	if err := v.installHost(); err != nil {
		return nil, err
	}
	if err := installLimits(rt, opts.MaxStringLen); err != nil {
		return nil, err
	}
	json := rt.Get("JSON").ToObject(rt)
	var ok bool
	if v.stringify, ok = goja.AssertFunction(json.Get("stringify")); !ok {
		return nil, fmt.Errorf("set up runtime: JSON.stringify is not a function")
	}
	freeze, err := rt.RunProgram(freezeProgram)
	if err != nil {
		return nil, fmt.Errorf("set up deep freeze: %w", err)
	}
	if v.freeze, ok = goja.AssertFunction(freeze); !ok {
		return nil, fmt.Errorf("set up runtime: deep freeze is not a function")
	}
	if _, err := rt.RunProgram(lockdownProgram); err != nil {
		return nil, fmt.Errorf("lock down runtime: %w", err)
	}
	return v, nil
}

// installHost adds the small named set of Go functions scripts may call:
// console.* (captured) and bellhop.sha256 / bellhop.skip.
func (v *vm) installHost() error {
	console := v.rt.NewObject()
	for _, level := range []string{"log", "info", "warn", "error", "debug"} {
		if err := console.Set(level, v.logFunc(level)); err != nil {
			return fmt.Errorf("set up console: %w", err)
		}
	}
	bellhop := v.rt.NewObject()
	if err := bellhop.Set("sha256", func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return hex.EncodeToString(sum[:])
	}); err != nil {
		return fmt.Errorf("set up bellhop: %w", err)
	}
	if err := bellhop.Set("skip", func(reason string) goja.Value {
		v.state.skipReason = reason
		return goja.Null()
	}); err != nil {
		return fmt.Errorf("set up bellhop: %w", err)
	}
	if err := v.rt.Set("console", console); err != nil {
		return fmt.Errorf("set up console: %w", err)
	}
	return v.rt.Set("bellhop", bellhop)
}

// logFunc captures console output into the current run, capped in lines and
// bytes; what does not fit is counted, not kept.
func (v *vm) logFunc(level string) func(goja.FunctionCall) goja.Value {
	return func(call goja.FunctionCall) goja.Value {
		st := v.state
		if len(st.logs) >= v.opts.MaxLogLines || st.logBytes >= v.opts.MaxLogBytes {
			st.dropped++
			return goja.Undefined()
		}
		var b strings.Builder
		b.WriteString(level)
		b.WriteString(":")
		for _, arg := range call.Arguments {
			b.WriteByte(' ')
			b.WriteString(v.logText(arg))
			if b.Len() > v.opts.MaxLogBytes {
				break
			}
		}
		line := b.String()
		if room := v.opts.MaxLogBytes - st.logBytes; len(line) > room {
			line = line[:room] + "…"
		}
		st.logs = append(st.logs, line)
		st.logBytes += len(line)
		return goja.Undefined()
	}
}

// logText shows strings as they are and anything else as JSON, the way a
// browser console would let a developer read an object.
func (v *vm) logText(arg goja.Value) string {
	if goja.IsUndefined(arg) || goja.IsNull(arg) {
		return arg.String()
	}
	if _, isObj := arg.(*goja.Object); !isObj {
		return arg.String()
	}
	if _, isFn := goja.AssertFunction(arg); isFn {
		return "[Function]"
	}
	s, err := v.stringify(goja.Undefined(), arg)
	if err != nil || goja.IsUndefined(s) {
		return arg.String()
	}
	return s.String()
}

// reset forgets the last run's state before the runtime goes back to the pool.
func (v *vm) reset() {
	v.state = &runState{}
	v.rt.ClearInterrupt()
}
