package transform

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
)

func testEvent() *core.Event {
	return &core.Event{
		ID: "evt_1", Type: "reservation.created", APIVersion: core.APIVersion, PropertyID: "prop_1",
		CreatedAt: time.Date(2026, 4, 13, 14, 22, 31, 0, time.UTC),
		Data:      core.EventData{Object: json.RawMessage(`{"id":"res_1","nights":4,"guest":{"email":"ada@example.com"}}`)},
	}
}

func testInput() Input {
	return Input{Event: testEvent(), Target: core.Target{Kind: "webhook_endpoint", ID: "whe_1"}, Attempt: 2}
}

func newEngine(t testing.TB, opts Options) *Engine {
	t.Helper()
	e := New(opts)
	t.Cleanup(e.Close)
	return e
}

func mustCompile(t testing.TB, src string) *Program {
	t.Helper()
	p, err := Compile("test.js", src)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return p
}

func TestRunOutputs(t *testing.T) {
	e := newEngine(t, Options{})
	tests := []struct {
		name, src, want string
		skip            bool
		reason          string
		headers         map[string]string
	}{
		{name: "reshape", src: `function transform(e, c) { return {id: e.id, nights: e.data.object.nights} }`, want: `{"id":"evt_1","nights":4}`},
		{name: "context", src: `function transform(e, c) { return [c.target.kind, c.target.id, c.attempt, c.livemode, c.property_id] }`, want: `["webhook_endpoint","whe_1",2,false,"prop_1"]`},
		{name: "scalar", src: `function transform(e) { return "hi" }`, want: `"hi"`},
		{name: "null skips", src: `function transform(e) { return null }`, skip: true, reason: "the transform returned null"},
		{name: "undefined skips", src: `function transform(e) {}`, skip: true, reason: "the transform returned null"},
		{name: "skip with reason", src: `function transform(e) { return bellhop.skip("not a VIP") }`, skip: true, reason: "not a VIP"},
		{name: "headers", src: `function transform(e, c) { c.headers["X-Tenant"] = "t1"; return {} }`, want: `{}`, headers: map[string]string{"X-Tenant": "t1"}},
		{name: "sha256", src: `function transform(e) { return bellhop.sha256("abc") }`, want: `"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"`},
		{name: "dates and math", src: `function transform(e) { return [new Date(e.created_at).toISOString(), Math.max(1, 2)] }`, want: `["2026-04-13T14:22:31.000Z",2]`},
		{name: "json like stringify", src: `function transform(e) { return {d: new Date(0), u: undefined, f() {}, n: NaN, a: [undefined, () => 1, 1.5], s: new String("x"), q: "a\"b"} }`, want: `{"d":"1970-01-01T00:00:00.000Z","n":null,"a":[null,null,1.5],"s":"x","q":"a\"b"}`},
		{name: "join and replace still work", src: `function transform(e) { return [[1, null, "a"].join("-"), "a-b-c".replace(/-/g, () => "+"), "abc".replaceAll("b", "$&$&")] }`, want: `["1--a","a+b+c","abbc"]`},
		{name: "iteration still works", src: `function transform(e) { const s = new Set([...[1, 2, 2], ..."ab"]); let n = 0; for (const x of [1, 2, 3]) n += x; return [[...s], n, Array.from(new Map([[1, 2]]).keys()), [...[7].entries()], Array.from(new Set([3, 3]))] }`, want: `[[1,2,"a","b"],6,[1],[[0,7]],[3]]`},
		{name: "a header deleted by a getter", src: `function transform(e, c) { c.headers = {get "X-A"() { delete this["X-B"]; return "a" }, "X-B": "b"}; return 1 }`, want: `1`, headers: map[string]string{"X-A": "a"}},
		{name: "context as JSON", src: `function transform(e, c) { c.headers.A = "1"; c.extra = 1; delete c.livemode; return [c, Object.keys(c.target), "headers" in c] }`,
			want: `[{"target":{"kind":"webhook_endpoint","id":"whe_1"},"attempt":2,"headers":{"A":"1"},"property_id":"prop_1","extra":1},["kind","id"],true]`, headers: map[string]string{"A": "1"}},
		{name: "envelope as JSON", src: `function transform(e) { return e }`,
			want: `{"id":"evt_1","type":"reservation.created","created_at":"2026-04-13T14:22:31Z","api_version":"` + core.APIVersion + `","livemode":false,"property_id":"prop_1","data":{"object":{"id":"res_1","nights":4,"guest":{"email":"ada@example.com"}}}}`},
		{name: "key order kept", src: `function transform(e) { return Object.keys(e.data.object) }`, want: `["id","nights","guest"]`},
		{name: "top-level helpers", src: "const f = x => x * 2;\nfunction transform(e) { return f(e.data.object.nights) }", want: `8`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := e.Run(context.Background(), mustCompile(t, tt.src), testInput())
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			if got := string(res.Output); got != tt.want {
				t.Errorf("output = %s, want %s", got, tt.want)
			}
			if res.Skip != tt.skip || res.SkipReason != tt.reason {
				t.Errorf("skip = %v %q, want %v %q", res.Skip, res.SkipReason, tt.skip, tt.reason)
			}
			if len(res.Headers) != len(tt.headers) || res.Headers["X-Tenant"] != tt.headers["X-Tenant"] {
				t.Errorf("headers = %v, want %v", res.Headers, tt.headers)
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	e := newEngine(t, Options{MaxOutputBytes: 1024})
	tests := []struct {
		name, src, want string
	}{
		{name: "throw", src: "function transform(e) {\n  const x = 1;\n  throw new Error(\"boom\");\n}", want: "test.js:3:9: Error: boom"},
		{name: "type error", src: "function transform(e) {\n  return e.nope.deeper;\n}", want: "test.js:2:"},
		{name: "throw a string", src: "function transform(e) { throw 'bad' }", want: "uncaught bad"},
		{name: "throw a long string", src: "function transform(e) { throw 'x'.repeat(1e6) + 'end' }", want: "xxx…"},
		{name: "no transform", src: "const x = 1;", want: "defines no function transform"},
		{name: "infinite loop", src: "function transform(e) {\n  let i = 0;\n  while (true) { i++ }\n}", want: "test.js:3:"},
		{name: "timeout message", src: "function transform(e) { for(;;){} }", want: "over its time limit of 50ms"},
		{name: "recursion", src: "function f(n) { return f(n + 1) + 1 }\nfunction transform(e) { return f(0) }", want: "maximum call stack size (256) exceeded"},
		{name: "cyclic output", src: "function transform(e) { const a = []; a.push(a); return a }", want: "cyclic"},
		{name: "shared output over the cap", src: "function transform(e) { const s = 'x'.repeat(500); return [s, s, s] }", want: "over the limit of 1024"},
		{name: "output cap", src: "function transform(e) { return 'x'.repeat(2000) }", want: "over the limit of 1024"},
		{name: "bad header", src: "function transform(e, c) { c.headers['X-A'] = 'a\\r\\nb'; return 1 }", want: "not a valid HTTP header"},
		{name: "function output", src: "function transform(e) { return function() {} }", want: "no JSON form"},
		{name: "require", src: "function transform(e) { return require('fs') }", want: "ReferenceError: require is not defined"},
		{name: "setTimeout", src: "function transform(e) { setTimeout(() => 1, 1); return 1 }", want: "ReferenceError: setTimeout is not defined"},
		{name: "implicit global", src: "function transform(e) { leaked = 1; return 1 }", want: "ReferenceError"},
		{name: "typed arrays gone", src: "function transform(e) { return new Uint8Array(1e9) }", want: "Uint8Array is not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Run(context.Background(), mustCompile(t, tt.src), testInput())
			if core.ErrorCode(err) != core.EINVALID {
				t.Fatalf("err = %v, want an EINVALID error", err)
			}
			if got := core.ErrorMessage(err); !strings.Contains(got, tt.want) {
				t.Errorf("message = %q, want it to contain %q", got, tt.want)
			}
		})
	}
}

func TestCompileSyntaxError(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"unexpected token", "function transform(e) {\n  return {a: };\n}", "test.js:2:14: SyntaxError"},
		{"top-level return", "return 1", "test.js:1:1: SyntaxError"},
		{"unbalanced", "function transform(e) {", "SyntaxError"},
		{"escape the wrapper", "}); (function(){", "SyntaxError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compile("test.js", tt.src)
			var e *core.Error
			if err == nil || !asError(err, &e) || e.Code != core.EINVALID || e.Param != "source" {
				t.Fatalf("err = %v, want EINVALID on param source", err)
			}
			if !strings.Contains(e.Message, tt.want) {
				t.Errorf("message = %q, want it to contain %q", e.Message, tt.want)
			}
		})
	}
}

