package delivery

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/signature"
)

func TestRotationSignsWithBothSecrets(t *testing.T) {
	h := newHarness(t)
	e := h.start(h.options())
	rc := newReceiver(t, nil)
	ep, oldSecret := h.endpoint(e, rc.URL, nil)
	before := time.Now()
	_, rotated, err := eps(e).RotateSecret(context.Background(), h.scope, ep.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	newSecret := rotated.Secret
	if newSecret == oldSecret || !strings.HasPrefix(newSecret, core.SecretPrefix) {
		t.Fatalf("rotation gave %q", newSecret)
	}
	// The old secret signs for the default grace, and the rotation says until when.
	grace := e.opts.RotationGrace
	if exp := rotated.PreviousExpiresAt; exp == nil || exp.Before(before.Add(grace-time.Second)) || exp.After(time.Now().Add(grace)) {
		t.Errorf("previous secret expires at %v, want %v from the rotation", exp, grace)
	}
	h.publish(h.scope, "reservation.created", 0)
	eventually(t, "a delivery", func() bool { return rc.count() == 1 })
	got := rc.received()[0]
	header := got.header.Get("Bellhop-Signature")
	if n := strings.Count(header, "v1="); n != 2 {
		t.Errorf("signature header %q has %d v1= parts, want 2", header, n)
	}
	for name, secret := range map[string]string{"old": oldSecret, "new": newSecret} {
		if err := signature.Verify(secret, header, got.body, 5*time.Minute); err != nil {
			t.Errorf("%s secret does not verify: %v", name, err)
		}
	}
	// Once the grace period ends, only the new secret signs.
	if _, _, err := eps(e).RotateSecret(context.Background(), h.scope, ep.ID, time.Nanosecond); err != nil {
		t.Fatal(err)
	}
	secrets, err := h.store.EndpointSecrets(context.Background(), h.scope, ep.ID, time.Now().Add(time.Second))
	if err != nil || len(secrets) != 1 {
		t.Errorf("after the grace period %d secrets sign (err %v), want 1", len(secrets), err)
	}
}

func TestReplayKeepsEventID(t *testing.T) {
	h := newHarness(t)
	e := h.start(h.options())
	rc := newReceiver(t, nil)
	ep, _ := h.endpoint(e, rc.URL, nil)
	ev := h.publish(h.scope, "reservation.created", 0)
	eventually(t, "the first delivery", func() bool { return rc.count() == 1 })
	rp, err := e.ReplayEvent(context.Background(), h.scope, core.Target{Kind: core.TargetEndpoint, ID: ep.ID}, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !rp.Replayed || rp.EventID != ev.ID || rp.Status != "queued" || !strings.HasPrefix(rp.DeliveryID, "whd_") {
		t.Errorf("replay answered %+v", rp)
	}
	eventually(t, "the replayed delivery", func() bool { return rc.count() == 2 })
	if a, b := rc.received()[0], rc.received()[1]; a.event.ID != b.event.ID || a.header.Get("Bellhop-Request-Id") == b.header.Get("Bellhop-Request-Id") {
		t.Errorf("replay: event ids %s/%s (want equal), request ids equal", a.event.ID, b.event.ID)
	}
	if _, err := e.ReplayEvent(context.Background(), h.scope, core.Target{Kind: core.TargetEndpoint, ID: ep.ID}, "evt_missing"); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("replaying an unknown event: %v, want ENOTFOUND", err)
	}
}

func TestBackfillInOriginalOrder(t *testing.T) {
	h := newHarness(t)
	opts := h.options()
	e := h.start(opts)
	since := time.Now().Add(-time.Minute)
	var want []string
	for i := range 12 {
		typ := "reservation.created"
		if i%3 == 2 {
			typ = "payment.failed" // filtered out
		}
		ev := h.publish(h.scope, typ, i)
		if typ == "reservation.created" {
			want = append(want, ev.ID)
		}
	}
	rc := newReceiver(t, nil)
	rate := 50
	// Subscribed to another type, so that the live dispatch, which may
	// still be catching up, sends it nothing: only the backfill does.
	ep, _ := h.endpoint(e, rc.URL, func(in *core.EndpointInput) {
		in.RateLimit, in.EnabledEvents = &rate, []string{"guest.created"}
	})
	b, err := e.StartBackfill(context.Background(), h.scope, core.Target{Kind: core.TargetEndpoint, ID: ep.ID}, core.BackfillInput{Since: since, Until: time.Now().Add(time.Minute), EventTypes: []string{"reservation.created"}})
	if err != nil {
		t.Fatal(err)
	}
	if b.Count != len(want) || !strings.HasPrefix(b.ID, "bf_") {
		t.Errorf("backfill %+v, want count %d", b, len(want))
	}
	eventually(t, "the backfill to complete", func() bool {
		got, err := e.FindBackfill(context.Background(), h.scope, b.ID)
		return err == nil && got.Status == "completed" && got.Queued == len(want)
	})
	eventually(t, "every backfilled event", func() bool { return rc.count() == len(want) })
	for i, r := range rc.received() {
		if r.event.ID != want[i] {
			t.Errorf("delivery %d is %s, want %s (original order)", i, r.event.ID, want[i])
		}
	}
}

func TestTenantIsolation(t *testing.T) {
	h := newHarness(t)
	e := h.start(h.options())
	rc := newReceiver(t, nil)
	ep, _ := h.endpoint(e, rc.URL, nil)
	other := core.Scope{AccountID: h.scope.AccountID, Livemode: true}
	if _, err := eps(e).FindEndpoint(context.Background(), other, ep.ID); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("another scope finds the endpoint: %v", err)
	}
	if _, err := e.ListDeliveries(context.Background(), other, core.Target{Kind: core.TargetEndpoint, ID: ep.ID}, core.DeliveryFilter{}); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("another scope lists its deliveries: %v", err)
	}
	h.publish(other, "reservation.created", 0) // live-mode event: not for a test-mode endpoint
	mine := h.publish(h.scope, "reservation.created", 1)
	eventually(t, "the own event", func() bool { return rc.count() >= 1 })
	ds := h.deliveries(e, ep.ID)
	if len(ds) != 1 || ds[0].EventID != mine.ID {
		t.Errorf("deliveries %v, want only %s", ds, mine.ID)
	}
	if _, err := e.FindDelivery(context.Background(), other, ds[0].ID); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("another scope finds the delivery: %v", err)
	}
}
