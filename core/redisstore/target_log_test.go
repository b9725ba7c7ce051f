package redisstore_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/redis/go-redis/v9"
)

// TestTargetLogPages holds that a target's deliveries are listed newest
// first and paged through its log and then through the sorted set a
// release before the log kept, with cursors in either, and that the
// created filters bound both.
func TestTargetLogPages(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	scope := newScope(t, s)
	target := core.Target{Kind: core.TargetEndpoint, ID: "whe_log"}
	logKey := r.Prefix + "{" + scope.AccountID + "}:test:t:whe_log:log"
	legacyKey := r.Prefix + "{" + scope.AccountID + "}:test:t:whe_log:dlv"
	// The older three have ids of no form the log shortens; the newer three
	// are the engine's, which it keeps as 14-byte refs.
	hour := redisstore.DeliveryIDHour(time.Now())
	l4, l5, l6 := "whd_"+hour+"00000000000000000004", "whd_"+hour+"00000000000000000005", "whd_"+hour+"00000000000000000006"
	create := func(id string) {
		t.Helper()
		d := &core.Delivery{ID: id, EventID: "evt_" + id, Target: target}
		if _, err := s.CreateDeliveries(ctx, scope, []*core.Delivery{d}, []byte(`{}`), "", "", time.Hour); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond) // distinct creation times
	}
	for _, id := range []string{"whd_l1", "whd_l2", "whd_l3"} {
		create(id)
	}
	// Move them to the sorted set an earlier release wrote, as it would
	// have left them: ids scored by creation ms.
	entries, err := r.Client.XRange(ctx, logKey, "-", "+").Result()
	if err != nil || len(entries) != 3 {
		t.Fatalf("the log after three deliveries: %v, %v", entries, err)
	}
	created := map[string]time.Time{}
	for _, en := range entries {
		id := en.Values["d"].(string)
		d, err := s.FindDelivery(ctx, scope, id)
		if err != nil {
			t.Fatal(err)
		}
		created[id] = d.CreatedAt
		if err := r.Client.ZAdd(ctx, legacyKey, redis.Z{Score: float64(d.CreatedAt.UnixMilli()), Member: id}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	r.Client.Del(ctx, logKey)
	for _, id := range []string{l4, l5, l6} {
		create(id)
	}
	if refs, _ := r.Client.XRange(ctx, logKey, "-", "+").Result(); len(refs) != 3 || len(refs[0].Values["d"].(string)) != 14 {
		t.Fatalf("the log holds %v, want three 14-byte refs", refs)
	}

	page := func(f core.DeliveryFilter) ([]string, bool) {
		t.Helper()
		l, err := s.ListDeliveries(ctx, scope, target.ID, f)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, d := range l.Data {
			ids = append(ids, d.ID)
		}
		return ids, l.HasMore
	}
	var all []string
	after := ""
	for range 4 {
		ids, more := page(core.DeliveryFilter{Page: core.Page{Limit: 2, StartingAfter: after}})
		all = append(all, ids...)
		if !more {
			break
		}
		after = ids[len(ids)-1]
	}
	if want := []string{l6, l5, l4, "whd_l3", "whd_l2", "whd_l1"}; !slices.Equal(all, want) {
		t.Fatalf("pages of 2 = %v, want %v", all, want)
	}
	if ids, more := page(core.DeliveryFilter{Page: core.Page{Limit: 1, StartingAfter: l4}}); !slices.Equal(ids, []string{"whd_l3"}) || !more {
		t.Errorf("after the log's oldest = %v (more %v), want the newest of the older set", ids, more)
	}
	if ids, _ := page(core.DeliveryFilter{Page: core.Page{StartingAfter: "whd_nope"}}); len(ids) != 0 {
		t.Errorf("after an unknown delivery = %v, want nothing", ids)
	}
	lte, gte := created["whd_l2"], created["whd_l2"]
	if ids, _ := page(core.DeliveryFilter{CreatedLTE: &lte, CreatedGTE: &gte}); !slices.Equal(ids, []string{"whd_l2"}) {
		t.Errorf("created at whd_l2's time = %v, want it alone", ids)
	}
	d5, err := s.FindDelivery(ctx, scope, l5)
	if err != nil {
		t.Fatal(err)
	}
	gte = d5.CreatedAt
	if ids, _ := page(core.DeliveryFilter{CreatedGTE: &gte}); !slices.Equal(ids, []string{l6, l5}) {
		t.Errorf("created from whd_l5's time = %v, want whd_l6, whd_l5", ids)
	}
	lte = d5.CreatedAt
	if ids, _ := page(core.DeliveryFilter{CreatedLTE: &lte, Page: core.Page{StartingAfter: l6}}); !slices.Equal(ids, []string{l5, l4, "whd_l3", "whd_l2", "whd_l1"}) {
		t.Errorf("created up to whd_l5's time after whd_l6 = %v", ids)
	}
}

// TestTargetLogTakesALaterClock holds that a delivery created by a hub
// whose clock is behind the log's last entries (another hub's, 30 s ahead,
// a hundred of them) is still logged, at Redis's next id, listed first and
// found by its cursor past those entries.
func TestTargetLogTakesALaterClock(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	scope := newScope(t, s)
	target := core.Target{Kind: core.TargetEndpoint, ID: "whe_skew"}
	logKey := r.Prefix + "{" + scope.AccountID + "}:test:t:whe_skew:log"
	ahead := strconv.FormatInt(time.Now().Add(30*time.Second).UnixMilli(), 10)
	for i := range 100 {
		id := ahead + "-" + strconv.Itoa(i)
		if err := r.Client.XAdd(ctx, &redis.XAddArgs{Stream: logKey, ID: id, Values: []any{"d", "whd_ahead" + strconv.Itoa(i)}}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"whd_s1", "whd_s2"} {
		d := &core.Delivery{ID: id, EventID: "evt_" + id, Target: target}
		if _, err := s.CreateDeliveries(ctx, scope, []*core.Delivery{d}, []byte(`{}`), "", "", time.Hour); err != nil {
			t.Fatalf("create %s behind the log's clock: %v", id, err)
		}
	}
	if n := r.Client.XLen(ctx, logKey).Val(); n != 102 {
		t.Fatalf("log length = %d, want 102", n)
	}
	l, err := s.ListDeliveries(ctx, scope, target.ID, core.DeliveryFilter{Page: core.Page{Limit: 1}})
	if err != nil || len(l.Data) != 1 || l.Data[0].ID != "whd_s2" || !l.HasMore {
		t.Fatalf("first page = %+v, %v; want whd_s2 and more", l, err)
	}
	l, err = s.ListDeliveries(ctx, scope, target.ID, core.DeliveryFilter{Page: core.Page{StartingAfter: "whd_s2"}})
	if err != nil || len(l.Data) != 1 || l.Data[0].ID != "whd_s1" {
		t.Fatalf("after whd_s2 = %+v, %v; want whd_s1", l, err)
	}
	// Logged 30 s after they were made: a window that starts after their
	// creation holds their entries but not them.
	later := time.Now().Add(time.Second)
	l, err = s.ListDeliveries(ctx, scope, target.ID, core.DeliveryFilter{CreatedGTE: &later})
	if err != nil || len(l.Data) != 0 {
		t.Fatalf("created from a second on = %+v, %v; want none", l.Data, err)
	}
}

// TestTargetLogKeepsRetriedDeliveries holds that a target's log keeps a
// delivery past the retention for as long as its target may retry it
// (core.Delivery.RetryWindow): a log trimmed to the retention alone drops
// deliveries still being retried, and never lists those that then fail for
// good. A target without a window is trimmed to the retention, as before.
func TestTargetLogKeepsRetriedDeliveries(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	scope := newScope(t, s)
	const retention = 40 * time.Millisecond
	logKey := func(target string) string { return r.Prefix + "{" + scope.AccountID + "}:test:t:" + target + ":log" }
	create := func(target string, window time.Duration, n int) {
		t.Helper()
		ds := make([]*core.Delivery, n)
		for i := range ds {
			id := "whd_" + target + "_" + strconv.Itoa(i) + "_" + strconv.FormatInt(time.Now().UnixNano(), 36)
			ds[i] = &core.Delivery{ID: id, EventID: "evt_" + id, Target: core.Target{Kind: core.TargetEndpoint, ID: target}, RetryWindow: window}
		}
		if _, err := s.CreateDeliveries(ctx, scope, ds, []byte(`{}`), "", "", retention); err != nil {
			t.Fatal(err)
		}
	}
	// 150 deliveries fill more than one stream node (100 entries), so that
	// even Redis's approximate trim drops the first node once it is old.
	create("whe_retried", time.Hour, 150)
	create("whe_plain", 0, 150)
	time.Sleep(3 * retention)
	create("whe_retried", time.Hour, 1) // each write trims its target's log
	create("whe_plain", 0, 1)

	if n := r.Client.XLen(ctx, logKey("whe_retried")).Val(); n != 151 {
		t.Errorf("the log of a target that retries for an hour holds %d deliveries after the retention, want all 151", n)
	}
	if ttl := r.Client.PTTL(ctx, logKey("whe_retried")).Val(); ttl <= retention {
		t.Errorf("that log expires in %v, want more than the retention (%v)", ttl, retention)
	}
	if n := r.Client.XLen(ctx, logKey("whe_plain")).Val(); n > 51 {
		t.Errorf("the log of a target without a retry window holds %d deliveries after the retention, want the old ones trimmed (at most 51)", n)
	}
}
