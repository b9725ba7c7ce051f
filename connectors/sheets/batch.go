package sheets

import (
	"context"
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

// part is one delivery's rows in a batch.
type part struct {
	rows      [][]any
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
	p := &part{rows: rows}
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
		ctx, cancel := context.WithTimeout(context.Background(), maxBudgetWait)
		wait := c.limits.Wait(ctx, cfg.clientEmail)
		cancel()
		q.mu.Lock()
		b := q.pending
		q.pending = nil
		b.taken = true
		rows, count := b.rows()
		hasHeader := q.hasHeader
		q.mu.Unlock()
		c.writeBatch(q, b, cfg, svc, wait, rows, count, hasHeader)
	}
}

func (c *Connector) writeBatch(q *tabQueue, b *batch, cfg config, svc *sheetsapi.Service, wait time.Duration, rows [][]any, count int, hasHeader bool) {
	defer close(b.done)
	b.count = count
	switch {
	case count == 0:
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
