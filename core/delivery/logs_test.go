package delivery

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/bellhop/bellhop/core"
)

// lockedBuffer is a log destination the engine's goroutines share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) lines() []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.b.String()), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// TestFailedDeliveryIsLoggedWithItsIDs: a delivery that runs out of
// attempts is one warning that names the account, the target, the delivery
// and the event, so that an operator can follow it; its retries are not
// logged, and neither the endpoint's URL nor its secret is.
func TestFailedDeliveryIsLoggedWithItsIDs(t *testing.T) {
	h := newHarness(t)
	var logs lockedBuffer
	opts := h.options()
	opts.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	e := h.start(opts)
	rc := newReceiver(t, func(int, *http.Request) (int, http.Header) { return http.StatusInternalServerError, nil })
	ep, secret := h.endpoint(e, rc.URL+"/hooks?token=url-credential", nil)
	ev := h.publish(h.scope, "reservation.created", 1)

	var failed map[string]any
	eventually(t, "a delivery failed warning", func() bool {
		for _, l := range logs.lines() {
			if l["msg"] == "delivery failed" {
				failed = l
				return true
			}
		}
		return false
	})
	want := map[string]any{"level": "WARN", "account": h.scope.AccountID, "livemode": false, "target_kind": "webhook_endpoint",
		"target": ep.ID, "event": ev.ID, "event_type": "reservation.created", "attempts": float64(len(opts.Schedule)), "response_status": float64(500)}
	for k, v := range want {
		if failed[k] != v {
			t.Errorf("%s = %v, want %v (line %v)", k, failed[k], v, failed)
		}
	}
	if d, _ := failed["delivery"].(string); !strings.HasPrefix(d, "whd_") {
		t.Errorf("delivery = %v, want its whd_ id", failed["delivery"])
	}
	n := 0
	for _, l := range logs.lines() {
		if l["msg"] == "delivery failed" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d delivery failed lines for one delivery, want 1 (retries are not warnings)", n)
	}
	logs.mu.Lock()
	all := logs.b.String()
	logs.mu.Unlock()
	for _, s := range []string{secret, "url-credential"} {
		if strings.Contains(all, s) {
			t.Errorf("the logs hold %q", s)
		}
	}
}

// TestExpiredParkedDeliveriesAreLogged: a delivery whose record expired
// while its endpoint was disabled is gone when the endpoint is enabled
// again; a warning says how many, for which target, so that an operator
// knows to backfill.
func TestExpiredParkedDeliveriesAreLogged(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	var logs lockedBuffer
	opts := h.options()
	opts.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	e := h.start(opts)
	rc := newReceiver(t, nil)
	ep, _ := h.endpoint(e, rc.URL, nil)
	if _, err := eps(e).DisableEndpoint(ctx, h.scope, ep.ID, "maintenance"); err != nil {
		t.Fatal(err)
	}
	h.publish(h.scope, "reservation.created", 1)
	var parked []*core.Delivery
	eventually(t, "the delivery to be parked", func() bool {
		parked = h.deliveries(e, ep.ID)
		return len(parked) == 1 && parked[0].Status == core.StatusParked
	})
	key := h.r.Prefix + "{" + h.scope.AccountID + "}:test:dlv:" + parked[0].ID
	if err := h.r.Client.Del(ctx, key, key+":p").Err(); err != nil { // what its expiry does
		t.Fatal(err)
	}
	if _, err := eps(e).EnableEndpoint(ctx, h.scope, ep.ID); err != nil {
		t.Fatal(err)
	}
	var warned map[string]any
	for _, l := range logs.lines() {
		if l["msg"] == "parked deliveries had expired before their release" {
			warned = l
		}
	}
	if warned == nil || warned["level"] != "WARN" || warned["target"] != ep.ID || warned["expired"] != float64(1) || warned["account"] != h.scope.AccountID {
		t.Errorf("warning = %v, want one WARN naming %s and 1 expired delivery", warned, ep.ID)
	}
	if n := rc.count(); n != 0 {
		t.Errorf("the receiver got %d requests, want none: the delivery is gone", n)
	}
}