func TestRunsShareNothing(t *testing.T) {
	e := newEngine(t, Options{})
	tests := []struct{ name, src string }{
		{"top-level state", "let n = 0;\nfunction transform(e) { n++; return n }"},
		{"globalThis write", "function transform(e) { try { globalThis.seen = (globalThis.seen || 0) + 1 } catch (x) {} return globalThis.seen || 1 }"},
		{"prototype pollution", "function transform(e) { try { Object.prototype.hacked = 1 } catch (x) {} return ({}).hacked === undefined ? 1 : 2 }"},
		{"builtin patch", "function transform(e) { try { JSON.parse = () => 'x' } catch (x) {} return JSON.parse('1') }"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustCompile(t, tt.src)
			for i := 0; i < 3; i++ {
				res, err := e.Run(context.Background(), p, testInput())
				if err != nil {
					t.Fatalf("run %d: %v", i, err)
				}
				if got := string(res.Output); got != "1" {
					t.Fatalf("run %d output = %s, want 1 (state leaked between runs)", i, got)
				}
			}
		})
	}
	if n := e.RuntimesCreated(); n != 1 {
		t.Errorf("runtimes created = %d, want 1 (runs reuse the pooled runtime)", n)
	}
}

func TestConsoleCaptured(t *testing.T) {
	e := newEngine(t, Options{MaxLogLines: 3})
	p := mustCompile(t, `function transform(e) {
		console.log("hello", 1, {a: 1});
		console.error("bad");
		for (let i = 0; i < 10; i++) console.info("spam", i);
		return 1;
	}`)
	res, err := e.Run(context.Background(), p, testInput())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`log: hello 1 {"a":1}`, "error: bad", "info: spam 0", "(9 more console lines dropped: over the log limit)"}
	if strings.Join(res.Logs, "\n") != strings.Join(want, "\n") {
		t.Errorf("logs = %q, want %q", res.Logs, want)
	}
}

func TestLogsKeptOnError(t *testing.T) {
	e := newEngine(t, Options{})
	p := mustCompile(t, "function transform(e) { console.log('before'); throw new Error('x') }")
	res, err := e.Run(context.Background(), p, testInput())
	if err == nil || res == nil || len(res.Logs) != 1 || res.Logs[0] != "log: before" {
		t.Fatalf("res = %+v, err = %v; want the log line and an error", res, err)
	}
}

func TestCancelledContext(t *testing.T) {
	e := newEngine(t, Options{Timeout: time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.Run(ctx, mustCompile(t, "function transform(e) { for(;;){} }"), testInput())
	if err == nil || core.ErrorCode(err) == core.EINVALID {
		t.Fatalf("err = %v, want the context's error, not a script error", err)
	}
}

func TestInputCap(t *testing.T) {
	e := newEngine(t, Options{MaxInputBytes: 50})
	_, err := e.Run(context.Background(), mustCompile(t, "function transform(e) { return 1 }"), testInput())
	if !strings.Contains(core.ErrorMessage(err), "over the limit of 50") {
		t.Fatalf("err = %v, want the input cap", err)
	}
}
