package redisstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
)

// TestScopeOverview checks the figures the console's home and event pages
// read across targets: attempts per minute, the newest failures (without
// those that succeeded since) and an event's deliveries to every target.
func TestScopeOverview(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	scope := newScope(t, s)
	ep := core.Target{Kind: core.TargetEndpoint, ID: "whe_a"}
	conn := core.Target{Kind: core.TargetConnection, ID: "conn_b"}
	var ds []*core.Delivery
	for i, tg := range []core.Target{ep, conn, ep} {
		d := &core.Delivery{ID: fmt.Sprintf("whd_ov%d", i), EventID: "evt_shared", EventType: "reservation.created", Target: tg}
		if i == 2 {
			d.EventID = "evt_other"
		}
		if _, err := s.CreateDeliveries(ctx, scope, []*core.Delivery{d}, []byte(`{}`), "", "", time.Hour); err != nil {
			t.Fatalf("CreateDeliveries: %v", err)
		}
		ds = append(ds, d)
		time.Sleep(2 * time.Millisecond) // distinct creation times
	}
	finish := func(d *core.Delivery, status string, ok bool) {
		t.Helper()
		_, err := s.FinishAttempt(ctx, scope, d, redisstore.AttemptRecord{Attempt: &core.Attempt{Number: d.AttemptCount + 1},
			Status: status, Counted: true, Succeeded: ok, FailCode: "500", Retention: time.Hour})
		if err != nil {
			t.Fatalf("FinishAttempt: %v", err)
		}
		d.AttemptCount++
		time.Sleep(2 * time.Millisecond)
	}
	finish(ds[0], core.StatusPending, false) // retrying
	finish(ds[1], core.StatusFailed, false)  // failed for good
	finish(ds[2], core.StatusPending, false) // failed, then…
	finish(ds[2], core.StatusSucceeded, true)

	counts, err := s.RecentAttempts(ctx, scope, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != 60 {
		t.Fatalf("%d minutes, want 60", len(counts))
	}
	var total, ok, failed int
	for _, c := range counts {
		total, ok, failed = total+c.Total, ok+c.Succeeded, failed+c.Failed
	}
	if total != 4 || ok != 1 || failed != 3 {
		t.Errorf("last hour: %d attempts, %d ok, %d failed; want 4, 1, 3", total, ok, failed)
	}
	if last := counts[59].Start; time.Since(last) > time.Minute || time.Since(last) < 0 {
		t.Errorf("last bucket starts %v, want the current minute", last)
	}

	perTarget, err := s.TargetsLastHour(ctx, scope, []string{ep.ID, conn.ID, "whe_none"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string][3]int{ep.ID: {3, 1, 2}, conn.ID: {1, 0, 1}, "whe_none": {0, 0, 0}} {
		if c := perTarget[id]; c.Total != want[0] || c.Succeeded != want[1] || c.Failed != want[2] {
			t.Errorf("%s last hour = %+v, want total/ok/failed %v", id, c, want)
		}
	}

	failures, err := s.NewestFailedDeliveries(ctx, scope, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := deliveryIDs(failures); fmt.Sprint(got) != "[whd_ov1 whd_ov0]" {
		t.Errorf("failures = %v, want [whd_ov1 whd_ov0] (newest failure first, the one that succeeded since left out)", got)
	}
	if one, _ := s.NewestFailedDeliveries(ctx, scope, 1); len(one) != 1 || one[0].ID != "whd_ov1" {
		t.Errorf("limit 1 = %v", deliveryIDs(one))
	}

	list, err := s.ListEventDeliveries(ctx, scope, "evt_shared", core.Page{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if got := deliveryIDs(list.Data); fmt.Sprint(got) != "[whd_ov1 whd_ov0]" || list.HasMore {
		t.Errorf("evt_shared deliveries = %v (more %v), want [whd_ov1 whd_ov0], both targets", got, list.HasMore)
	}
	if list.Data[0].Target != conn || list.Data[0].Status != core.StatusFailed {
		t.Errorf("first = %+v, want the connection's failed delivery", list.Data[0])
	}
	page, err := s.ListEventDeliveries(ctx, scope, "evt_shared", core.Page{Limit: 1})
	if err != nil || len(page.Data) != 1 || !page.HasMore {
		t.Fatalf("limit 1: %v more %v, %v", deliveryIDs(page.Data), page.HasMore, err)
	}
	next, err := s.ListEventDeliveries(ctx, scope, "evt_shared", core.Page{Limit: 1, StartingAfter: page.Data[0].ID})
	if err != nil || fmt.Sprint(deliveryIDs(next.Data)) != "[whd_ov0]" || next.HasMore {
		t.Errorf("second page = %v more %v, %v", deliveryIDs(next.Data), next.HasMore, err)
	}
	none, err := s.ListEventDeliveries(ctx, scope, "evt_unknown", core.Page{})
	if err != nil || len(none.Data) != 0 {
		t.Errorf("unknown event: %v, %v", deliveryIDs(none.Data), err)
	}
	other := core.Scope{AccountID: scope.AccountID, Livemode: true}
	if l, _ := s.ListEventDeliveries(ctx, other, "evt_shared", core.Page{}); len(l.Data) != 0 {
		t.Errorf("live mode sees test deliveries: %v", deliveryIDs(l.Data))
	}
}

func deliveryIDs(ds []*core.Delivery) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}
