package redisstore

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

// Defaults of ActivityWriterOptions.
const (
	DefaultActivityBuffer = 8192
	DefaultActivityBatch  = 256
	DefaultActivityLinger = 10 * time.Millisecond
)

// ActivityWriterOptions tune an ActivityWriter. The zero value of each field
// means its default.
type ActivityWriterOptions struct {
	// Buffer is how many requests may wait to be written; past it new ones
	// are dropped and counted, never waited for. Default 8192.
	Buffer int
	// Batch is the most requests written in one pipelined round trip.
	// Default 256.
	Batch int
	// Linger is how long a batch waits for more entries after its first,
	// unless it fills first: at a steady low rate, where each request would
	// otherwise be its own round trip, the requests of Linger share one.
	// A reader of the activity log through ListActivity never waits for
	// it (the queue is written first). Default 10 ms.
	Linger time.Duration
	// Logger gets a warning when a batch cannot be written. Default: discard.
	Logger *slog.Logger
}

// ActivityWriter records the activity log in batches, off the request path:
// RecordActivity only queues the request, and Run writes the queue in
// pipelined round trips (one EVALSHA per account in a batch, one round trip
// per batch). It implements core.ActivityLog and is safe for concurrent use.
//
// The activity log is an audit trail, not acknowledged data, so the writer
// trades a little of it for speed: a full buffer drops new entries (Dropped
// counts them) rather than slow or fail a request, a batch that Redis
// refuses is dropped and counted, and a process killed with SIGKILL loses
// what was queued (at most Buffer entries; in practice the last few
// milliseconds of requests). On an orderly shutdown Run writes the queue
// before it returns.
type ActivityWriter struct {
	store   *Store
	opts    ActivityWriterOptions
	queue   chan activityItem
	flushes chan chan struct{}
	stopped chan struct{}
	dropped atomic.Uint64
}

var _ core.ActivityLog = (*ActivityWriter)(nil)

type activityItem struct {
	scope core.Scope
	a     *core.Activity
}

