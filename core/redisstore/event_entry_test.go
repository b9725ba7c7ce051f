package redisstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/redistest"
	"github.com/redis/go-redis/v9"
)

// TestEventEntryRebuildsTheEnvelope: an event stored in parts reads back
// as the same event, and its envelope as the very bytes the publish
// answered (AppendJSON), whatever it holds: live mode, another API
// version, a time that is not a whole UTC second, an empty object, text
// JSON escapes.
func TestEventEntryRebuildsTheEnvelope(t *testing.T) {
	ctx := context.Background()
	r := redistest.New(t)
	s := redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix})
	paris := time.FixedZone("CET", 3600)
	base := time.Date(2026, 12, 2, 14, 0, 0, 0, time.UTC)
	events := []*core.Event{
		{ID: "evt_plain", Type: "reservation.created", CreatedAt: base, APIVersion: core.APIVersion, PropertyID: "prop_1",
			Data: core.EventData{Object: json.RawMessage(`{"id":"res_1","total":"389.00 EUR"}`)}},
		{ID: "evt_live", Type: "guest.checked_in", CreatedAt: base, APIVersion: core.APIVersion, Livemode: true, PropertyID: "prop_2",
			Data: core.EventData{Object: json.RawMessage(`{"n":1}`)}},
		{ID: "evt_other_version", Type: "t", CreatedAt: base, APIVersion: "2031-01-01", Data: core.EventData{Object: json.RawMessage(`[]`)}},
		{ID: "evt_fraction", Type: "t", CreatedAt: base.Add(1500 * time.Millisecond), APIVersion: core.APIVersion, Data: core.EventData{Object: json.RawMessage(`1`)}},
		{ID: "evt_zone", Type: "t", CreatedAt: base.In(paris), APIVersion: core.APIVersion, Data: core.EventData{Object: json.RawMessage(`{}`)}},
		{ID: "evt_empty", Type: "t", CreatedAt: base, APIVersion: core.APIVersion},
		{ID: "evt_escapes", Type: "spa.treatment_booked", CreatedAt: base, APIVersion: core.APIVersion, PropertyID: `prop "ü" <b>`,
			Data: core.EventData{Object: json.RawMessage(`{"a":"\u003cx\u003e \"q\" é"}`)}},
		{ID: "pms_42", Type: "t", CreatedAt: base, APIVersion: core.APIVersion}, // no evt_: stored whole
		{ID: "evt_evt_twice", Type: "t", CreatedAt: base, APIVersion: core.APIVersion},
	}
	for _, ev := range events {
		scope := core.Scope{AccountID: "acct_entry", Livemode: ev.Livemode}
		if _, created, err := s.AppendEvent(ctx, scope, ev); err != nil || !created {
			t.Fatalf("append %s = %v, %v", ev.ID, created, err)
		}
		want := ev.AppendJSON(nil)
		msgs, err := r.Client.XRevRangeN(ctx, s.EventsStreamKey(scope), "+", "-", 1).Result()
		if err != nil || len(msgs) != 1 {
			t.Fatalf("read %s back: %v, %v", ev.ID, msgs, err)
		}
		if _, ok := msgs[0].Values["event"]; ok {
			t.Errorf("%s: stored as envelope JSON, want in parts", ev.ID)
		}
		short, whole := msgs[0].Values["i"], msgs[0].Values["id"]
		if strings.HasPrefix(ev.ID, "evt_") && (short != ev.ID[4:] || whole != nil) || !strings.HasPrefix(ev.ID, "evt_") && (whole != ev.ID || short != nil) {
			t.Errorf("%s: stored i %v, id %v; want an evt_ id after its evt_ as i, any other whole as id", ev.ID, short, whole)
		}
		got, payload, err := redisstore.EventOfEntry(msgs[0].Values)
		if err != nil {
			t.Fatalf("%s: %v", ev.ID, err)
		}
		if !bytes.Equal(payload, want) || !bytes.Equal(got.AppendJSON(nil), want) {
			t.Errorf("%s: envelope\n%s\nwant\n%s", ev.ID, payload, want)
		}
		found, err := s.FindEvent(ctx, scope, ev.ID)
		if err != nil || !bytes.Equal(found.AppendJSON(nil), want) {
			t.Errorf("FindEvent(%s) = %v, %v", ev.ID, found, err)
		}
		again, created, err := s.AppendEvent(ctx, scope, ev) // the duplicate answer rebuilds it too
		if err != nil || created || !bytes.Equal(again.AppendJSON(nil), want) {
			t.Errorf("append %s again = %v, %v, %v", ev.ID, again, created, err)
		}
	}
}

