package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/catalog"
)

// memEvents is an in-memory core.EventStore, so that the fuzz targets run
// the whole publish path at fuzzing speed without Redis.
type memEvents struct {
	mu     sync.Mutex
	events map[string]*core.Event
}

func (m *memEvents) AppendEvent(_ context.Context, _ core.Scope, ev *core.Event) (*core.Event, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.events[ev.ID]; ok {
		return old, false, nil
	}
	m.events[ev.ID] = ev
	return ev, true, nil
}

func (m *memEvents) AppendEvents(ctx context.Context, scope core.Scope, evs []*core.Event) ([]*core.Event, []bool, error) {
	stored, created := make([]*core.Event, len(evs)), make([]bool, len(evs))
	for i, ev := range evs {
		stored[i], created[i], _ = m.AppendEvent(ctx, scope, ev)
	}
	return stored, created, nil
}

func (m *memEvents) AppendEventOnce(ctx context.Context, scope core.Scope, ev *core.Event, _ core.OnceKey) (*core.Event, bool, error) {
	return m.AppendEvent(ctx, scope, ev)
}

func (m *memEvents) FindEvent(_ context.Context, _ core.Scope, id string) (*core.Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if ev, ok := m.events[id]; ok {
		return ev, nil
	}
	return nil, core.NotFound("event", id)
}

func (m *memEvents) ListEvents(context.Context, core.Scope, core.EventFilter) (core.List[*core.Event], error) {
	return core.List[*core.Event]{}, nil
}

// FuzzDecodeEntry feeds arbitrary ingest stream entries through
// decodeEntry and then PublishEvent on the real catalog, the path every
// event a publisher writes to the ingest stream takes. Whatever the entry:
// no panic; a refusal is an EINVALID *core.Error with a message naming one
// of the entry's fields or a path under data.object (so the dead-letter
// entry says what to fix); and an accepted event has a well-formed id, the
// type and property sent, data.object as sent minus whitespace, and
// survives a JSON round trip unchanged, which is what receivers get.
func FuzzDecodeEntry(f *testing.F) {
	c, err := catalog.New(nil)
	if err != nil {
		f.Fatal(err)
	}
	sample := func(typ string) string {
		t, err := c.FindEventType(context.Background(), testScope, typ)
		if err != nil {
			f.Fatal(err)
		}
		return string(t.Sample)
	}
	good := `{"type":"reservation.created","property_id":"prop_8hJk3m","data":{"object":` + reservation + `}}`
	for _, e := range []struct{ account, livemode, event string }{
		{"acct_1", "false", good},
		{"acct_1", "true", `{"id":"evt_mine_1","type":"guest.checked_in","property_id":"p","created_at":"2026-04-13T14:22:31Z","data":{"object":` + sample("guest.checked_in") + `}}`},
		{"acct_1", "false", `{"type":"endpoint.disabled","data":{"object":` + sample("endpoint.disabled") + `}}`},
		{"acct_1", "false", `{"type":"reservation.created","property_id":"p","data":{"object":{"id":"res_1"}}}`},
		{"acct_1", "false", `{"type":"nope","property_id":"p","data":{"object":{}}}`},
		{"acct_1", "false", `{"type":"reservation.created","property_id":"p","data":{"object":[1]}}`},
		{"acct_1", "false", `{"type":"reservation.created","property_id":"p","created_at":"2999-01-01T00:00:00Z","data":{"object":{}}}`},
		{"acct_1", "false", `{"type":"x","extra":1}`},
		{"acct_1", "false", `{} {}`},
		{"acct:1", "false", good},
		{"acct_1", "yes", good},
		{"acct_1", "false", ""},
	} {
		f.Add(e.account, e.livemode, e.event)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, account, livemode, event string) {
		svc := New(c, &memEvents{events: map[string]*core.Event{}}, func() time.Time { return testNow })
		scope, in, err := decodeEntry(map[string]any{"account": account, "livemode": livemode, "event": event})
		if err != nil {
			mustName(t, err, "account", "livemode", "event", "created_at")
			return
		}
		ev, created, err := svc.PublishEvent(ctx, scope, in)
		if err != nil {
			mustName(t, err, "type", "id", "property_id", "created_at", "data.object")
			return
		}
		if !created || !idPattern.MatchString(ev.ID) || (in.ID != "" && ev.ID != in.ID) {
			t.Fatalf("published %+v (created %v) for id %q", ev, created, in.ID)
		}
		if ev.Type != in.Type || ev.PropertyID != in.PropertyID || ev.Livemode != scope.Livemode || ev.APIVersion != core.APIVersion {
			t.Fatalf("envelope %+v does not carry what was sent (%+v in %+v)", ev, in, scope)
		}
		var sent bytes.Buffer
		if err := json.Compact(&sent, in.Object); err != nil || !bytes.Equal(sent.Bytes(), ev.Data.Object) {
			t.Fatalf("data.object %s, sent %s", ev.Data.Object, in.Object)
		}
		if ev.CreatedAt.Location() != time.UTC || ev.CreatedAt.Nanosecond() != 0 || ev.CreatedAt.After(testNow.Add(MaxClockSkew)) {
			t.Fatalf("created_at %v: not whole UTC seconds within the clock skew", ev.CreatedAt)
		}
		b, err := json.Marshal(ev)
		if err != nil {
			t.Fatalf("marshal %+v: %v", ev, err)
		}
		var back core.Event
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("unmarshal %s: %v", b, err)
		}
		// encoding/json escapes <, > and & in data.object on the way out;
		// the bytes may differ, the JSON may not.
		gotObj, wantObj := decoded(t, back.Data.Object), decoded(t, ev.Data.Object)
		back.Data = ev.Data
		if !reflect.DeepEqual(&back, ev) || !reflect.DeepEqual(gotObj, wantObj) {
			t.Fatalf("round trip changed the event:\n%+v\n%+v", ev, &back)
		}
	})
}

func decoded(t *testing.T, raw json.RawMessage) any {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("data.object %s: %v", raw, err)
	}
	return v
}

// mustName fails unless err is an EINVALID *core.Error with a message and
// a Param among params or a path under one of them.
func mustName(t *testing.T, err error, params ...string) {
	t.Helper()
	e, ok := err.(*core.Error)
	if !ok || e.Code != core.EINVALID || e.Message == "" {
		t.Fatalf("%v is not an EINVALID *core.Error with a message", err)
	}
	for _, p := range params {
		if e.Param == p || (p == "data.object" && len(e.Param) > len(p) && e.Param[:len(p)] == p && (e.Param[len(p)] == '.' || e.Param[len(p)] == '[')) {
			return
		}
	}
	t.Fatalf("%v names %q, not one of %q", err, e.Param, params)
}