// NewActivityWriter returns a writer for the store's activity log. Nothing is
// written until Run is called.
func (s *Store) NewActivityWriter(opts ActivityWriterOptions) *ActivityWriter {
	if opts.Buffer <= 0 {
		opts.Buffer = DefaultActivityBuffer
	}
	if opts.Batch <= 0 {
		opts.Batch = DefaultActivityBatch
	}
	if opts.Linger <= 0 {
		opts.Linger = DefaultActivityLinger
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &ActivityWriter{
		store: s, opts: opts,
		queue:   make(chan activityItem, opts.Buffer),
		flushes: make(chan chan struct{}),
		stopped: make(chan struct{}),
	}
}

// RecordActivity queues a request for the activity log and returns at once.
// It never fails: a full buffer drops the entry and counts it in Dropped.
func (w *ActivityWriter) RecordActivity(_ context.Context, scope core.Scope, a *core.Activity) error {
	select {
	case w.queue <- activityItem{scope: scope, a: a}:
	default:
		w.dropped.Add(1)
	}
	return nil
}

// Dropped returns how many entries were lost so far: buffer full, or a
// batch Redis did not take. The API exports it as a metric.
func (w *ActivityWriter) Dropped() uint64 { return w.dropped.Load() }

// ListActivity writes what is queued, then lists scope's requests newest
// first (see Store.ListActivity), so that a caller sees its own earlier
// requests.
func (w *ActivityWriter) ListActivity(ctx context.Context, scope core.Scope, page core.Page) (core.List[*core.Activity], error) {
	if err := w.Flush(ctx); err != nil {
		return core.List[*core.Activity]{}, err
	}
	return w.store.ListActivity(ctx, scope, page)
}

// Flush returns once every entry queued before the call has been written (or
// dropped), once Run has stopped, or with ctx's error.
func (w *ActivityWriter) Flush(ctx context.Context) error {
	done := make(chan struct{})
	select {
	case w.flushes <- done:
	case <-w.stopped:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Run writes queued entries until ctx ends, then writes what is still
// queued and returns nil. Call it once, in its own goroutine.
func (w *ActivityWriter) Run(ctx context.Context) error {
	defer close(w.stopped)
	batch := make([]activityItem, 0, w.opts.Batch)
	var flush chan struct{}
	for {
		select {
		case it := <-w.queue:
			batch, flush = w.gather(ctx, append(batch, it))
			w.write(batch)
			if flush != nil {
				w.drain(batch)
				close(flush)
			}
		case done := <-w.flushes:
			w.drain(batch)
			close(done)
		case <-ctx.Done():
			w.drain(batch)
			return nil
		}
		batch = batch[:0]
	}
}

// gather adds queued entries to batch until it is full or Linger has passed,
// or until ctx ends or a Flush asks, whose done channel it returns: the
// caller writes the batch and the rest of the queue, then closes it.
func (w *ActivityWriter) gather(ctx context.Context, batch []activityItem) ([]activityItem, chan struct{}) {
	if batch = w.fill(batch); len(batch) == w.opts.Batch || ctx.Err() != nil {
		return batch, nil
	}
	timer := time.NewTimer(w.opts.Linger)
	defer timer.Stop()
	for len(batch) < w.opts.Batch {
		select {
		case it := <-w.queue:
			batch = append(batch, it)
		case done := <-w.flushes:
			return batch, done
		case <-timer.C:
			return batch, nil
		case <-ctx.Done():
			return batch, nil
		}
	}
	return batch, nil
}

// fill adds queued entries to batch, without waiting, up to a full batch.
func (w *ActivityWriter) fill(batch []activityItem) []activityItem {
	for len(batch) < w.opts.Batch {
		select {
		case it := <-w.queue:
			batch = append(batch, it)
		default:
			return batch
		}
	}
	return batch
}

// drain writes everything queued now.
func (w *ActivityWriter) drain(batch []activityItem) {
	for {
		batch = w.fill(batch[:0])
		if len(batch) == 0 {
			return
		}
		w.write(batch)
	}
}

// write records a batch in one pipelined round trip; entries refused
// because Redis lost the script (a restart, SCRIPT FLUSH) are tried once
// more after loading it.
func (w *ActivityWriter) write(batch []activityItem) {
	// A batch in flight at shutdown must still be written: not the
	// caller's context, but a bound on how long Redis may take.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	failed, err := w.pipeline(ctx, batch)
	if err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT") {
		if err = recordActivityScript.Load(ctx, w.store.rdb).Err(); err == nil {
			failed, err = w.pipeline(ctx, failed)
		}
	}
	if err != nil {
		w.dropped.Add(uint64(len(failed)))
		w.opts.Logger.Warn("cannot record activity", "entries", len(failed), "err", storeErr("record activity", err))
	}
}

// pipeline sends one EVALSHA per account in the batch and returns the
// entries of the accounts whose call failed, with the first error. An
// entry whose id was not made by core.NewRequestID cannot be filed: it is
// dropped, counted and logged.
func (w *ActivityWriter) pipeline(ctx context.Context, batch []activityItem) ([]activityItem, error) {
	s := w.store
	var scopes []core.Scope
	byScope := map[core.Scope][]activityItem{}
	for _, it := range batch {
		if _, _, err := activityFieldsOf(it.a); err != nil {
			w.dropped.Add(1)
			w.opts.Logger.Warn("cannot record activity", "err", err)
			continue
		}
		if _, ok := byScope[it.scope]; !ok {
			scopes = append(scopes, it.scope)
		}
		byScope[it.scope] = append(byScope[it.scope], it)
	}
	cmds := make([]*redis.Cmd, len(scopes))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, scope := range scopes {
			items := byScope[scope]
			as := make([]*core.Activity, len(items))
			for j, it := range items {
				as[j] = it.a
			}
			args, _ := s.activityArgs(as) // ids checked above
			cmds[i] = recordActivityScript.EvalSha(ctx, p, s.activityKeys(scope), args...)
		}
		return nil
	})
	if err == nil {
		return nil, nil
	}
	var failed []activityItem
	for i, c := range cmds {
		if c.Err() != nil {
			failed = append(failed, byScope[scopes[i]]...)
		}
	}
	return failed, err
}
