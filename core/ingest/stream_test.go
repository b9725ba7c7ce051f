package ingest

import (
	"context"
	"encoding/json"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/catalog"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/redistest"
	"github.com/redis/go-redis/v9"
)

type streamRig struct {
	r     *redistest.Redis
	store *redisstore.Store
	svc   *Service
	c     *StreamConsumer
}

// newStreamRig returns a consumer on the real service and store, with its
// waits shortened; wrap replaces the service it publishes through.
func newStreamRig(t *testing.T, wrap func(core.EventService) core.EventService) *streamRig {
	t.Helper()
	r := redistest.New(t)
	store := redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix})
	cat, err := catalog.New(store)
	if err != nil {
		t.Fatal(err)
	}
	svc := New(cat, store, time.Now)
	var pub core.EventService = svc
	if wrap != nil {
		pub = wrap(svc)
	}
	c := NewStreamConsumer(r.Client, r.Prefix, pub, nil)
	c.Block, c.ClaimIdle = 50*time.Millisecond, 200*time.Millisecond
	return &streamRig{r: r, store: store, svc: svc, c: c}
}

// run starts the consumer and stops it when the test ends, checking that
// Run returns nil on cancellation.
func (g *streamRig) run(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- g.c.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run returned %v after cancel, want nil", err)
		}
	})
}

