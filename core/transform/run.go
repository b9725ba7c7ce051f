package transform

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/dop251/goja"
)

// Input is one event to transform for one target.
type Input struct {
	Event   *core.Event
	Target  core.Target
	Attempt int // 1 for the first attempt
}

// Run runs p on in, on a pooled runtime, within the engine's limits. The
// result carries the logs and duration whether or not the run failed.
//
// A script that throws, returns something that is not JSON, or breaks a limit
// (time, memory, stack, output size) returns an EINVALID error whose message
// starts with the script's name, line and column. A cancelled ctx interrupts
// the run and returns ctx's error, not an EINVALID one: the run is not the
// script's fault. A run the memory watchdog stopped on a guess (other runs
// were in flight) is run once more, so a hostile script may take up to
// twice its limits before it fails.
func (e *Engine) Run(ctx context.Context, p *Program, in Input) (*core.TransformResult, error) {
	if in.Event == nil {
		return nil, scriptError("no event to transform")
	}
	if n := len(in.Event.Data.Object); n > e.opts.MaxInputBytes {
		return nil, scriptError("the event's data.object is %d bytes of JSON, over the limit of %d", n, e.opts.MaxInputBytes)
	}
	o, err := e.runOnce(ctx, p, in)
	if err == nil && o.reason == errMemoryShared {
		// The watchdog could only guess that this run grew the memory
		// (others ran beside it): it runs once more on a count of its own.
		o, err = e.runOnce(ctx, p, in)
	}
	if err != nil {
		return nil, err
	}
	res := o.res
	if res == nil {
		res = &core.TransformResult{}
	}
	res.Logs, res.Duration = o.state.logLines(), o.dur
	if o.err != nil {
		err := e.runError(p, o.err, o.reason)
		res.Failure = core.ErrorReason(err)
		e.opts.Observer.TransformRan(runResult(res, err), o.dur)
		return res, err
	}
	e.opts.Observer.TransformRan(runResult(res, nil), o.dur)
	if res.Skip {
		res.SkipReason = o.state.skipReason
		if res.SkipReason == "" {
			res.SkipReason = "the transform returned null"
		}
	}
	return res, nil
}

// outcome is what one run of a script left: its result or error, why it
// was interrupted if it was, its console output and how long it took.
type outcome struct {
	res    *core.TransformResult
	err    error
	reason error
	state  *runState
	dur    time.Duration
}

// runOnce runs p on in on a pooled runtime under the time and memory
// limits. Only a runtime it cannot get is an error of its own.
func (e *Engine) runOnce(ctx context.Context, p *Program, in Input) (outcome, error) {
	v, err := e.getVM()
	if err != nil {
		return outcome{}, err
	}
	f := &flight{rt: v.rt}
	e.watchdog.add(f)
	timer := time.AfterFunc(e.opts.Timeout, func() { f.interrupt(errTimeout) })
	stopCtx := context.AfterFunc(ctx, func() { f.interrupt(context.Cause(ctx)) })
	start := time.Now()
	// Everything that can call the script's code, reading what it threw
	// included, runs inside guard and before the timers stop.
	var o outcome
	o.err = v.guard(func() (err error) {
		o.res, err = v.run(p, in)
		return err
	})
	o.err = v.guard(func() error { return v.explain(p, o.err) })
	o.dur = time.Since(start)
	timer.Stop()
	stopCtx()
	e.watchdog.remove(f)
	o.reason = f.finish()
	o.state = v.state
	v.reset()
	if !v.spoiled && o.reason == nil {
		e.putVM(v)
	}
	// Otherwise the runtime is let go: an interrupt or a panic can leave
	// queued jobs or a half-unwound stack behind, and the next run gets a
	// runtime no hostile run touched.
	return o, nil
}

// logLines returns the captured console output, with a last line saying how
// much was dropped when the cap was reached.
func (st *runState) logLines() []string {
	if st.dropped == 0 {
		return st.logs
	}
	return append(st.logs, fmt.Sprintf("(%d more console lines dropped: over the log limit)", st.dropped))
}

