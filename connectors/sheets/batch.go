package sheets

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	sheetsapi "google.golang.org/api/sheets/v4"

	"github.com/bellhop/bellhop/connectors"
	"github.com/bellhop/bellhop/plugins"
)

// maxBudgetWait bounds how long a batch waits for the write budget before
// its deliveries are handed back to the host's retry schedule.
const maxBudgetWait = 2 * time.Minute

// part is one delivery's rows in a batch, with its Deliver's context: while
// the delivery waits in the batch, its context carries a live budget from
// the hub (plugins.BudgetFrom) that the batch's writer may take from.
type part struct {
	rows      [][]any
	ctx       context.Context
	withdrawn bool // the delivery gave up before the write started
}

// batch is the rows of every delivery that arrived while the previous write
// waited or ran; one append writes them all.
type batch struct {
	header []any
	parts  []*part
	taken  bool // the writer has started on it; parts can no longer withdraw
	done   chan struct{}
	res    plugins.Result
	count  int // deliveries in the write
}

// tabQueue coalesces the deliveries to one tab.
type tabQueue struct {
	mu        sync.Mutex
	pending   *batch
	running   bool
	hasHeader bool
}

// queues holds one tabQueue per spreadsheet tab and key file.
type queues struct {
	mu sync.Mutex
	m  map[string]*tabQueue
}

func (qs *queues) get(key string) *tabQueue {
	qs.mu.Lock()
	defer qs.mu.Unlock()
	if qs.m == nil {
		qs.m = map[string]*tabQueue{}
	}
	q, ok := qs.m[key]
	if !ok {
		q = &tabQueue{}
		qs.m[key] = q
	}
	return q
}

// enqueue adds rows to the tab's pending batch, starts a writer if none
// runs, and waits for the batch's result or for ctx to end.
func (c *Connector) enqueue(ctx context.Context, cfg config, svc *sheetsapi.Service, header []any, rows [][]any) plugins.Result {
	q := c.queues.get(serviceKey(ctx, cfg) + cfg.spreadsheetID + "!" + cfg.sheet)
	p := &part{rows: rows, ctx: ctx}
	q.mu.Lock()
	if q.pending == nil {
		q.pending = &batch{header: header, done: make(chan struct{})}
	}
	b := q.pending
	b.parts = append(b.parts, p)
	if !q.running {
		q.running = true
		go c.drain(q, cfg, svc)
	}
	q.mu.Unlock()
	select {
	case <-b.done:
		q.mu.Lock()
		withdrawn := p.withdrawn
		q.mu.Unlock()
		if withdrawn { // its context ended before the write: the writer left its rows out
			return connectors.RetryLater(0, "timed out waiting for the Sheets write budget (60 writes a minute); rows taken back")
		}
		res := b.res
		if b.count > 1 {
			res.Summary = fmt.Sprintf("%s (one write for %d deliveries)", res.Summary, b.count)
		}
		return res
	case <-ctx.Done():
		q.mu.Lock()
		defer q.mu.Unlock()
		if b.taken {
			return connectors.RetryLater(0, "timed out while the write was under way; the rows may be in the sheet already")
		}
		p.withdrawn = true
		return connectors.RetryLater(0, "timed out waiting for the Sheets write budget (60 writes a minute); rows taken back")
	}
}

// drain writes pending batches one at a time, each once the write budget
// allows, until none is left. Rows that arrive while it waits join the batch.
func (c *Connector) drain(q *tabQueue, cfg config, svc *sheetsapi.Service) {
	for {
		q.mu.Lock()
		if q.pending == nil {
			q.running = false
			q.mu.Unlock()
			return
		}
		q.mu.Unlock()
		wait, asked, err := c.takeWrite(q, cfg)
		q.mu.Lock()
		b := q.pending
		if !asked {
			if _, n := b.rows(); n > 0 {
				// Every delivery had left, so no token was taken, and a new
				// one joined since: take a token for it.
				q.mu.Unlock()
				continue
			}
		}
		q.pending = nil
		b.taken = true
		rows, count := b.rows()
		hasHeader := q.hasHeader
		q.mu.Unlock()
		c.writeBatch(q, b, cfg, svc, wait, err, rows, count, hasHeader)
	}
}