func (g *streamRig) add(t *testing.T, fields map[string]any) string {
	t.Helper()
	id, err := g.r.Client.XAdd(context.Background(), &redis.XAddArgs{Stream: StreamKey(g.r.Prefix), Values: fields}).Result()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// waitFor polls cond until it holds, failing the test after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (g *streamRig) dead(t *testing.T) []redis.XMessage {
	t.Helper()
	msgs, err := g.r.Client.XRange(context.Background(), DeadLetterKey(g.r.Prefix), "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

func (g *streamRig) pending(t *testing.T) int64 {
	t.Helper()
	p, err := g.r.Client.XPending(context.Background(), StreamKey(g.r.Prefix), GroupName).Result()
	if err != nil {
		t.Fatal(err)
	}
	return p.Count
}

func eventJSON(t *testing.T, edit func(m map[string]any)) string {
	t.Helper()
	m := map[string]any{"type": "reservation.created", "property_id": "prop_8hJk3m",
		"data": map[string]any{"object": json.RawMessage(reservation)}}
	if edit != nil {
		edit(m)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestStreamGoodEntryBecomesAnEvent(t *testing.T) {
	g := newStreamRig(t, nil)
	// Written before any consumer runs: the new group starts at the beginning.
	g.add(t, map[string]any{"account": "acct_stream", "livemode": "true", "event": eventJSON(t, func(m map[string]any) {
		m["id"] = "evt_fromstream1"
		m["created_at"] = "2026-04-13T14:22:31Z"
	})})
	g.run(t)
	live := core.Scope{AccountID: "acct_stream", Livemode: true}
	var ev *core.Event
	waitFor(t, "the event", func() bool {
		var err error
		ev, err = g.store.FindEvent(context.Background(), live, "evt_fromstream1")
		return err == nil
	})
	if ev.Type != "reservation.created" || ev.PropertyID != "prop_8hJk3m" || !ev.Livemode ||
		ev.CreatedAt.Format(time.RFC3339) != "2026-04-13T14:22:31Z" || ev.APIVersion != core.APIVersion {
		t.Errorf("stored event %+v", ev)
	}
	waitFor(t, "the ack", func() bool { return g.pending(t) == 0 })
	if n := len(g.dead(t)); n != 0 {
		t.Errorf("%d dead-letter entries, want 0", n)
	}
}

func TestStreamBadEntriesAreDeadLettered(t *testing.T) {
	tests := []struct {
		name      string
		fields    map[string]any
		wantParam string
	}{
		{"no account", map[string]any{"livemode": "false", "event": "{}"}, "account"},
		{"account breaks the key layout", map[string]any{"account": "acct}:x", "livemode": "false", "event": "{}"}, "account"},
		{"bad livemode", map[string]any{"account": "acct_1", "livemode": "yes", "event": "{}"}, "livemode"},
		{"no event", map[string]any{"account": "acct_1", "livemode": "false"}, "event"},
		{"event not JSON", map[string]any{"account": "acct_1", "livemode": "false", "event": "{"}, "event"},
		{"unknown field", map[string]any{"account": "acct_1", "livemode": "false", "event": `{"type":"guest.created","colour":"red"}`}, "event"},
		{"bad created_at", map[string]any{"account": "acct_1", "livemode": "false", "event": `{"type":"guest.created","created_at":"yesterday"}`}, "created_at"},
		{"unknown type", map[string]any{"account": "acct_1", "livemode": "false", "event": `{"type":"guest.vanished","property_id":"prop_1","data":{"object":{}}}`}, "type"},
		{"schema violation", map[string]any{"account": "acct_1", "livemode": "false", "event": ""}, "data.object.guest.email"},
	}
	g := newStreamRig(t, nil)
	ids := map[string]int{}
	for i, tt := range tests {
		if tt.fields["event"] == "" {
			tt.fields["event"] = eventJSON(t, func(m map[string]any) {
				var o map[string]any
				json.Unmarshal([]byte(reservation), &o)
				o["guest"].(map[string]any)["email"] = "not-an-email"
				m["data"] = map[string]any{"object": o}
			})
		}
		ids[g.add(t, tt.fields)] = i
	}
	g.run(t)
	waitFor(t, "every entry dead-lettered", func() bool { return len(g.dead(t)) == len(tests) })
	for _, m := range g.dead(t) {
		i, ok := ids[m.Values["source_id"].(string)]
		if !ok {
			t.Errorf("dead entry %v names no entry we wrote", m.Values)
			continue
		}
		tt := tests[i]
		t.Run(tt.name, func(t *testing.T) {
			if got := m.Values["error_param"]; got != tt.wantParam {
				t.Errorf("error_param = %v, want %q (message %v)", got, tt.wantParam, m.Values["error_message"])
			}
			if got := m.Values["error_code"]; got != core.EINVALID {
				t.Errorf("error_code = %v, want %q", got, core.EINVALID)
			}
			if msg, _ := m.Values["error_message"].(string); msg == "" {
				t.Error("no error_message")
			}
			for k, v := range tt.fields {
				if m.Values[k] != v {
					t.Errorf("original field %s = %v, want %v", k, m.Values[k], v)
				}
			}
			if _, err := time.Parse(time.RFC3339, m.Values["failed_at"].(string)); err != nil {
				t.Errorf("failed_at: %v", err)
			}
		})
	}
	waitFor(t, "every entry acked", func() bool { return g.pending(t) == 0 })
}

// flaky fails its first n publishes with EUNAVAILABLE (n < 0: all of them).
type flaky struct {
	core.EventService
	n     int64
	calls atomic.Int64
}

func (f *flaky) PublishEvent(ctx context.Context, scope core.Scope, in core.EventInput) (*core.Event, bool, error) {
	if c := f.calls.Add(1); f.n < 0 || c <= f.n {
		return nil, false, core.Errorf(core.EUNAVAILABLE, "The data store is unavailable. Please retry.")
	}
	return f.EventService.PublishEvent(ctx, scope, in)
}

func TestStreamRetriesTemporaryFailures(t *testing.T) {
	f := &flaky{n: 2}
	g := newStreamRig(t, func(s core.EventService) core.EventService { f.EventService = s; return f })
	g.add(t, map[string]any{"account": "acct_1", "livemode": "false", "event": eventJSON(t, func(m map[string]any) { m["id"] = "evt_flaky" })})
	g.run(t)
	waitFor(t, "the event", func() bool {
		_, err := g.store.FindEvent(context.Background(), core.Scope{AccountID: "acct_1"}, "evt_flaky")
		return err == nil
	})
	if got := f.calls.Load(); got != 3 {
		t.Errorf("PublishEvent called %d times, want 3", got)
	}
	waitFor(t, "the ack", func() bool { return g.pending(t) == 0 })
}

func TestStreamGivesUpAfterMaxDeliveries(t *testing.T) {
	f := &flaky{n: -1}
	g := newStreamRig(t, func(s core.EventService) core.EventService { f.EventService = s; return f })
	g.c.Retries, g.c.MaxDeliveries = 1, 3
	id := g.add(t, map[string]any{"account": "acct_1", "livemode": "false", "event": eventJSON(t, nil)})
	g.run(t)
	waitFor(t, "the dead letter", func() bool { return len(g.dead(t)) == 1 })
	d := g.dead(t)[0].Values
	if d["source_id"] != id || d["error_code"] != core.EUNAVAILABLE {
		t.Errorf("dead entry %v, want source_id %s and code %s", d, id, core.EUNAVAILABLE)
	}
	if got := f.calls.Load(); got != 3 {
		t.Errorf("PublishEvent called %d times, want 3 (one per delivery)", got)
	}
	waitFor(t, "the ack", func() bool { return g.pending(t) == 0 })
}

// An entry read by a consumer that died before acking is claimed and
// published by a live one.
func TestStreamClaimsADeadConsumersEntries(t *testing.T) {
	g := newStreamRig(t, nil)
	ctx := context.Background()
	if err := g.c.ensureGroup(ctx); err != nil {
		t.Fatal(err)
	}
	g.add(t, map[string]any{"account": "acct_1", "livemode": "false", "event": eventJSON(t, func(m map[string]any) { m["id"] = "evt_orphan" })})
	got, err := g.r.Client.XReadGroup(ctx, &redis.XReadGroupArgs{Group: GroupName, Consumer: "crashed",
		Streams: []string{StreamKey(g.r.Prefix), ">"}, Count: 10}).Result()
	if err != nil || len(got[0].Messages) != 1 {
		t.Fatalf("the crashed consumer read %v, %v", got, err)
	}
	g.run(t)
	waitFor(t, "the orphan published", func() bool {
		_, err := g.store.FindEvent(ctx, core.Scope{AccountID: "acct_1"}, "evt_orphan")
		return err == nil
	})
	waitFor(t, "the ack", func() bool { return g.pending(t) == 0 })
}

func TestStreamTrimKeepsWhatIsUnread(t *testing.T) {
	g := newStreamRig(t, nil)
	ctx := context.Background()
	c := g.c
	c.defaults()
	if err := c.ensureGroup(ctx); err != nil {
		t.Fatal(err)
	}
	var last string
	for range 3 {
		last = g.add(t, map[string]any{"account": "acct_1", "livemode": "false", "event": eventJSON(t, nil)})
	}
	if err := c.read(ctx); err != nil { // handles and acks the 3
		t.Fatal(err)
	}
	unread := g.add(t, map[string]any{"account": "acct_1", "livemode": "false", "event": eventJSON(t, nil)})
	c.now = func() time.Time { return time.Now().Add(2 * c.KeepAcked) }
	if err := c.trim(ctx); err != nil {
		t.Fatal(err)
	}
	left, err := g.r.Client.XRange(ctx, StreamKey(g.r.Prefix), "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	// The last entry read stays (it is the group's last-delivered id), and
	// the unread one, however old the clock says it is.
	var got []string
	for _, m := range left {
		got = append(got, m.ID)
	}
	if want := []string{last, unread}; !slices.Equal(got, want) {
		t.Errorf("after trim: %v, want %v", got, want)
	}
}

func TestLowerID(t *testing.T) {
	tests := []struct{ a, b, want string }{
		{"5-0", "4-9", "4-9"},
		{"5-1", "5-0", "5-0"},
		{"10-0", "9-0", "9-0"},
		{"0-0", "7-0", "0-0"},
	}
	for _, tt := range tests {
		if got := lowerID(tt.a, tt.b); got != tt.want {
			t.Errorf("lowerID(%s, %s) = %s, want %s", tt.a, tt.b, got, tt.want)
		}
	}
}

// A consumer whose stream is deleted under it creates it again.
func TestStreamSurvivesTheStreamBeingDeleted(t *testing.T) {
	g := newStreamRig(t, nil)
	g.run(t)
	ctx := context.Background()
	waitFor(t, "the group", func() bool {
		groups, err := g.r.Client.XInfoGroups(ctx, StreamKey(g.r.Prefix)).Result()
		return err == nil && len(groups) == 1
	})
	if err := g.r.Client.Del(ctx, StreamKey(g.r.Prefix)).Err(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the group again", func() bool {
		groups, err := g.r.Client.XInfoGroups(ctx, StreamKey(g.r.Prefix)).Result()
		return err == nil && len(groups) == 1
	})
	g.add(t, map[string]any{"account": "acct_1", "livemode": "false", "event": eventJSON(t, func(m map[string]any) { m["id"] = "evt_after_delete" })})
	waitFor(t, "the event", func() bool {
		_, err := g.store.FindEvent(ctx, core.Scope{AccountID: "acct_1"}, "evt_after_delete")
		return err == nil
	})
}
