package transform

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
)

// hostileScripts call back into JavaScript from every place the engine
// reads what a script made after its transform function returned: the
// result encoder (getters, Proxy traps, toJSON, toString), the exception
// text, and context.headers. Each must end as the run's error of the given
// kind, never as a panic and never after its time limit.
var hostileScripts = []struct {
	name, src, kind, want string
}{
	{"looping getter in the output", `function transform(e){ return {get x(){ while(true){} }}; }`, core.TransformTimeout, "time limit"},
	{"looping getter in an array", `function transform(e){ const a = [1]; Object.defineProperty(a, 0, {get(){ for(;;){} }}); return a }`, core.TransformTimeout, "time limit"},
	{"looping toJSON", `function transform(e){ return {toJSON(){ for(;;){} }} }`, core.TransformTimeout, "time limit"},
	{"looping Proxy ownKeys", `function transform(e){ return new Proxy({}, {ownKeys(){ for(;;){} }}) }`, core.TransformTimeout, "time limit"},
	{"looping Proxy get", `function transform(e){ return new Proxy({a: 1}, {get(){ for(;;){} }}) }`, core.TransformTimeout, "time limit"},
	{"throwing Proxy get", `function transform(e){ return new Proxy({a: 1}, {get(){ throw new TypeError("trap") }}) }`, core.TransformScriptError, "TypeError: trap"},
	{"throwing getter", "function transform(e){\n  return {get x(){ throw new RangeError(\"nope\") }};\n}", core.TransformScriptError, "RangeError: nope"},
	{"recursing getter", `function f(){ return f() } function transform(e){ return {get x(){ return f() }} }`, core.TransformScriptError, "maximum call stack size"},
	{"boxed string with looping toString", `function transform(e){ const s = new String("x"); const loop = {value(){ for(;;){} }}; Object.defineProperty(s, "toString", loop); Object.defineProperty(s, "valueOf", loop); return {s} }`, core.TransformTimeout, "time limit"},
	{"thrown object with looping toString", `function transform(e){ throw {toString(){ while(true){} }} }`, core.TransformTimeout, "time limit"},
	{"Error with looping name", `function transform(e){ const x = new Error("m"); Object.defineProperty(x, "name", {get(){ for(;;){} }}); throw x }`, core.TransformTimeout, "time limit"},
	{"Error with looping message", `function transform(e){ const x = new Error("m"); Object.defineProperty(x, "message", {get(){ for(;;){} }}); throw x }`, core.TransformTimeout, "time limit"},
	{"Error with throwing message", `function transform(e){ const x = new Error("m"); Object.defineProperty(x, "message", {get(){ throw "inner" }}); throw x }`, core.TransformScriptError, "threw again"},
	{"thrown Proxy", `function transform(e){ throw new Proxy({}, {get(){ for(;;){} }}) }`, core.TransformTimeout, "time limit"},
	{"thrown Symbol", `function transform(e){ throw Symbol("s") }`, core.TransformScriptError, "uncaught"},
	{"headers replaced by a looping Proxy", `function transform(e, c){ c.headers = new Proxy({}, {ownKeys(){ for(;;){} }}); return {} }`, core.TransformTimeout, "time limit"},
	{"header value with looping toString", `function transform(e, c){ c.headers["X-A"] = {toString(){ for(;;){} }}; return {} }`, core.TransformTimeout, "time limit"},
	{"looping promise job", `function transform(e){ Promise.resolve().then(() => { for(;;){} }); return {} }`, core.TransformTimeout, "time limit"},
	{"backtracking regular expression in a loop", `function transform(e){ let n = 0; for(;;) n += /^(?=(a+)+b)/.test("a".repeat(32)) ? 1 : 0 }`, core.TransformTimeout, "time limit"},
	{"memory in a getter", `function transform(e){ return {get x(){ const a = []; for(;;) a.push({s: "xxxxxxxx" + a.length}) }} }`, "", ""},
}

func TestHostileScriptsEndAsTheirRunsError(t *testing.T) {
	e := newEngine(t, Options{Timeout: 100 * time.Millisecond, MemoryBudget: 32 << 20})
	ok := mustCompile(t, "function transform(e) { return {id: e.id} }")
	for _, tt := range hostileScripts {
		t.Run(tt.name, func(t *testing.T) {
			res, err := e.Run(context.Background(), mustCompile(t, tt.src), testInput())
			var ce *core.Error
			if !asError(err, &ce) || ce.Code != core.EINVALID {
				t.Fatalf("err = %v, want an EINVALID run error", err)
			}
			if tt.kind == "" { // time or memory, whichever the machine hits first
				if ce.Reason != core.TransformTimeout && ce.Reason != core.TransformMemoryLimit {
					t.Fatalf("reason = %q (%s), want %s or %s", ce.Reason, ce.Message, core.TransformTimeout, core.TransformMemoryLimit)
				}
			} else if ce.Reason != tt.kind || !strings.Contains(ce.Message, tt.want) {
				t.Fatalf("reason %q message %q, want %q containing %q", ce.Reason, ce.Message, tt.kind, tt.want)
			}
			if res == nil || res.Failure != ce.Reason {
				t.Errorf("result = %+v, want one whose Failure is %q", res, ce.Reason)
			}
			next, err := e.Run(context.Background(), ok, testInput())
			if err != nil || string(next.Output) != `{"id":"evt_1"}` {
				t.Fatalf("next run: %v %v, want the engine still serving", next, err)
			}
		})
	}
}

// TestHostileRunsBesideOthers runs every hostile script many times among
// normal runs of other tenants on the same engine: every normal run gets its
// own right answer, so an interrupt or a spoiled runtime never reaches
// another run.
func TestHostileRunsBesideOthers(t *testing.T) {
	if testing.Short() {
		t.Skip("runs hostile scripts for seconds")
	}
	e := newEngine(t, Options{Timeout: 100 * time.Millisecond, MemoryBudget: 32 << 20})
	good := mustCompile(t, "function transform(e, c) { return {id: e.id, t: c.target.id} }")
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	for _, h := range hostileScripts {
		p := mustCompile(t, h.src)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 2 {
				if _, err := e.Run(context.Background(), p, testInput()); core.ErrorCode(err) != core.EINVALID {
					errs <- fmt.Errorf("%s: %v, want EINVALID", h.name, err)
				}
			}
		}()
	}
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 150 {
				in := testInput()
				in.Target.ID = fmt.Sprintf("whe_%d_%d", w, i)
				res, err := e.Run(context.Background(), good, in)
				if want := fmt.Sprintf(`{"id":"evt_1","t":"%s"}`, in.Target.ID); err != nil || string(res.Output) != want {
					// A good run may only lose to the machine's load, not to a neighbour's interrupt.
					if core.ErrorCode(err) == core.EINVALID && strings.Contains(err.Error(), "time limit") {
						continue
					}
					errs <- fmt.Errorf("good run %s: %v %v", in.Target.ID, res, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
