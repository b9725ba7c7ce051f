package plugins_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/plugins"
)

// recordingBudget answers every Take with wait and records the limits.
type recordingBudget struct {
	wait time.Duration
	err  error

	mu    sync.Mutex
	taken []plugins.Limit
}

func (b *recordingBudget) Take(_ context.Context, l plugins.Limit) (time.Duration, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.taken = append(b.taken, l)
	return b.wait, b.err
}

func (b *recordingBudget) limits() []plugins.Limit {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]plugins.Limit(nil), b.taken...)
}

// TestBudgetCrossesTheBoundary holds that a connector in a plugin process
// takes from the Budget the host put on Deliver's context: the limit
// reaches the host as the plugin sent it, and the host's answer (a wait, or
// a coded error) reaches the plugin.
func TestBudgetCrossesTheBoundary(t *testing.T) {
	p, _ := open(t, "test")
	limit := plugins.Limit{Name: "writes", Key: "sa@example.iam.gserviceaccount.com", Rate: 60, Period: time.Minute, Burst: 3, Cost: 1}
	in, _ := json.Marshal(map[string]any{"take": limit})

	r, err := p.Deliver(ctx(t), nil, in)
	if err != nil || r.Summary != "no budget" {
		t.Fatalf("without a budget: %+v, %v; want the plugin to see none", r, err)
	}

	b := &recordingBudget{wait: 7 * time.Second}
	// Several calls, some at once, over the one broker connection.
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			r, err := p.Deliver(plugins.WithBudget(ctx(t), b), nil, in)
			if err != nil || r.Summary != "wait 7s" {
				t.Errorf("with a budget: %+v, %v; want the host's wait of 7s", r, err)
			}
		})
	}
	wg.Wait()
	got := b.limits()
	if len(got) != 5 || got[0] != limit {
		t.Errorf("host saw %d takes, first %+v; want 5 of %+v", len(got), got, limit)
	}

	b.err = core.Errorf(core.EUNAVAILABLE, "redis is down")
	_, err = p.Deliver(plugins.WithBudget(ctx(t), b), nil, in)
	if core.ErrorCode(err) != core.EUNAVAILABLE || !strings.Contains(err.Error(), "redis is down") {
		t.Errorf("host error: got %v, want EUNAVAILABLE naming the cause", err)
	}
}

func TestBudgetFromInProcess(t *testing.T) {
	if plugins.BudgetFrom(context.Background()) != nil {
		t.Error("a bare context carries a budget")
	}
	b := &recordingBudget{}
	if plugins.BudgetFrom(plugins.WithBudget(context.Background(), b)) != b {
		t.Error("WithBudget's budget is not BudgetFrom's")
	}
}
