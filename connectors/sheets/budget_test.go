package sheets_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bellhop/bellhop/connectors/sheets"
	"github.com/bellhop/bellhop/connectors/sheets/sheetsfake"
	"github.com/bellhop/bellhop/plugins"
)

// gateBudget is a hub's budget that denies every ask (taking nothing, as
// the hub's GCRA does) until opened, then grants them.
type gateBudget struct {
	open atomic.Bool
	wait time.Duration // the wait a denial reports
	err  error         // answered instead, when set

	mu      sync.Mutex
	asks    int
	granted []plugins.Limit
}

func (b *gateBudget) Take(_ context.Context, l plugins.Limit) (time.Duration, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.asks++
	if b.err != nil {
		return 0, b.err
	}
	if !b.open.Load() {
		return b.wait, nil
	}
	b.granted = append(b.granted, l)
	return 0, nil
}

func (b *gateBudget) counts() (asks int, granted []plugins.Limit) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.asks, append([]plugins.Limit(nil), b.granted...)
}

func rowInput(id string) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"header":["Event ID"],"rows":[[%q]]}`, id))
}

// With a hub's budget, deliveries that arrive while the write waits for its
// token are coalesced, and their one append spends one token of the hub's
// budget, not one per delivery, with the connector's pace per service
// account as the limit. The connector's own limiter (one write an hour
// here) is not used: a second write through it would be held past
// maxBudgetWait and retried.
func TestBudgetOneTokenPerBatch(t *testing.T) {
	fake := sheetsfake.New(t)
	c := sheets.NewWithLimit(nil, time.Hour, 1)
	warm := &gateBudget{}
	warm.open.Store(true)
	ctx := plugins.WithBudget(context.Background(), warm)
	if res, _ := c.Deliver(ctx, config(fake), rowInput("warm")); res.Outcome != plugins.Delivered {
		t.Fatalf("first delivery: %+v", res)
	}

	b := &gateBudget{wait: 20 * time.Millisecond}
	const n = 10
	var entered atomic.Int32
	results := make([]plugins.Result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			entered.Add(1)
			results[i], _ = c.Deliver(plugins.WithBudget(context.Background(), b), config(fake), rowInput(fmt.Sprint("evt_", i)))
		})
	}
	for entered.Load() < n {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // for every delivery to reach the batch
	b.open.Store(true)
	wg.Wait()

	for i, res := range results {
		if res.Outcome != plugins.Delivered || !strings.Contains(res.Summary, fmt.Sprintf("one write for %d deliveries", n)) {
			t.Errorf("delivery %d: %+v, want delivered in one write for all %d", i, res, n)
		}
	}
	asks, granted := b.counts()
	want := plugins.Limit{Name: "writes", Key: fake.ClientEmail, Rate: 1, Period: time.Hour, Burst: 1, Cost: 1}
	if len(granted) != 1 || granted[0] != want {
		t.Errorf("the hub granted %v, want one token of %+v", granted, want)
	}
	if asks < 2 {
		t.Errorf("the budget was asked %d times, want it asked again after a denial", asks)
	}
	if got := fake.Appends(); got != 2 {
		t.Errorf("the fake got %d appends, want 2 (the first delivery's, then one for the batch)", got)
	}
	if rows := fake.Rows("Bookings"); len(rows) != 2+n {
		t.Errorf("the tab has %d rows, want the header, the first and %d", len(rows), n)
	}
}

// A wait longer than a batch can hold hands the deliveries back with the
// wait; a budget the hub cannot ask (Redis down) retries them too; neither
// writes.
func TestBudgetHoldsBack(t *testing.T) {
	for _, tt := range []struct {
		name      string
		b         *gateBudget
		wantAfter time.Duration
	}{
		{"spent for longer than a batch waits", &gateBudget{wait: 10 * time.Minute}, 10 * time.Minute},
		{"not answering", &gateBudget{err: errors.New("redis: connection refused")}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fake := sheetsfake.New(t)
			c := sheets.NewWithLimit(nil, time.Millisecond, 1000)
			res, err := c.Deliver(plugins.WithBudget(context.Background(), tt.b), config(fake), json.RawMessage(sampleInput))
			if err != nil || res.Outcome != plugins.Retry || res.RetryAfter != tt.wantAfter {
				t.Errorf("got %+v, %v; want retry after %v", res, err, tt.wantAfter)
			}
			if fake.Appends() != 0 {
				t.Errorf("the fake got %d appends, want none", fake.Appends())
			}
		})
	}
}

// The batch's writer asks with the budget of a delivery still waiting in
// the batch: when that delivery gives up, it takes its rows back, and the
// next one's budget is asked instead.
func TestBudgetOfALeavingDelivery(t *testing.T) {
	fake := sheetsfake.New(t)
	c := sheets.NewWithLimit(nil, time.Millisecond, 1000)
	spent := &gateBudget{wait: 20 * time.Millisecond}
	ready := &gateBudget{}
	ready.open.Store(true)

	leaving, leave := context.WithCancel(plugins.WithBudget(context.Background(), spent))
	var first plugins.Result
	done := make(chan struct{})
	go func() {
		defer close(done)
		first, _ = c.Deliver(leaving, config(fake), rowInput("evt_left"))
	}()
	for asks, _ := spent.counts(); asks == 0; asks, _ = spent.counts() {
		time.Sleep(5 * time.Millisecond)
	}
	second := make(chan plugins.Result, 1)
	go func() {
		res, _ := c.Deliver(plugins.WithBudget(context.Background(), ready), config(fake), rowInput("evt_stayed"))
		second <- res
	}()
	time.Sleep(100 * time.Millisecond) // for the second delivery to join the batch
	leave()
	<-done
	res := <-second

	if first.Outcome != plugins.Retry || !strings.Contains(first.Summary, "taken back") {
		t.Errorf("the delivery that left: %+v, want its rows taken back", first)
	}
	if res.Outcome != plugins.Delivered {
		t.Errorf("the delivery that stayed: %+v, want delivered", res)
	}
	if _, granted := ready.counts(); len(granted) != 1 {
		t.Errorf("the staying delivery's budget granted %d tokens, want 1", len(granted))
	}
	rows := fake.Rows("Bookings")
	if len(rows) != 2 || rows[1][0] != "evt_stayed" {
		t.Errorf("rows = %v, want the header and only the row that stayed", rows)
	}
}