// TestEventEntryOfEarlierReleases: entries holding the envelope JSON, as
// every release before this layout wrote them, are still read, found and
// deduplicated, and their envelope is the stored bytes.
func TestEventEntryOfEarlierReleases(t *testing.T) {
	ctx := context.Background()
	r := redistest.New(t)
	s := redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix})
	scope := core.Scope{AccountID: "acct_old"}
	envelope := `{"id":"evt_old","type":"guest.updated","created_at":"2026-11-30T10:00:00Z","api_version":"2026-01-15","livemode":false,"property_id":"prop_1","data":{"object":{"n":1}}}`
	sid, err := r.Client.XAdd(ctx, &redis.XAddArgs{Stream: s.EventsStreamKey(scope), Values: []any{"type", "guest.updated", "event", envelope, "fp", "00112233445566778899aabbccddeeff"}}).Result()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Client.Set(ctx, s.EventIndexKeyForTest(scope, "evt_old"), sid, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	// A hub of today starts on the store: it marks the scopes it holds.
	r.Client.SAdd(ctx, r.Prefix+"scopes", scope.AccountID+":"+scope.Mode())
	if err := s.MarkLegacyEventIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	msgs, _ := r.Client.XRange(ctx, s.EventsStreamKey(scope), "-", "+").Result()
	ev, payload, err := redisstore.EventOfEntry(msgs[0].Values)
	if err != nil || string(payload) != envelope || ev.ID != "evt_old" || ev.PropertyID != "prop_1" {
		t.Fatalf("EventOfEntry = %+v, %s, %v", ev, payload, err)
	}
	found, err := s.FindEvent(ctx, scope, "evt_old")
	if err != nil || string(found.AppendJSON(nil)) != envelope {
		t.Fatalf("FindEvent = %v, %v", found, err)
	}
	dup := *found
	if _, created, err := s.AppendEvent(ctx, scope, &dup); err != nil || created {
		t.Fatalf("append the old id again = created %v, %v; want it found", created, err)
	}
}

// TestOlderDispatchers names the dispatchers without this layout's tag that
// were handed events lately, and no other: not this layout's, not one quiet
// for longer than asked, not a scope without a stream.
func TestOlderDispatchers(t *testing.T) {
	ctx := context.Background()
	r := redistest.New(t)
	if !r.Real {
		t.Skip("the embedded Redis keeps no idle time for a consumer that reads")
	}
	s := redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix})
	busy, empty := core.Scope{AccountID: "acct_busy"}, core.Scope{AccountID: "acct_empty"}
	if err := s.EnsureGroups(ctx, s.EventsStreamKey, []core.Scope{busy}); err != nil {
		t.Fatal(err)
	}
	stream := s.EventsStreamKey(busy)
	for _, consumer := range []string{"oldhost-1-aaaaaa", "e2host-1-cccccc+e2", "e3host-1-dddddd+e3", "e4host-1-eeeeee+e4", "newhost-1-bbbbbb" + redisstore.LayoutTag} {
		r.Client.XAdd(ctx, &redis.XAddArgs{Stream: stream, Values: []any{"type", "t"}})
		if err := r.Client.XReadGroup(ctx, &redis.XReadGroupArgs{Group: redisstore.DispatchGroup, Consumer: consumer, Streams: []string{stream, ">"}, Count: 1}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	older, err := s.OlderDispatchers(ctx, []core.Scope{busy, empty}, time.Minute)
	slices.Sort(older)
	if want := []string{"e2host-1-cccccc+e2", "e3host-1-dddddd+e3", "e4host-1-eeeeee+e4", "oldhost-1-aaaaaa"}; err != nil || !slices.Equal(older, want) {
		t.Errorf("OlderDispatchers = %v, %v; want %v: the untagged consumer and those of the layouts before", older, err, want)
	}
	if older, err := s.OlderDispatchers(ctx, []core.Scope{busy}, 0); err != nil || len(older) != 0 {
		t.Errorf("OlderDispatchers within 0 = %v, %v; want none", older, err)
	}
}
