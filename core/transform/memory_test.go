package transform

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
)

// TestHostileAllocations runs scripts that allocate without bound. Each must
// fail its run with a clear error, and the same engine must then serve a
// normal run. The time limit is a full second so that memory, not time, is
// what stops them.
func TestHostileAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates hundreds of MB")
	}
	e := newEngine(t, Options{Timeout: time.Second})
	tests := []struct{ name, src, want string }{
		{"repeat 1e9", "function transform(e) { return 'x'.repeat(1e9).length }", "RangeError: repeat"},
		{"padStart 1e9", "function transform(e) { return 'x'.padStart(1e9).length }", "RangeError: padStart"},
		{"ever-growing array", "function transform(e) { const a = []; for (;;) a.push({n: a.length, s: 'item'}) }", "memory budget"},
		{"string doubling", "function transform(e) { let s = 'xx'; for (;;) s += s }", "memory budget"},
		{"join of a shared string", "function transform(e) { const s = 'x'.repeat(1e6); return new Array(1e5).fill(s).join('').length }", "RangeError"},
		{"stringify of a shared object", "function transform(e) { const s = {v: 'x'.repeat(1e6)}; const a = []; for (let i = 0; i < 1e4; i++) a.push(s); return JSON.stringify(a).length }", "RangeError: JSON.stringify"},
		{"huge sparse array map", "function transform(e) { const a = []; a.length = 1e9; return a.map(x => x).length }", "RangeError: map"},
		{"Array.from length", "function transform(e) { return Array.from({length: 1e9}).length }", "RangeError: from"},
		{"replaceAll blow-up", "function transform(e) { const s = 'x'.repeat(1e5); return s.replaceAll('x', s).length }", "RangeError: replaceAll"},
		{"flat of shared nesting", "function transform(e) { let a = [1]; for (let i = 0; i < 40; i++) a = [a, a]; return a.flat(Infinity).length }", "RangeError: flat"},
		{"spread of a huge sparse array", "function transform(e) { const a = []; a.length = 1e9; return [...a].length }", "RangeError: values"},
		{"call spread of a huge sparse array", "function transform(e) { const a = []; a.length = 1e9; return Math.max(...a) }", "RangeError: values"},
		{"Set of a huge sparse array", "function transform(e) { const a = []; a[1e9] = 1; return new Set(a).size }", "RangeError: values"},
		{"spread of an iterator", "function transform(e) { const a = []; a.length = 1e9; return [...a.entries()].length }", "RangeError: entries"},
		{"spread of a long string", "function transform(e) { let s = 'x'; while (s.length < 1e6) s += s; return [...s].length }", "RangeError: [Symbol.iterator]"},
		{"apply with huge args", "function transform(e) { const a = []; a.length = 1e8; return Math.max.apply(null, a) }", "RangeError: apply"},
	}
	ok := mustCompile(t, "function transform(e) { return {id: e.id} }")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Run(context.Background(), mustCompile(t, tt.src), testInput())
			if core.ErrorCode(err) != core.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want an EINVALID error containing %q", err, tt.want)
			}
			res, err := e.Run(context.Background(), ok, testInput())
			if err != nil || string(res.Output) != `{"id":"evt_1"}` {
				t.Fatalf("next run: %v %v, want the engine still serving", res, err)
			}
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > 512<<20 {
				t.Errorf("heap after the run = %d MiB, want the hostile run's memory released", ms.HeapAlloc>>20)
			}
		})
	}
}
