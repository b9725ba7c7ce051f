package redisstore_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/redistest"
	"github.com/redis/go-redis/v9"
)

// namedReqID returns a request id of this millisecond whose random part
// spells name (lowercase letters and digits, no z), so that a test can name
// its requests.
func namedReqID(name string) string { return namedReqIDAt(name, time.Now()) }

// namedReqIDAt is namedReqID for a request made at t.
func namedReqIDAt(name string, t time.Time) string {
	random, err := strconv.ParseInt(name+strings.Repeat("z", 12-len(name)), 36, 64)
	if err != nil {
		panic(err)
	}
	return core.FormatRequestID(t.UnixMilli(), random)
}

// activityIDs lists scope's activity (up to 100) as "name,name,…", newest
// first (see namedReqID).
func activityIDs(t *testing.T, log core.ActivityLog, scope core.Scope) string {
	t.Helper()
	l, err := log.ListActivity(context.Background(), scope, core.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(l.Data))
	for i, a := range l.Data {
		_, random, _ := core.ParseRequestID(a.ID)
		names[i] = strings.TrimRight(strconv.FormatInt(random, 36), "z")
	}
	return strings.Join(names, ",")
}

// record queues a request for each name (see namedReqID).
func record(t *testing.T, w *redisstore.ActivityWriter, scope core.Scope, names ...string) {
	t.Helper()
	for _, name := range names {
		a := &core.Activity{ID: namedReqID(name), Method: "POST", Path: "/v1/events", Status: 201, KeyID: "key_1"}
		if err := w.RecordActivity(context.Background(), scope, a); err != nil {
			t.Fatalf("RecordActivity: %v", err)
		}
	}
}

func TestActivityWriter(t *testing.T) {
	tests := []struct {
		name        string
		opts        redisstore.ActivityWriterOptions
		before, now []string // recorded before Run starts, and while it runs
		wantIDs     string
		wantDropped uint64
	}{
		{"in order across batches", redisstore.ActivityWriterOptions{Batch: 2}, nil,
			[]string{"a", "b", "c", "d", "e"}, "e,d,c,b,a", 0},
		{"a full buffer drops and counts", redisstore.ActivityWriterOptions{Buffer: 2},
			[]string{"1", "2", "3", "4"}, nil, "2,1", 2},
		// A batch lingering for more entries is written when a reader lists
		// (or the writer stops), not when its hour is up.
		{"a reader does not wait for a lingering batch", redisstore.ActivityWriterOptions{Linger: time.Hour}, nil,
			[]string{"a", "b", "c"}, "c,b,a", 0},
		{"a lingering batch that fills is written", redisstore.ActivityWriterOptions{Batch: 2, Linger: time.Hour}, nil,
			[]string{"a", "b", "c", "d", "e"}, "e,d,c,b,a", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newStore(t)
			scope := newScope(t, s)
			w := s.NewActivityWriter(tt.opts)
			record(t, w, scope, tt.before...)
			ctx, stop := context.WithCancel(context.Background())
			done := make(chan error)
			go func() { done <- w.Run(ctx) }()
			defer func() { stop(); <-done }()
			record(t, w, scope, tt.now...)
			if got := activityIDs(t, w, scope); got != tt.wantIDs {
				t.Errorf("listed %q, want %q", got, tt.wantIDs)
			}
			if got := w.Dropped(); got != tt.wantDropped {
				t.Errorf("Dropped() = %d, want %d", got, tt.wantDropped)
			}
		})
	}
}

// TestActivityWriterShutdown: what is queued when Run's context ends is
// written before Run returns.
func TestActivityWriterShutdown(t *testing.T) {
	s, _ := newStore(t)
	scope := newScope(t, s)
	w := s.NewActivityWriter(redisstore.ActivityWriterOptions{Batch: 7})
	var ids []string
	for i := range 50 {
		ids = append(ids, fmt.Sprint(i))
	}
	record(t, w, scope, ids...)
	ctx, stop := context.WithCancel(context.Background())
	stop() // Run starts already told to stop: it must still write the queue
	if err := w.Run(ctx); err != nil {
		t.Fatalf("Run: %v", err)
	}
	got := strings.Split(activityIDs(t, s, scope), ",")
	if len(got) != 50 || got[0] != "49" {
		t.Errorf("after shutdown the log has %d entries, newest %v; want 50, newest 49", len(got), got[0])
	}
	if err := w.Flush(context.Background()); err != nil {
		t.Errorf("Flush after Run returned: %v", err)
	}
}

// TestActivityWriterRedisGone: a batch Redis cannot take is counted as
// dropped; the request that made it was not failed.
func TestActivityWriterRedisGone(t *testing.T) {
	r := redistest.New(t)
	opts, err := redis.ParseURL(r.URL)
	if err != nil {
		t.Fatal(err)
	}
	gone := redis.NewClient(opts)
	gone.Close() // a client of its own: the test's one still cleans up
	s := redisstore.New(gone, redisstore.Options{Prefix: r.Prefix})
	w := s.NewActivityWriter(redisstore.ActivityWriterOptions{})
	record(t, w, core.Scope{AccountID: "acct_gone"}, "x", "y")
	ctx, stop := context.WithCancel(context.Background())
	stop()
	w.Run(ctx)
	if got := w.Dropped(); got != 2 {
		t.Errorf("Dropped() = %d, want 2", got)
	}
}

// TestActivityWriterBatch: one batch holding two accounts' requests, out of
// order, and one whose id no request id parser knows: each account lists
// its own in the order of their ids, and the stranger is dropped and
// counted.
func TestActivityWriterBatch(t *testing.T) {
	s, _ := newStore(t)
	a, b := newScope(t, s), newScope(t, s)
	w := s.NewActivityWriter(redisstore.ActivityWriterOptions{})
	start := time.Now()
	for _, r := range []struct {
		scope core.Scope
		id    string
	}{
		{a, namedReqIDAt("c", start.Add(2*time.Millisecond))},
		{b, namedReqIDAt("b", start.Add(time.Millisecond))},
		{a, namedReqIDAt("a", start)},
		{a, "req_0"},
		{b, namedReqIDAt("d", start.Add(3*time.Millisecond))},
	} {
		w.RecordActivity(context.Background(), r.scope, &core.Activity{ID: r.id, Method: "GET", Path: "/v1/events", Status: 200})
	}
	ctx, stop := context.WithCancel(context.Background())
	stop() // Run writes the queue, then returns
	w.Run(ctx)
	if got := activityIDs(t, s, a); got != "c,a" {
		t.Errorf("account a lists %q, want c,a", got)
	}
	if got := activityIDs(t, s, b); got != "d,b" {
		t.Errorf("account b lists %q, want d,b", got)
	}
	if got := w.Dropped(); got != 1 {
		t.Errorf("Dropped() = %d, want 1 (req_0)", got)
	}
}
