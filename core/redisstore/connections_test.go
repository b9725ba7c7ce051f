package redisstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/redistest"
	"github.com/bellhop/bellhop/core/secretbox"
)

func newSealedStore(t *testing.T) (*redisstore.Store, *redistest.Redis) {
	t.Helper()
	r := testRedis(t)
	box, err := secretbox.New(secretbox.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	return redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix, Sealer: box}), r
}

func newConnection(id string, events ...string) *core.Connection {
	now := time.Now().UTC().Truncate(time.Second)
	return &core.Connection{ID: id, Object: "connection", Connector: "slack", Name: id,
		Config: map[string]any{"channel": "C0GENERAL"}, EnabledEvents: events, PropertyIDs: []string{},
		CreatedAt: now, UpdatedAt: now}
}

func TestConnectionSecretsSealedAndMasked(t *testing.T) {
	s, r := newSealedStore(t)
	ctx := context.Background()
	scope := newScope(t, s)
	const token = "xoxb-1234567890-secret-token-WXYZ"
	c := newConnection("conn_a", "guest.checked_in")
	if err := s.SaveConnection(ctx, scope, c, map[string]string{"token": token, "pin": "12"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindConnection(ctx, scope, "conn_a")
	if err != nil {
		t.Fatal(err)
	}
	for field, want := range map[string]string{"token": core.SecretMask, "pin": core.SecretMask, "channel": "C0GENERAL"} {
		if got.Config[field] != want {
			t.Errorf("config.%s = %v, want %q", field, got.Config[field], want)
		}
	}
	_, secrets, err := s.ConnectionSecrets(ctx, scope, "conn_a")
	if err != nil {
		t.Fatal(err)
	}
	if secrets["token"] != token || secrets["pin"] != "12" {
		t.Errorf("opened secrets = %v", secrets)
	}
	// A save without secrets keeps them.
	got.Name = "renamed"
	if err := s.SaveConnection(ctx, scope, got, nil); err != nil {
		t.Fatal(err)
	}
	if _, secrets, _ = s.ConnectionSecrets(ctx, scope, "conn_a"); secrets["token"] != token {
		t.Errorf("after a save without secrets: %v", secrets)
	}
	for _, v := range dumpPrefix(t, r) {
		if strings.Contains(v, token) || strings.Contains(v, "xoxb-") {
			t.Fatalf("a Redis value holds the plaintext token: %q", v)
		}
	}
}

func TestConnectionIndexAndList(t *testing.T) {
	s, _ := newSealedStore(t)
	ctx := context.Background()
	scope := newScope(t, s)
	for _, c := range []*core.Connection{newConnection("conn_1", "guest.checked_in"), newConnection("conn_2", "*"), newConnection("conn_3", "payment.failed")} {
		if err := s.SaveConnection(ctx, scope, c, map[string]string{}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		typ  string
		want []string
	}{
		{"guest.checked_in", []string{"conn_1", "conn_2"}},
		{"payment.failed", []string{"conn_2", "conn_3"}},
		{"rate.updated", []string{"conn_2"}},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			cs, err := s.MatchConnections(ctx, scope, tt.typ)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(cs); !sameSet(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	// Moving conn_1 to another type updates the index; deleting conn_2 empties "*".
	c1, _ := s.FindConnection(ctx, scope, "conn_1")
	c1.EnabledEvents = []string{"payment.failed"}
	if err := s.SaveConnection(ctx, scope, c1, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteConnection(ctx, scope, "conn_2"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.DeleteConnection(ctx, scope, "conn_2"), core.ENOTFOUND)
	if cs, _ := s.MatchConnections(ctx, scope, "guest.checked_in"); len(cs) != 0 {
		t.Errorf("guest.checked_in still matches %v", ids(cs))
	}
	if cs, _ := s.MatchConnections(ctx, scope, "payment.failed"); !sameSet(ids(cs), []string{"conn_1", "conn_3"}) {
		t.Errorf("payment.failed matches %v", ids(cs))
	}
	list, err := s.ListConnections(ctx, scope, core.Page{Limit: 1})
	if err != nil || len(list.Data) != 1 || !list.HasMore {
		t.Fatalf("list page 1: %+v, %v", list, err)
	}
	other := core.Scope{AccountID: scope.AccountID, Livemode: true}
	_, err = s.FindConnection(ctx, other, "conn_1")
	wantCode(t, err, core.ENOTFOUND)
}

func ids(cs []*core.Connection) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]bool{}
	for _, x := range a {
		m[x] = true
	}
	for _, x := range b {
		if !m[x] {
			return false
		}
	}
	return true
}

// dumpPrefix reads every value of every key under the test's prefix, of
// every type, as redis-cli would show them.
func dumpPrefix(t *testing.T, r *redistest.Redis) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	iter := r.Client.Scan(ctx, 0, r.Prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		key := iter.Val()
		out = append(out, key)
		switch typ := r.Client.Type(ctx, key).Val(); typ {
		case "string":
			out = append(out, r.Client.Get(ctx, key).Val())
		case "hash":
			for k, v := range r.Client.HGetAll(ctx, key).Val() {
				out = append(out, k, v)
			}
		case "set":
			out = append(out, r.Client.SMembers(ctx, key).Val()...)
		case "zset":
			out = append(out, r.Client.ZRange(ctx, key, 0, -1).Val()...)
		case "list":
			out = append(out, r.Client.LRange(ctx, key, 0, -1).Val()...)
		case "stream":
			for _, m := range r.Client.XRange(ctx, key, "-", "+").Val() {
				for k, v := range m.Values {
					out = append(out, k, v.(string))
				}
			}
		default:
			t.Fatalf("key %s has type %s, which the dump does not read", key, typ)
		}
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestConnectionOldMaskShownAsMask: a connection saved when masks showed
// the last four characters reads with core.SecretMask, by id and in lists.
func TestConnectionOldMaskShownAsMask(t *testing.T) {
	s, r := newSealedStore(t)
	ctx := context.Background()
	scope := newScope(t, s)
	if err := s.SaveConnection(ctx, scope, newConnection("conn_om", "guest.checked_in"), map[string]string{"token": "xoxb-1234567890-secret-token-WXYZ"}); err != nil {
		t.Fatal(err)
	}
	key := r.Client.Keys(ctx, r.Prefix+"*:conn:conn_om").Val()[0]
	raw := strings.Replace(r.Client.Get(ctx, key).Val(), `"token":"`+core.SecretMask+`"`, `"token":"••••WXYZ"`, 1)
	if !strings.Contains(raw, "••••WXYZ") {
		t.Fatalf("could not plant an old mask in %s", raw)
	}
	r.Client.Set(ctx, key, raw, 0)
	found, err := s.FindConnection(ctx, scope, "conn_om")
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.ListConnections(ctx, scope, core.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*core.Connection{"find": found, "list": list.Data[0]} {
		if got := c.Config["token"]; got != core.SecretMask {
			t.Errorf("%s shows token %v, want %q", name, got, core.SecretMask)
		}
	}
}

// TestMatchTargets: the dispatcher's one read of both kinds finds what
// MatchEndpoints and MatchConnections find, each kind in its own list, an
// empty kind as an empty list.
func TestMatchTargets(t *testing.T) {
	s, _ := newSealedStore(t)
	ctx := context.Background()
	scope := newScope(t, s)
	for _, c := range []*core.Connection{newConnection("conn_1", "guest.checked_in"), newConnection("conn_2", "*")} {
		if err := s.SaveConnection(ctx, scope, c, map[string]string{}); err != nil {
			t.Fatal(err)
		}
	}
	ep := newEndpoint("whe_1", nil)
	ep.EnabledEvents = []string{"payment.failed"}
	if err := s.SaveEndpoint(ctx, scope, ep, []core.EndpointSecret{{Secret: "whsec_x"}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		typ        string
		eps, conns []string
	}{
		{"guest.checked_in", nil, []string{"conn_1", "conn_2"}},
		{"payment.failed", []string{"whe_1"}, []string{"conn_2"}},
	}
	for _, tt := range tests {
		found, err := s.MatchTargets(ctx, scope, tt.typ)
		if err != nil {
			t.Fatal(err)
		}
		eps, conns := found.Endpoints, found.Connections
		var epIDs []string
		for _, ep := range eps {
			epIDs = append(epIDs, ep.ID)
		}
		if !sameSet(epIDs, tt.eps) || !sameSet(ids(conns), tt.conns) {
			t.Errorf("%s: endpoints %v, connections %v; want %v and %v", tt.typ, epIDs, ids(conns), tt.eps, tt.conns)
		}
	}
	empty := newScope(t, s)
	if found, err := s.MatchTargets(ctx, empty, "payment.failed"); err != nil || len(found.Endpoints)+len(found.Connections) != 0 {
		t.Errorf("a scope without targets matched %d endpoints, %d connections (%v)", len(found.Endpoints), len(found.Connections), err)
	}
}

// TestStaleMatchWritesNothing: every save and delete of an endpoint or a
// connection moves the scope's subscriptions version on, and a dispatch
// made at an older version stores nothing (ErrStaleMatch): no delivery,
// and its events-stream entry is still unacked, to be matched again.
func TestStaleMatchWritesNothing(t *testing.T) {
	s, _ := newSealedStore(t)
	ctx := context.Background()
	scope := newScope(t, s)
	if err := s.EnsureGroups(ctx, s.EventsStreamKey, []core.Scope{scope}); err != nil {
		t.Fatal(err)
	}
	version := func() string {
		t.Helper()
		found, err := s.MatchTargets(ctx, scope, "guest.checked_in")
		if err != nil {
			t.Fatal(err)
		}
		return found.Version
	}
	ep, conn := newEndpoint("whe_v", nil), newConnection("conn_v", "guest.checked_in")
	writes := []struct {
		name  string
		write func() error
	}{
		{"save endpoint", func() error { return s.SaveEndpoint(ctx, scope, ep, []core.EndpointSecret{{Secret: "whsec_x"}}) }},
		{"save connection", func() error { return s.SaveConnection(ctx, scope, conn, map[string]string{}) }},
		{"update endpoint", func() error {
			ep.EnabledEvents = []string{"payment.failed"}
			return s.SaveEndpoint(ctx, scope, ep, nil)
		}},
		{"delete connection", func() error { return s.DeleteConnection(ctx, scope, conn.ID) }},
		{"delete endpoint", func() error { return s.DeleteEndpoint(ctx, scope, ep.ID) }},
	}
	seen := map[string]bool{version(): true}
	for _, w := range writes {
		before := version()
		if err := w.write(); err != nil {
			t.Fatalf("%s: %v", w.name, err)
		}
		after := version()
		if seen[after] {
			t.Errorf("%s left the version at %s, one already seen", w.name, after)
		}
		seen[after] = true

		ev := &core.Event{ID: "evt_" + strings.ReplaceAll(w.name, " ", "_"), Type: "guest.checked_in", CreatedAt: time.Now().UTC()}
		if _, _, err := s.AppendEvent(ctx, scope, ev); err != nil {
			t.Fatal(err)
		}
		entries, err := s.ReadGroup(ctx, redisstore.DispatchGroup, "hub-1", []string{s.EventsStreamKey(scope)}, 1, 0)
		if err != nil || len(entries) != 1 {
			t.Fatalf("read the event: %v, %v", entries, err)
		}
		d := &core.Delivery{ID: "whd_" + ev.ID[4:], EventID: ev.ID, EventType: ev.Type, Target: core.Target{Kind: core.TargetEndpoint, ID: "whe_v"}}
		batch := []redisstore.EventDeliveries{{EntryID: entries[0].ID, Payload: []byte(`{}`), Deliveries: []*core.Delivery{d}}}
		if _, _, err := s.CreateDeliveryBatch(ctx, scope, s.EventsStreamKey(scope), batch, time.Hour, redisstore.Take{}, before); !errors.Is(err, redisstore.ErrStaleMatch) {
			t.Fatalf("%s: a dispatch matched before it = %v, want ErrStaleMatch", w.name, err)
		}
		if _, _, err := s.LoadDelivery(ctx, scope, d.ID); core.ErrorCode(err) != core.ENOTFOUND {
			t.Errorf("%s: a stale dispatch stored its delivery (%v)", w.name, err)
		}
		pending, err := s.Client().XPending(ctx, s.EventsStreamKey(scope), redisstore.DispatchGroup).Result()
		if err != nil || pending.Count != 1 {
			t.Fatalf("%s: pending events %+v, %v; want the stale dispatch's entry unacked", w.name, pending, err)
		}
		if n, _, err := s.CreateDeliveryBatch(ctx, scope, s.EventsStreamKey(scope), batch, time.Hour, redisstore.Take{}, after); err != nil || n != 1 {
			t.Fatalf("%s: a dispatch matched at the version now = %d, %v; want its delivery stored", w.name, n, err)
		}
	}
}