// run evaluates the script's top level in a fresh scope and calls its
// transform function.
func (v *vm) run(p *Program, in Input) (*core.TransformResult, error) {
	evt, err := v.eventValue(in.Event)
	if err != nil {
		return nil, err
	}
	ctxObj := v.context(in)
	fn, err := v.transformFn(p)
	if err != nil {
		return nil, err
	}
	out, err := fn(goja.Undefined(), evt, ctxObj)
	if err != nil {
		return nil, err
	}
	if goja.IsUndefined(out) || goja.IsNull(out) {
		return &core.TransformResult{Skip: true}, nil
	}
	return v.output(p, out, ctxObj)
}

// transformFn evaluates the script's top level and returns its transform
// function. For a program whose top level holds no state it does so once per
// runtime: the bindings are deep-frozen and the function kept for later runs.
func (v *vm) transformFn(p *Program) (goja.Callable, error) {
	if fn, ok := v.fns[p]; ok {
		return fn, nil
	}
	factory, err := v.rt.RunProgram(p.prg)
	if err != nil {
		return nil, err
	}
	makeFn, _ := goja.AssertFunction(factory)
	fnVal, err := makeFn(goja.Undefined())
	if err != nil {
		return nil, err
	}
	if p.reuse {
		pair := fnVal.ToObject(v.rt)
		if _, err := v.freeze(goja.Undefined(), pair); err != nil {
			return nil, err
		}
		fnVal = pair.Get("0")
	}
	fn, ok := goja.AssertFunction(fnVal)
	if !ok {
		return nil, scriptError("%s: the script defines no function transform(event, context)", p.name)
	}
	if p.reuse {
		if len(v.fns) >= maxReusedPrograms {
			clear(v.fns)
		}
		v.fns[p] = fn
	}
	return fn, nil
}

// context builds the second argument of transform: dynamic objects like the
// event's (see jsonObject), which cost a fraction of ordinary ones.
func (v *vm) context(in Input) *goja.Object {
	target := &jsonObject{entries: []jsonEntry{
		{key: "kind", val: v.rt.ToValue(in.Target.Kind)},
		{key: "id", val: v.rt.ToValue(in.Target.ID)},
	}}
	entries := make([]jsonEntry, 3, 5)
	entries[0] = jsonEntry{key: "target", val: v.rt.NewDynamicObject(target)}
	entries[1] = jsonEntry{key: "attempt", val: v.rt.ToValue(in.Attempt)}
	entries[2] = jsonEntry{key: "headers", val: v.rt.NewDynamicObject(&jsonObject{})}
	if in.Event != nil {
		entries = append(entries,
			jsonEntry{key: "livemode", val: v.rt.ToValue(in.Event.Livemode)},
			jsonEntry{key: "property_id", val: v.rt.ToValue(in.Event.PropertyID)})
	}
	return v.rt.NewDynamicObject(&jsonObject{entries: entries})
}

// output turns the returned value into JSON within the size cap and collects
// context.headers.
func (v *vm) output(p *Program, out goja.Value, ctxObj *goja.Object) (*core.TransformResult, error) {
	if isFunc(out) || isSymbol(out) {
		return nil, scriptError("%s: transform returned a %s, which has no JSON form", p.name, out.ExportType())
	}
	enc := &v.enc
	enc.rt, enc.limit = v.rt, v.opts.MaxOutputBytes
	enc.buf.Reset()
	defer enc.release()
	switch err := enc.encode(out, 0); {
	case errors.Is(err, errTooLarge) || err == nil && enc.buf.Len() > v.opts.MaxOutputBytes:
		return nil, scriptError("%s: the output is over the limit of %d bytes of JSON", p.name, v.opts.MaxOutputBytes)
	case errors.Is(err, errTooDeep):
		return nil, scriptError("%s: the output is nested over %d levels deep, or cyclic", p.name, maxOutputDepth)
	case err != nil:
		return nil, err
	}
	headers, err := readHeaders(p, ctxObj.Get("headers"))
	if err != nil {
		return nil, err
	}
	return &core.TransformResult{Output: json.RawMessage(bytes.Clone(enc.buf.Bytes())), Headers: headers}, nil
}