// takeWrite takes one write token for the pending batch, waiting for it up
// to maxBudgetWait; a longer wait is returned for the batch to retry later.
// asked is false when the limiter was not asked because no delivery is left
// in the batch.
//
// The token comes from the hub's budget (plugins.Budget), shared by every
// hub, when the deliveries carry one: the writer runs on its own goroutine,
// outside any one Deliver, so it takes through the budget of a delivery
// still waiting in the batch, whose Deliver has not returned and whose
// budget is therefore still lent (across the plugin boundary a budget ends
// with its Deliver call). If that delivery leaves meanwhile, the next one
// lends its own. The hub's limiter never waits, so neither is a token held
// while this one sleeps, and a denied ask takes nothing.
func (c *Connector) takeWrite(q *tabQueue, cfg config) (wait time.Duration, asked bool, err error) {
	limit := c.pace.Limit("writes", cfg.clientEmail, 1)
	deadline := time.Now().Add(maxBudgetWait)
	for {
		ctx, budget := q.lender()
		switch {
		case ctx == nil:
			return 0, false, nil
		case budget == nil:
			// No hub lends a budget: the connector is used directly (its
			// own tests, a program of its own) or by a hub built before
			// budgets. This process's limiter then keeps the pace; it only
			// counts this process's writes, so several such hubs sharing a
			// service account may meet Google's 429.
			lctx, cancel := context.WithDeadline(context.Background(), deadline)
			wait := c.limits.Wait(lctx, cfg.clientEmail)
			cancel()
			return wait, true, nil
		}
		wait, err := budget.Take(ctx, limit)
		switch {
		case err == nil && wait == 0:
			return 0, true, nil // taken, even if the lender has left since
		case ctx.Err() != nil:
			continue // that delivery left; ask with the next one's budget
		case errors.Is(err, plugins.ErrBudgetEnded):
			// The hub gave up on that delivery; its context here ends as
			// soon as the cancellation crosses over. Ask again shortly.
			time.Sleep(10 * time.Millisecond)
			continue
		case err != nil:
			return 0, true, err
		case time.Until(deadline) < wait:
			return wait, true, nil
		}
		time.Sleep(wait)
	}
}

// lender returns the context and budget (nil: none) of the first delivery
// still waiting in the pending batch, or a nil context when none is. A
// delivery whose context has ended is withdrawn here, as it would withdraw
// itself, so that its rows are not written with a token it did not help
// take.
func (q *tabQueue) lender() (context.Context, plugins.Budget) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.pending == nil {
		return nil, nil
	}
	for _, p := range q.pending.parts {
		if p.withdrawn {
			continue
		}
		if p.ctx.Err() != nil {
			p.withdrawn = true
			continue
		}
		return p.ctx, plugins.BudgetFrom(p.ctx)
	}
	return nil, nil
}

func (c *Connector) writeBatch(q *tabQueue, b *batch, cfg config, svc *sheetsapi.Service, wait time.Duration, budgetErr error, rows [][]any, count int, hasHeader bool) {
	defer close(b.done)
	b.count = count
	switch {
	case count == 0:
		return
	case budgetErr != nil:
		b.res = connectors.RetryLater(0, "the hub's shared Sheets write budget could not be asked: "+budgetErr.Error())
		return
	case wait > 0:
		b.res = connectors.RetryLater(wait, "held back to stay under Sheets' 60 writes a minute")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, headerThere := c.write(ctx, cfg, svc, b.header, rows, hasHeader)
	if headerThere {
		q.mu.Lock()
		q.hasHeader = true
		q.mu.Unlock()
	}
	b.res = res
}

// rows flattens the parts still in the batch; call with the queue locked.
func (b *batch) rows() ([][]any, int) {
	var rows [][]any
	n := 0
	for _, p := range b.parts {
		if !p.withdrawn {
			rows = append(rows, p.rows...)
			n++
		}
	}
	return rows, n
}
