package transform_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/transform"
	"github.com/bellhop/bellhop/scripts"
)

// fuzzSeeds are scripts that reach every part of the engine a script can
// call back into: the result encoder, exceptions, context.headers, the
// guarded builtins and promise jobs. The fuzzer mutates them.
var fuzzSeeds = []string{
	`function transform(e, c) { return {id: e.id, n: e.data.object.n} }`,
	`function transform(e) { return null }`,
	`function transform(e) { return bellhop.skip("no") }`,
	`function transform(e, c) { c.headers["X-A"] = String(e.data.object.n); console.log(e); return [e.type, 1.5, true, null] }`,
	`function transform(e) { return {get x(){ while(true){} }} }`,
	`function transform(e) { return {toJSON(){ return {deep: [1, {a: "\u2028"}]} }} }`,
	`function transform(e) { return new Proxy({a: 1}, {ownKeys(){ return ["a", "b"] }, get(t, k){ return k }}) }`,
	`function transform(e) { throw {toString(){ for(;;){} }} }`,
	`function transform(e) { const x = new Error("m"); Object.defineProperty(x, "message", {get(){ throw x }}); throw x }`,
	`function transform(e) { const a = []; a.push(a); return a }`,
	`function transform(e) { let s = "xx"; for (;;) s += s }`,
	`function transform(e) { return "x".repeat(1e9) }`,
	`function transform(e) { Promise.reject(1); Promise.resolve().then(() => { throw 2 }); return {} }`,
	`function f(n) { return f(n + 1) } function transform(e) { return {get x(){ return f(0) }} }`,
	`let n = 0; function transform(e) { return ++n }`,
	`function transform(e) { return JSON.stringify(e.data.object, null, 2).split("").map(c => c.charCodeAt(0)) }`,
}

// FuzzRun compiles generated scripts and runs them on generated events:
// whatever the script, a run returns (the fuzzer's own deadline catches one
// that does not), no panic escapes, and it ends either with JSON within the
// output cap or with an EINVALID error that says what stopped it.
func FuzzRun(f *testing.F) {
	for _, src := range fuzzSeeds {
		f.Add(src, []byte(`{"id":"res_1","n":4,"guest":{"email":"ada@example.com"}}`))
	}
	for _, path := range scripts.List() {
		if src, err := scripts.Read(path); err == nil {
			f.Add(src, []byte(`{"id":"res_1","status":"confirmed","total":{"amount":86000,"currency":"USD"},"guest":{"first_name":"Ada"}}`))
		}
	}
	const maxOutput = 4 << 10
	e := transform.New(transform.Options{Timeout: 20 * time.Millisecond, MaxOutputBytes: maxOutput, MemoryBudget: 32 << 20})
	f.Cleanup(e.Close)
	f.Fuzz(func(t *testing.T, src string, object []byte) {
		if !json.Valid(object) || len(src) > transform.MaxSourceBytes {
			return // the hub only stores valid JSON, and refuses bigger sources
		}
		p, err := transform.Compile("fuzz.js", src)
		if err != nil {
			var ce *core.Error
			if !errors.As(err, &ce) || ce.Code != core.EINVALID || ce.Param != "source" {
				t.Fatalf("compile error %v, want EINVALID on source", err)
			}
			return
		}
		ev := &core.Event{ID: "evt_1", Type: "reservation.created", APIVersion: core.APIVersion, Data: core.EventData{Object: object}}
		res, err := runOrHang(t, e, p, src, transform.Input{Event: ev, Target: core.Target{Kind: "webhook_endpoint", ID: "whe_1"}, Attempt: 1})
		if res == nil {
			t.Fatalf("no result (err %v): logs and duration are always returned", err)
		}
		if err != nil {
			var ce *core.Error
			if !errors.As(err, &ce) || ce.Code != core.EINVALID {
				t.Fatalf("run error %v, want EINVALID", err)
			}
			switch ce.Reason {
			case core.TransformTimeout, core.TransformMemoryLimit, core.TransformScriptError:
			default:
				t.Fatalf("run error reason %q (%s), want one of timeout, memory_limit, script_error", ce.Reason, ce.Message)
			}
			if res.Failure != ce.Reason || !strings.HasPrefix(ce.Message, "fuzz.js") {
				t.Fatalf("failure %q, message %q: want the reason again and the script's name first", res.Failure, ce.Message)
			}
			return
		}
		if res.Skip {
			return
		}
		if !json.Valid(res.Output) || len(res.Output) > maxOutput {
			t.Fatalf("output %q (%d bytes): want valid JSON within %d bytes", res.Output, len(res.Output), maxOutput)
		}
	})
}

// hangAfter is how long a run with a 20 ms limit may go on before the
// fuzzer calls it hung: far past any limit, so only a run that ignores its
// limits (a native loop no interrupt reaches) trips it.
const hangAfter = 10 * time.Second

// runOrHang runs p, failing the test with the script when the run does not
// return: the fuzzer's own workers have no deadline per input.
func runOrHang(t *testing.T, e *transform.Engine, p *transform.Program, src string, in transform.Input) (*core.TransformResult, error) {
	type ran struct {
		res *core.TransformResult
		err error
	}
	done := make(chan ran, 1)
	go func() {
		res, err := e.Run(context.Background(), p, in)
		done <- ran{res, err}
	}()
	select {
	case r := <-done:
		return r.res, r.err
	case <-time.After(hangAfter):
		t.Fatalf("the run did not return after %s (limit 20ms); script:\n%s", hangAfter, src)
		return nil, nil
	}
}
