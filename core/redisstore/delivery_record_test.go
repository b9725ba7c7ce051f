package redisstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/redis/go-redis/v9"
)

// TestEndedDeliveryRecord follows a delivery through both of its shapes: a
// hash with its payload while it is retried, then, once it ends, one string
// that still reads with every attempt, lists, and refuses another attempt.
func TestEndedDeliveryRecord(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	scope := newScope(t, s)
	d := &core.Delivery{ID: "whd_shape", EventID: "evt_shape", EventType: "guest.updated",
		Target: core.Target{Kind: core.TargetEndpoint, ID: "whe_shape"}, Replay: true}
	payload := []byte(`{"id":"evt_shape","type":"guest.updated","data":{"object":{"n":1}}}`)
	if _, err := s.CreateDeliveries(ctx, scope, []*core.Delivery{d}, payload, "", "", time.Hour); err != nil {
		t.Fatal(err)
	}
	key := r.Prefix + "{" + scope.AccountID + "}:test:dlv:whd_shape"
	if enc, err := r.Client.ObjectEncoding(ctx, key).Result(); err == nil && enc != "listpack" { // miniredis has no OBJECT
		t.Errorf("pending delivery hash encoding = %q, want listpack (the payload is kept apart)", enc)
	}
	attempt := func(n int, status string, code int) {
		t.Helper()
		d.AttemptCount = n - 1
		a := &core.Attempt{ID: "req_" + string(rune('a'+n)), Number: n, URL: "https://example.com",
			RequestHeaders: http.Header{"Webhook-Id": {"evt_shape"}}, ResponseStatus: code,
			Outcome: status, CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
		rec := redisstore.AttemptRecord{Attempt: a, Status: status, Counted: true, Succeeded: code == 200, Retention: 2 * time.Hour}
		if status == core.StatusPending {
			next := time.Now().Add(time.Minute)
			rec.NextAt = &next
		}
		if _, err := s.FinishAttempt(ctx, scope, d, rec); err != nil {
			t.Fatal(err)
		}
	}
	attempt(1, core.StatusPending, 503)
	if ttl := r.Client.PTTL(ctx, key+":p").Val(); ttl <= time.Hour {
		t.Errorf("payload TTL after a retry was scheduled = %s, want the retention renewed (2h) with the delivery's", ttl)
	}
	got, p, err := s.LoadDelivery(ctx, scope, d.ID)
	if err != nil || string(p) != string(payload) || got.Status != core.StatusPending || got.NextAttemptAt == nil {
		t.Fatalf("after a failed attempt: %+v, payload %q, %v", got, p, err)
	}
	attempt(2, core.StatusSucceeded, 200)

	if typ := r.Client.Type(ctx, key).Val(); typ != "string" {
		t.Fatalf("ended delivery is a %s, want the one-string record", typ)
	}
	if raw := r.Client.Get(ctx, key).Val(); raw == "" || raw[0] != redisstore.PackedForTest {
		t.Errorf("a retried delivery's ended record = %.40q, want it packed with its earlier attempt", raw)
	}
	if n := r.Client.Exists(ctx, key+":att", key+":p").Val(); n != 0 {
		t.Errorf("%d of the attempts list and payload are left after the delivery ended", n)
	}
	if ttl := r.Client.PTTL(ctx, key).Val(); ttl <= time.Hour || ttl > 2*time.Hour {
		t.Errorf("ended record TTL = %s, want the retention", ttl)
	}
	found, err := s.FindDelivery(ctx, scope, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if found.Status != core.StatusSucceeded || found.AttemptCount != 2 || len(found.Attempts) != 2 ||
		found.Attempts[0].ResponseStatus != 503 || found.Attempts[1].ResponseStatus != 200 ||
		found.Attempts[1].RequestHeaders.Get("Webhook-Id") != "evt_shape" || !found.Replay ||
		found.EventType != "guest.updated" || found.LastStatus != 200 || found.NextAttemptAt != nil {
		b, _ := json.Marshal(found)
		t.Fatalf("ended delivery read back as %s", b)
	}
	_, p, err = s.LoadDelivery(ctx, scope, d.ID)
	if err != nil || p != nil {
		t.Errorf("LoadDelivery of an ended delivery: payload %q, %v; want none", p, err)
	}
	list, err := s.ListDeliveries(ctx, scope, "whe_shape", core.DeliveryFilter{Status: core.StatusSucceeded})
	if err != nil || len(list.Data) != 1 || list.Data[0].ID != d.ID {
		t.Fatalf("ListDeliveries = %+v, %v", list.Data, err)
	}
	d.AttemptCount = 2
	if h, err := s.FinishAttempt(ctx, scope, d, redisstore.AttemptRecord{Attempt: &core.Attempt{}, Status: core.StatusFailed, Retention: time.Hour}); err != nil || !h.Stale {
		t.Errorf("an attempt on an ended delivery = %+v, %v; want Stale", h, err)
	}
	if _, err := s.ParkDelivery(ctx, scope, "", d, "disabled"); err != nil {
		t.Errorf("parking an ended delivery: %v", err)
	}
	if typ := r.Client.Type(ctx, key).Val(); typ != "string" {
		t.Errorf("parking turned the ended record into a %s", typ)
	}
}

// TestFirstAttemptRecordIsPacked: a delivery that its first attempt ends
// is stored packed (delivery_pack.go), in less than half the text's bytes,
// and reads back with everything the attempt recorded.
func TestFirstAttemptRecordIsPacked(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	scope := newScope(t, s)
	d := &core.Delivery{ID: "whd_packed", EventID: "evt_packed", EventType: "reservation.created",
		Target: core.Target{Kind: core.TargetEndpoint, ID: "whe_packed"}}
	if _, err := s.CreateDeliveries(ctx, scope, []*core.Delivery{d}, []byte(`{"id":"evt_packed"}`), "", "", time.Hour); err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC().Truncate(time.Millisecond)
	a := &core.Attempt{ID: "req_0123456789abcdef01234567", Number: 1, URL: "https://pms.example.com/hooks/bellhop",
		RequestHeaders: http.Header{"Webhook-Id": {"evt_packed"}, "Webhook-Signature": {"v1,W0IROW+lyugNax40uiM8HhnFR/p4V4205ReuWDMI76Q="},
			"Content-Type": {"application/json"}, "User-Agent": {"Bellhop/1.0"}},
		ResponseStatus: 200, ResponseHeaders: http.Header{"Date": {"Wed, 02 Dec 2026 12:04:58 GMT"}},
		ResponseBody: `{"received":true}`, LatencyMS: 12.5, Outcome: core.StatusSucceeded, CreatedAt: at}
	rec := redisstore.AttemptRecord{Attempt: a, Status: core.StatusSucceeded, Counted: true, Succeeded: true, Retention: time.Hour}
	if _, err := s.FinishAttempt(ctx, scope, d, rec); err != nil {
		t.Fatal(err)
	}
	raw := r.Client.Get(ctx, r.Prefix+"{"+scope.AccountID+"}:test:dlv:whd_packed").Val()
	if raw == "" || raw[0] != redisstore.PackedForTest || len(raw) > 300 {
		t.Fatalf("stored record = %q (%d bytes), want packed, under 300 bytes", raw, len(raw))
	}
	found, err := s.FindDelivery(ctx, scope, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := found.Attempts
	if found.Status != core.StatusSucceeded || found.EventType != "reservation.created" || len(got) != 1 ||
		got[0].ID != a.ID || got[0].URL != a.URL || got[0].ResponseBody != a.ResponseBody || got[0].LatencyMS != 12.5 ||
		got[0].RequestHeaders.Get("Webhook-Signature") != a.RequestHeaders.Get("Webhook-Signature") ||
		got[0].ResponseHeaders.Get("Date") != "Wed, 02 Dec 2026 12:04:58 GMT" || !got[0].CreatedAt.Equal(at) {
		b, _ := json.Marshal(found)
		t.Fatalf("packed delivery read back as %s", b)
	}
}

// TestDeliveryOfOlderVersion holds that a delivery stored by a release
// before the ended record (a hash holding its payload, attempts as the
// API's JSON) is still sent, attempted and read with all its attempts.
func TestDeliveryOfOlderVersion(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	scope := newScope(t, s)
	key := r.Prefix + "{" + scope.AccountID + "}:test:dlv:whd_old"
	payload := `{"id":"evt_old","type":"guest.updated","data":{"object":{"padding":"` + string(make([]byte, 80)) + `"}}}`
	r.Client.HSet(ctx, key, "id", "whd_old", "event_id", "evt_old", "event_type", "guest.updated", "kind", "webhook_endpoint",
		"target", "whe_old", "replay", "0", "backfill", "", "live", "0", "status", "pending", "attempts", "1",
		"created", "1796170000000", "updated", "1796170000000", "next_at", "", "reason", "", "last_status", "500", "payload", payload)
	old := `{"id":"req_old","number":1,"url":"https://example.com","request_headers":{"Webhook-Id":["evt_old"]},"response_status":500,"response_headers":null,"response_body":"","latency_ms":3,"error":"","outcome":"retry","next_retry_at":null,"created_at":"2026-12-02T00:06:40Z"}`
	r.Client.RPush(ctx, key+":att", old)
	d, p, err := s.LoadDelivery(ctx, scope, "whd_old")
	if err != nil || string(p) != payload || d.AttemptCount != 1 {
		t.Fatalf("LoadDelivery of a version 1 delivery: %+v, %q, %v", d, p, err)
	}
	rec := redisstore.AttemptRecord{Attempt: &core.Attempt{ID: "req_new", Number: 2, ResponseStatus: 200, Outcome: "succeeded", CreatedAt: time.Now().UTC().Truncate(time.Millisecond)},
		Status: core.StatusSucceeded, Counted: true, Succeeded: true, Retention: time.Hour}
	if _, err := s.FinishAttempt(ctx, scope, d, rec); err != nil {
		t.Fatal(err)
	}
	found, err := s.FindDelivery(ctx, scope, "whd_old")
	if err != nil || len(found.Attempts) != 2 || found.Attempts[0].ID != "req_old" ||
		found.Attempts[0].RequestHeaders.Get("Webhook-Id") != "evt_old" || found.Attempts[1].ID != "req_new" ||
		found.Status != core.StatusSucceeded {
		t.Fatalf("FindDelivery = %+v, %v", found, err)
	}
}

// TestEndedRecordsKeptByTheHour: a delivery that ends within the hour its
// id names is kept as a field of that hour's hash, which expires the
// retention after the hour ends, and reads, lists and stays ended (a
// second dispatch creates nothing) as a delivery in a key of its own does;
// one whose id names another hour keeps its own key, expiring the
// retention after it ended. A field of the release before (the id's hex
// digits, not their bytes) reads the same.
func TestEndedRecordsKeptByTheHour(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	scope := newScope(t, s)
	waitOutHourEnd(t)
	now := time.Now()
	target := core.Target{Kind: core.TargetEndpoint, ID: "whe_hour"}
	const retention = 2 * time.Hour
	end := func(id string) *core.Delivery {
		t.Helper()
		d := &core.Delivery{ID: id, EventID: "evt_" + id, EventType: "guest.updated", Target: target}
		if _, err := s.CreateDeliveries(ctx, scope, []*core.Delivery{d}, []byte(`{}`), "", "", time.Hour); err != nil {
			t.Fatal(err)
		}
		a := &core.Attempt{ID: "req_" + id, Number: 1, ResponseStatus: 200, Outcome: core.StatusSucceeded, CreatedAt: now.UTC().Truncate(time.Millisecond)}
		rec := redisstore.AttemptRecord{Attempt: a, Status: core.StatusSucceeded, Counted: true, Succeeded: true, Retention: retention}
		if _, err := s.FinishAttempt(ctx, scope, d, rec); err != nil {
			t.Fatal(err)
		}
		return d
	}
	hour := redisstore.DeliveryIDHour(now)
	inHour := end("whd_" + hour + "0123456789abcdef0123")
	earlier := end("whd_" + redisstore.DeliveryIDHour(now.Add(-time.Hour)) + "0123456789abcdef0123")

	scopeKey := r.Prefix + "{" + scope.AccountID + "}:test:"
	if n := r.Client.Exists(ctx, scopeKey+"dlv:"+inHour.ID).Val(); n != 0 {
		t.Errorf("the delivery ended in its hour kept a key of its own")
	}
	bucket := scopeKey + "dlv:h:" + hour
	const field = "\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23" // the bytes of the id's hex digits
	raw := r.Client.HGet(ctx, bucket, field).Val()
	if raw == "" || raw[0] != redisstore.PackedForTest {
		t.Errorf("the hour's hash holds %.20q for it, want its packed record", raw)
	}
	// The release before kept it under its hex digits: it reads, lists and
	// stays ended (below) as well.
	r.Client.HSet(ctx, bucket, "0123456789abcdef0123", raw)
	r.Client.HDel(ctx, bucket, field)
	hourEnd := now.Truncate(time.Hour).Add(time.Hour)
	if ttl := r.Client.PTTL(ctx, bucket).Val(); ttl < time.Until(hourEnd)+retention-time.Minute || ttl > time.Until(hourEnd)+retention+time.Second {
		t.Errorf("the hour's hash expires in %s, want the retention after the hour ends (%s)", ttl, time.Until(hourEnd)+retention)
	}
	own := scopeKey + "dlv:" + earlier.ID
	if typ := r.Client.Type(ctx, own).Val(); typ != "string" {
		t.Errorf("the delivery named after the hour before is a %s, want a key of its own", typ)
	}
	if ttl := r.Client.PTTL(ctx, own).Val(); ttl <= retention-time.Minute || ttl > retention {
		t.Errorf("its key expires in %s, want the retention", ttl)
	}

	for _, d := range []*core.Delivery{inHour, earlier} {
		found, err := s.FindDelivery(ctx, scope, d.ID)
		if err != nil || found.Status != core.StatusSucceeded || len(found.Attempts) != 1 || found.Attempts[0].ID != "req_"+d.ID {
			t.Errorf("FindDelivery(%s) = %+v, %v; want it succeeded with its attempt", d.ID, found, err)
		}
		again := &core.Delivery{ID: d.ID, EventID: d.EventID, EventType: d.EventType, Target: target}
		if n, err := s.CreateDeliveries(ctx, scope, []*core.Delivery{again}, []byte(`{}`), "", "", time.Hour); err != nil || n != 0 {
			t.Errorf("dispatching %s again created %d, %v; want nothing", d.ID, n, err)
		}
	}
	list, err := s.ListDeliveries(ctx, scope, target.ID, core.DeliveryFilter{})
	if err != nil || len(list.Data) != 2 || list.Data[0].Status != core.StatusSucceeded || list.Data[1].Status != core.StatusSucceeded {
		t.Fatalf("ListDeliveries = %+v, %v; want both, succeeded", list.Data, err)
	}
	if redisstore.DeliveryIDHour(time.Unix(0, 0)) != "0000" || redisstore.DeliveryIDHour(time.Unix(3600*63, 0)) != "0011" {
		t.Errorf("DeliveryIDHour names hour 0 %q and hour 63 %q, want 0000 and 0011",
			redisstore.DeliveryIDHour(time.Unix(0, 0)), redisstore.DeliveryIDHour(time.Unix(3600*63, 0)))
	}
}

// waitOutHourEnd waits past the turn of the hour when one is a few
// seconds away, so that what a test ends is in the hour it named.
func waitOutHourEnd(t *testing.T) {
	if left := time.Until(time.Now().Truncate(time.Hour).Add(time.Hour)); left < 5*time.Second {
		t.Logf("waiting %s for the next hour", left)
		time.Sleep(left + 10*time.Millisecond)
	}
}

// TestDeliveriesPerTargetCap holds that a target's log keeps at most the
// cap: a new delivery removes the oldest ended ones, never one that may
// still be attempted.
func TestDeliveriesPerTargetCap(t *testing.T) {
	ctx := context.Background()
	_, r := newStore(t)
	s := redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix, DeliveriesPerTarget: 2})
	scope := newScope(t, s)
	target := core.Target{Kind: core.TargetEndpoint, ID: "whe_cap"}
	waitOutHourEnd(t)
	hour := redisstore.DeliveryIDHour(time.Now())
	create := func(id string, end bool) {
		t.Helper()
		// Named after this hour, the ended ones are kept in its hash: the
		// cap drops them from there.
		d := &core.Delivery{ID: "whd_" + hour + id[4:], EventID: "evt_" + id, Target: target}
		if _, err := s.CreateDeliveries(ctx, scope, []*core.Delivery{d}, []byte(`{}`), "", "", time.Hour); err != nil {
			t.Fatal(err)
		}
		if end {
			rec := redisstore.AttemptRecord{Attempt: &core.Attempt{Number: 1, ResponseStatus: 200}, Status: core.StatusSucceeded, Counted: true, Succeeded: true, Retention: time.Hour}
			if _, err := s.FinishAttempt(ctx, scope, d, rec); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(2 * time.Millisecond) // distinct creation times: the index orders by them
	}
	create("whd_c1", false) // pending: kept whatever the cap
	create("whd_c2", true)
	create("whd_c3", true)
	create("whd_c4", true)
	create("whd_c5", true)
	for id, want := range map[string]bool{"whd_c1": true, "whd_c2": false, "whd_c3": false, "whd_c4": true, "whd_c5": true} {
		_, err := s.FindDelivery(ctx, scope, "whd_"+hour+id[4:])
		if got := err == nil; got != want {
			t.Errorf("%s kept = %v (%v), want %v", id, got, err, want)
		}
	}
	list, err := s.ListDeliveries(ctx, scope, target.ID, core.DeliveryFilter{})
	if err != nil || len(list.Data) != 3 {
		t.Fatalf("ListDeliveries = %d deliveries, %v; want the pending one and the newest two", len(list.Data), err)
	}
}

// TestEventDeliveriesFollowItsIndex holds that an event's deliveries are
// kept after its index's entry id, listed newest first and paged, with
// those an earlier release kept in a sorted set listed after them, while
// the index still finds, dedupes and pages the event itself.
func TestEventDeliveriesFollowItsIndex(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	scope := newScope(t, s)
	ev := &core.Event{ID: "evt_idx", Type: "guest.updated"}
	if _, _, err := s.AppendEvent(ctx, scope, ev); err != nil {
		t.Fatal(err)
	}
	for i, target := range []string{"whe_a", "whe_b", "whe_c"} {
		d := &core.Delivery{ID: "whd_idx" + string(rune('0'+i)), EventID: ev.ID, Target: core.Target{Kind: core.TargetEndpoint, ID: target}}
		if _, err := s.CreateDeliveries(ctx, scope, []*core.Delivery{d}, []byte(`{}`), "", "", time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	// A delivery an earlier release listed in the event's sorted set.
	r.Client.ZAdd(ctx, r.Prefix+"{"+scope.AccountID+"}:test:evt:evt_idx:dlv", redis.Z{Score: 1, Member: "whd_old"})
	r.Client.HSet(ctx, r.Prefix+"{"+scope.AccountID+"}:test:dlv:whd_old", "id", "whd_old", "event_id", ev.ID, "status", "succeeded")

	ids := func(p core.Page) (string, bool) {
		t.Helper()
		l, err := s.ListEventDeliveries(ctx, scope, ev.ID, p)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(deliveryIDs(l.Data), ","), l.HasMore
	}
	if got, more := ids(core.Page{}); got != "whd_idx2,whd_idx1,whd_idx0,whd_old" || more {
		t.Errorf("deliveries = %s (more %v), want newest first, the earlier release's last", got, more)
	}
	if got, more := ids(core.Page{Limit: 2, StartingAfter: "whd_idx2"}); got != "whd_idx1,whd_idx0" || !more {
		t.Errorf("after whd_idx2 = %s (more %v)", got, more)
	}
	if got, more := ids(core.Page{Limit: 1, EndingBefore: "whd_idx0"}); got != "whd_idx1" || !more {
		t.Errorf("before whd_idx0 = %s (more %v)", got, more)
	}
	if _, err := s.ListEventDeliveries(ctx, scope, ev.ID, core.Page{StartingAfter: "whd_nope"}); core.ErrorCode(err) != core.EINVALID {
		t.Errorf("unknown cursor: %v, want EINVALID", err)
	}

	if got, err := s.FindEvent(ctx, scope, ev.ID); err != nil || got.ID != ev.ID {
		t.Errorf("FindEvent after deliveries joined its index = %+v, %v", got, err)
	}
	if _, created, err := s.AppendEvent(ctx, scope, &core.Event{ID: ev.ID, Type: "other"}); err != nil || created {
		t.Errorf("publishing the id again: created %v, %v; want the stored event", created, err)
	}
	if _, _, err := s.AppendEvent(ctx, scope, &core.Event{ID: "evt_idx_next", Type: "guest.updated"}); err != nil {
		t.Fatal(err)
	}
	page, err := s.ListEvents(ctx, scope, core.EventFilter{Page: core.Page{EndingBefore: ev.ID}})
	if err != nil || len(page.Data) != 1 || page.Data[0].ID != "evt_idx_next" {
		t.Errorf("events before %s = %+v, %v", ev.ID, page.Data, err)
	}
}

// TestMatchSkipsVanishedSubscribers holds that matching an event type reads
// the subscribers of the type and of "*" in one go and leaves out an id
// whose record is gone (deleted between the listing and the read).
func TestMatchSkipsVanishedSubscribers(t *testing.T) {
	ctx := context.Background()
	s, r := newSealedStore(t)
	scope := newScope(t, s)
	typed, all := newEndpoint("whe_typed", nil), newEndpoint("whe_all", nil)
	typed.EnabledEvents = []string{"guest.updated"}
	for _, ep := range []*core.Endpoint{typed, all} {
		if err := s.SaveEndpoint(ctx, scope, ep, []core.EndpointSecret{{Secret: "whsec_x"}}); err != nil {
			t.Fatal(err)
		}
	}
	tag := r.Prefix + "{" + scope.AccountID + "}:test:"
	r.Client.SAdd(ctx, tag+"eps:type:guest.updated", "whe_vanished")
	got, err := s.MatchEndpoints(ctx, scope, "guest.updated")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, ep := range got {
		ids = append(ids, ep.ID)
	}
	slices.Sort(ids)
	want := []string{typed.ID, all.ID}
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Errorf("matched %v, want %v (the vanished id left out)", ids, want)
	}
}

// TestParkChecksTheTargetIsStillDisabled: a worker reads a target as
// disabled, the target is enabled (saved, then its parked deliveries
// released), and only then does the worker park: the delivery must go back
// on the stream instead of waiting, parked, for an enable that has passed.
func TestParkChecksTheTargetIsStillDisabled(t *testing.T) {
	ctx := context.Background()
	s, r := newSealedStore(t)
	scope := newScope(t, s)
	url := "https://example.com/hooks"
	for _, disabled := range []bool{true, false} {
		ep := &core.Endpoint{ID: fmt.Sprintf("whe_park_%v", disabled), URL: url, EnabledEvents: []string{"*"}, Disabled: disabled}
		if err := s.SaveEndpoint(ctx, scope, ep, []core.EndpointSecret{{Secret: "whsec_x"}}); err != nil {
			t.Fatal(err)
		}
		d := &core.Delivery{ID: fmt.Sprintf("whd_park_%v", disabled), EventID: "evt_park", EventType: "guest.updated",
			Target: core.Target{Kind: core.TargetEndpoint, ID: ep.ID}}
		if _, err := s.CreateDeliveries(ctx, scope, []*core.Delivery{d}, []byte(`{"id":"evt_park"}`), "", "", time.Hour); err != nil {
			t.Fatal(err)
		}
		before := r.Client.XLen(ctx, s.DeliveriesStreamKey(scope)).Val()
		parked, err := s.ParkDelivery(ctx, scope, "", d, "target disabled")
		if err != nil {
			t.Fatal(err)
		}
		found, err := s.FindDelivery(ctx, scope, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		after := r.Client.XLen(ctx, s.DeliveriesStreamKey(scope)).Val()
		if disabled && (!parked || found.Status != core.StatusParked || after != before) {
			t.Errorf("disabled target: parked %v, status %s, stream %d → %d; want parked and nothing queued", parked, found.Status, before, after)
		}
		if !disabled && (parked || found.Status != core.StatusPending || after != before+1) {
			t.Errorf("enabled target: parked %v, status %s, stream %d → %d; want it queued again, pending", parked, found.Status, before, after)
		}
	}
}
