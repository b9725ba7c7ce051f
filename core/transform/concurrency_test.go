package transform

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
)

// TestConcurrentRunsStayApart runs many scripts at once, some of them
// hostile (timeouts), and checks every run gets its own answer and logs. The
// time limit is generous: 200 runs share two cores (and maybe -race).
func TestConcurrentRunsStayApart(t *testing.T) {
	// The memory budget is process-wide: while 200 runtimes are being built
	// at once, a run stalled on a loaded machine would see their allocations
	// as its own. This test is about isolation; memory_test.go tests budgets.
	e := newEngine(t, Options{Timeout: time.Second, MemoryBudget: 1 << 30})
	good := make([]*Program, 8)
	for i := range good {
		good[i] = mustCompile(t, fmt.Sprintf("let n = %d;\nfunction transform(e, c) { console.log('run', n); n++; return {n: n, t: c.target.id} }", i))
	}
	loop := mustCompile(t, "function transform(e) { for (;;) {} }")
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	// 200 runs, at most 16 in flight: enough to share runtimes between
	// goroutines all the time, few enough that a loaded 2-core machine does
	// not push a good run past its wall-clock limit while four loops spin.
	inFlight := make(chan struct{}, 16)
	for w := 0; w < 200; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			inFlight <- struct{}{}
			defer func() { <-inFlight }()
			in := testInput()
			in.Target.ID = fmt.Sprintf("whe_%d", w)
			if w%50 == 0 {
				if _, err := e.Run(context.Background(), loop, in); core.ErrorCode(err) != core.EINVALID {
					errs <- fmt.Errorf("loop %d: %v", w, err)
				}
				return
			}
			i := w % len(good)
			res, err := e.Run(context.Background(), good[i], in)
			if err != nil {
				errs <- err
				return
			}
			want := fmt.Sprintf(`{"n":%d,"t":"whe_%d"}`, i+1, w)
			if string(res.Output) != want || len(res.Logs) != 1 || res.Logs[0] != fmt.Sprintf("log: run %d", i) {
				errs <- fmt.Errorf("run %d: output %s logs %q, want %s", w, res.Output, res.Logs, want)
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
