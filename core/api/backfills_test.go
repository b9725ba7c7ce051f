package api

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
)

// TestBackfillInOriginalOrder backfills a window to an endpoint that did
// not subscribe to its events, so that only the backfill reaches it: the
// receiver gets the window's events of the asked types, in publish order.
func TestBackfillInOriginalOrder(t *testing.T) {
	a := newDeliveryAPI(t)
	since := time.Now().UTC().Add(-2 * time.Second).Truncate(time.Second)
	var want []string
	for i := range 5 {
		want = append(want, a.publish(t).ID)
		if i == 2 { // another type in the middle, left out by the filter
			a.do(t, http.MethodPost, "/v1/events", a.sampleEvent(t, "payment.failed")).wantStatus(t, http.StatusCreated)
		}
	}
	rc := newHookReceiver(t)
	ep := a.createEndpoint(t, rc.URL, map[string]any{"enabled_events": []string{"guest.created"}, "rate_limit": 100})

	r := a.do(t, http.MethodPost, "/v1/webhook_endpoints/"+ep.ID+"/backfill", map[string]any{
		"since": since.Format(time.RFC3339), "until": time.Now().UTC().Add(time.Minute).Format(time.RFC3339),
		"event_types": []string{"reservation.created"},
	})
	r.wantStatus(t, http.StatusAccepted)
	var b core.Backfill
	r.decode(t, &b)
	if b.Count != len(want) || b.Target != (core.Target{Kind: core.TargetEndpoint, ID: ep.ID}) || b.Status != "running" {
		t.Errorf("backfill = %+v, want %d events for %s, running", b, len(want), ep.ID)
	}
	hooks := rc.waitHooks(t, len(want))
	var got []string
	for _, h := range hooks {
		got = append(got, h.event.ID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("backfill order = %v, want %v", got, want)
	}
	pollUntil(t, "the backfill to complete", func() bool {
		r := a.do(t, http.MethodGet, "/v1/backfills/"+b.ID, nil)
		r.wantStatus(t, http.StatusOK)
		r.decode(t, &b)
		return b.Status == "completed"
	})
	if b.Queued != len(want) || b.CompletedAt == nil {
		t.Errorf("completed backfill = %+v, want %d queued and a completion time", b, len(want))
	}
}

// TestWebhookRoutesOutOfScope checks that another account's key, and a key
// of the other mode, get 404 on every route of an endpoint, its deliveries
// and its backfills: never 403, so that ids do not leak.
func TestWebhookRoutesOutOfScope(t *testing.T) {
	a := newDeliveryAPI(t)
	rc := newHookReceiver(t)
	ep := a.createEndpoint(t, rc.URL, nil)
	ev := a.publish(t)
	rc.waitHooks(t, 1)
	var d core.Delivery
	pollUntil(t, "the delivery in the log", func() bool {
		r := a.do(t, http.MethodGet, "/v1/webhook_endpoints/"+ep.ID+"/deliveries", nil)
		r.wantStatus(t, http.StatusOK)
		var l listBody[*core.Delivery]
		r.decode(t, &l)
		if len(l.Data) > 0 {
			d = *l.Data[0]
		}
		return len(l.Data) > 0
	})
	r := a.do(t, http.MethodPost, "/v1/webhook_endpoints/"+ep.ID+"/backfill", map[string]any{"since": time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)})
	r.wantStatus(t, http.StatusAccepted)
	var b core.Backfill
	r.decode(t, &b)
	live := a.createEndpoint(t, "https://hooks.example.com/in", nil, withKey(a.LiveKey))

	base := "/v1/webhook_endpoints/" + ep.ID
	since := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	routes := []struct {
		method, path string
		body         any
	}{
		{"GET", base, nil},
		{"POST", base, map[string]any{"description": "mine now"}},
		{"POST", base + "/rotate_secret", nil},
		{"POST", base + "/enable", nil},
		{"POST", base + "/disable", nil},
		{"POST", base + "/test", map[string]any{"event_type": "reservation.created"}},
		{"GET", base + "/deliveries", nil},
		{"POST", base + "/replay", map[string]any{"event_id": ev.ID}},
		{"POST", base + "/backfill", map[string]any{"since": since}},
		{"GET", base + "/stats", nil},
		{"GET", "/v1/deliveries/" + d.ID, nil},
		{"GET", "/v1/backfills/" + b.ID, nil},
		{"DELETE", base, nil},
	}
	for _, key := range []struct{ name, secret string }{{"other account", a.OtherKey}, {"live key", a.LiveKey}} {
		for _, rt := range routes {
			t.Run(key.name+" "+rt.method+" "+rt.path, func(t *testing.T) {
				r := a.do(t, rt.method, rt.path, rt.body, withKey(key.secret))
				if d := r.wantError(t, http.StatusNotFound, typeInvalidRequest, ""); d.Code != "resource_missing" {
					t.Errorf("code = %q, want resource_missing", d.Code)
				}
			})
		}
	}
	t.Run("test key on a live endpoint", func(t *testing.T) {
		a.do(t, http.MethodGet, "/v1/webhook_endpoints/"+live.ID, nil).wantError(t, http.StatusNotFound, typeInvalidRequest, "")
	})
	t.Run("the owner still has it, unchanged", func(t *testing.T) {
		r := a.do(t, http.MethodGet, base, nil)
		r.wantStatus(t, http.StatusOK)
		var got core.Endpoint
		r.decode(t, &got)
		if got.Description != "" || got.Disabled {
			t.Errorf("endpoint changed by another scope: %+v", got)
		}
	})
}
