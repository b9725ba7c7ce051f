package transform

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/dop251/goja"
)

// TestReusesTopLevel holds the rule that decides which scripts may have their
// top level evaluated once per runtime: only those whose top level cannot
// carry state from one run to the next.
func TestReusesTopLevel(t *testing.T) {
	tests := []struct {
		name, src string
		want      bool
	}{
		{"functions only", "function f(x) { return x }\nfunction transform(e) { return f(1) }", true},
		{"flat constants read", "const M = ['a', 'b'];\nconst S = {USD: '$'};\nconst N = -1, T = `x`, D = 24 * 60;\nfunction transform(e) { return [M[0], S.USD, M.length, M.indexOf('b'), M.join(), N, T, D] }", true},
		{"arrow helper", "const f = x => x * 2;\nfunction transform(e) { return f(2) }", true},
		{"iterated and spread", "const K = ['a'];\nfunction transform(e) { const r = [...K]; for (const k of K) r.push(k); return r }", true},
		{"shadowing declaration", "const K = ['a'];\nfunction transform(e) { const o = {}; for (const k of K) o[k] = 1; return o }", true},
		{"use strict", "'use strict';\nfunction transform(e) { return 1 }", true},
		{"top-level counter", "let n = 0;\nfunction transform(e) { n++; return n }", false},
		{"reassigned binding", "let last = null;\nfunction transform(e) { last = e.id; return last }", false},
		{"function reassigned", "function f() {}\nfunction transform(e) { f = 1; return 1 }", false},
		{"property on a function", "function transform(e) { transform.n = (transform.n || 0) + 1; return transform.n }", false},
		{"cache object", "const cache = {};\nfunction transform(e) { cache[e.id] = 1; return Object.keys(cache).length }", false},
		{"array pushed", "const seen = [];\nfunction transform(e) { seen.push(e.id); return seen.length }", false},
		{"array aliased", "const seen = [];\nfunction transform(e) { const s = seen; s.push(1); return s.length }", false},
		{"array passed", "const seen = [];\nfunction add(a) { a.push(1) }\nfunction transform(e) { add(seen); return seen.length }", false},
		{"shorthand property", "const seen = [];\nfunction transform(e) { const o = {seen}; o.seen.push(1); return 1 }", false},
		{"destructuring assignment", "let n = 0;\nfunction transform(e) { [n] = [n + 1]; return n }", false},
		{"for-in into a top-level name", "var k;\nfunction transform(e) { for (k in e) {} return k }", false},
		{"nested constant", "const C = {a: []};\nfunction transform(e) { C.a.push(1); return C.a.length }", false},
		{"regexp constant", "const re = /x/g;\nfunction transform(e) { return re.test('x') }", false},
		{"top-level call", "const t = Date.now();\nfunction transform(e) { return t }", false},
		{"top-level statement", "console.log('loaded');\nfunction transform(e) { return 1 }", false},
		{"closure over an IIFE", "const next = (() => { let n = 0; return () => ++n })();\nfunction transform(e) { return next() }", false},
		{"class", "class C { static n = 0 }\nfunction transform(e) { return ++C.n }", false},
		{"eval", "let n = 0;\nfunction transform(e) { return eval('n') }", false},
		{"arguments", "const f = () => arguments;\nfunction transform(e) { return 1 }", false},
		{"delete", "const O = {a: 1};\nfunction transform(e) { delete O.a; return 1 }", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustCompile(t, tt.src).ReusesTopLevel(); got != tt.want {
				t.Errorf("ReusesTopLevel() = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestReusedTopLevelIsFrozen runs scripts whose top level is evaluated once
// and that still try to change it, by paths the static rule lets through: the
// deep freeze makes each attempt fail, so no run sees another's writes.
func TestReusedTopLevelIsFrozen(t *testing.T) {
	e := newEngine(t, Options{})
	tests := []struct{ name, src, want string }{
		{"array through a callback", "const M = ['a'];\nfunction transform(e) { M.forEach((m, i, a) => { try { a.push(m) } catch (x) {} }); return M.length }", "1"},
		{"array through map", "const M = ['a'];\nfunction transform(e) { M.map((m, i, a) => { try { a[5] = m; a.length = 0 } catch (x) {} }); return M.length }", "1"},
		{"aliased function's prototype", "function helper() {}\nfunction transform(e) { const h = helper; try { h.prototype.n = (h.prototype.n || 0) + 1 } catch (x) {} return h.prototype.n || 1 }", "1"},
		{"aliased function's property", "const f = () => 1;\nfunction transform(e) { const g = f; try { g.n = (g.n || 0) + 1 } catch (x) {} return g.n || 1 }", "1"},
		{"transform's own property via this-less call", "function transform(e) { const f = [transform][0]; try { f.n = (f.n || 0) + 1 } catch (x) {} return f.n || 1 }", "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustCompile(t, tt.src)
			if !p.ReusesTopLevel() {
				t.Fatalf("want this script to reuse its top level, so that the freeze is what is tested")
			}
			for i := 0; i < 3; i++ {
				res, err := e.Run(context.Background(), p, testInput())
				if err != nil {
					t.Fatalf("run %d: %v", i, err)
				}
				if got := string(res.Output); got != tt.want {
					t.Fatalf("run %d output = %s, want %s (state leaked between runs)", i, got, tt.want)
				}
			}
		})
	}
}

// TestReusedProgramsOnOneRuntime alternates more programs than a runtime
// keeps on the same pooled runtime: each run gets its own script's output.
func TestReusedProgramsOnOneRuntime(t *testing.T) {
	e := newEngine(t, Options{Timeout: time.Second}) // 148 runs on a loaded machine
	var progs []*Program
	for i := range maxReusedPrograms + 10 {
		progs = append(progs, mustCompile(t, fmt.Sprintf("const N = %d;\nfunction transform(e) { return N }", i)))
	}
	for round := 0; round < 2; round++ {
		for i, p := range progs {
			res, err := e.Run(context.Background(), p, testInput())
			if err != nil {
				t.Fatalf("program %d: %v", i, err)
			}
			if got, want := string(res.Output), fmt.Sprint(i); got != want {
				t.Fatalf("program %d output = %s, want %s", i, got, want)
			}
		}
	}
	if n := e.RuntimesCreated(); n != 1 {
		t.Errorf("runtimes created = %d, want 1", n)
	}
}

// TestStringEncodingMatchesEncodingJSON holds the output encoder's fast path
// for strings to encoding/json's own output, escapes included.
func TestStringEncodingMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", "New reservation · Ada → Apr 13", "a\"b", "back\\slash", "<b>&amp;</b>",
		"line\nbreak", "tab\t", "\x00", "sep\u2028arator\u2029", "bad \xff utf8", "emoji 🎉", "\u00e9t\u00e9"} {
		t.Run(s, func(t *testing.T) {
			want, _ := json.Marshal(s)
			var e encoder
			e.str(s)
			if got := e.buf.String(); got != string(want) {
				t.Errorf("str(%q) = %s, want %s", s, got, want)
			}
		})
	}
}

// TestJSStringEncodingMatchesEncodingJSON holds the encoder's reading of
// goja's UTF-16 strings to encoding/json's output of the same text: escapes,
// surrogate pairs, and lone surrogates (U+FFFD, as goja's String gives them).
func TestJSStringEncodingMatchesEncodingJSON(t *testing.T) {
	rt := goja.New()
	for _, lit := range []string{`"plain"`, `"New reservation · Ada → Apr 13"`, `"·\n<b>&</b>\t\"q\"\\"`, `"\u2028\u2029é"`,
		`"emoji \ud83c\udf89!"`, `"lone \ud800 high"`, `"lone \udc00 low"`, `"ends high \ud83c"`, `"\u0000\u001f\u007f·"`, `"\ud83c\ud83c\udf89"`} {
		t.Run(lit, func(t *testing.T) {
			v, err := rt.RunString(lit)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := json.Marshal(v.String())
			var e encoder
			e.jsString(v.(goja.String))
			if got := e.buf.String(); got != string(want) {
				t.Errorf("jsString(%s) = %s, want %s", lit, got, want)
			}
		})
	}
}
