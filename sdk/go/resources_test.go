package bellhop_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	bellhop "github.com/bellhop/bellhop/sdk/go"
)

// TestEndpointsDeliveriesAndBackfills goes through an endpoint's life on a
// running hub with the services: create, list, get, update, disable,
// enable, test, replay, backfill, its deliveries, and delete.
func TestEndpointsDeliveriesAndBackfills(t *testing.T) {
	h := startHub(t)
	ctx := t.Context()
	recv := startReceiver(t)
	c := h.Client

	var ids []string
	for range 3 {
		ep, err := c.WebhookEndpoints.Create(ctx, bellhop.CreateWebhookEndpointRequest{
			URL: recv.URL, EnabledEvents: []string{"reservation.created"}, Description: "front desk",
		})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, ep.ID)
	}
	var listed []string
	for ep, err := range c.WebhookEndpoints.List(ctx, &bellhop.ListWebhookEndpointsParams{Limit: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, ep.ID)
	}
	slices.Sort(listed)
	if want := slices.Sorted(slices.Values(ids)); !slices.Equal(listed, want) {
		t.Fatalf("listed %v, want %v", listed, want)
	}
	for _, id := range ids[1:] {
		if err := c.WebhookEndpoints.Delete(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	id := ids[0]

	ep, err := c.WebhookEndpoints.Update(ctx, id, bellhop.UpdateWebhookEndpointRequest{Description: bellhop.Ptr("night audit")})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.WebhookEndpoints.Get(ctx, id); err != nil || got.Description != "night audit" || ep.Description != got.Description {
		t.Fatalf("after the update: %+v, %v", got, err)
	}
	if ep, err := c.WebhookEndpoints.Disable(ctx, id, "maintenance"); err != nil || !ep.Disabled || ep.DisabledReason == "" {
		t.Fatalf("disable: %+v, %v", ep, err)
	}
	if ep, err := c.WebhookEndpoints.Enable(ctx, id); err != nil || ep.Disabled {
		t.Fatalf("enable: %+v, %v", ep, err)
	}

	attempt, err := c.WebhookEndpoints.Test(ctx, id, "reservation.created")
	if err != nil {
		t.Fatal(err)
	}
	if attempt.ResponseStatus != 200 {
		t.Fatalf("test attempt %+v", attempt)
	}
	recv.next(t) // the test event

	ev, err := c.Events.Publish(ctx, "prop_1", reservation("res_delivered"))
	if err != nil {
		t.Fatal(err)
	}
	recv.next(t)
	deliveries := func() []bellhop.Delivery {
		var out []bellhop.Delivery
		for d, err := range c.WebhookEndpoints.Deliveries(ctx, id, &bellhop.ListDeliveriesParams{EventType: "reservation.created"}) {
			if err != nil {
				t.Fatal(err)
			}
			if d.EventID == ev.ID {
				out = append(out, d)
			}
		}
		return out
	}
	first := deliveries()
	if len(first) != 1 {
		t.Fatalf("%d deliveries of %s, want 1", len(first), ev.ID)
	}
	var got *bellhop.Delivery
	eventually(t, "the delivery to succeed", func() bool {
		got, err = c.Deliveries.Get(ctx, first[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Status == "succeeded"
	})
	if got.EventID != ev.ID || len(got.Attempts) == 0 || got.Attempts[0].ResponseStatus != 200 {
		t.Fatalf("delivery %+v", got)
	}

	replay, err := c.WebhookEndpoints.Replay(ctx, id, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if replay.EventID != ev.ID || replay.DeliveryID == "" {
		t.Fatalf("replay %+v", replay)
	}
	if d := recv.next(t); !slices.Contains(d.Header.Values("Bellhop-Event-Id"), ev.ID) {
		t.Fatalf("the replay carried event id %q, want %s", d.Header.Get("Bellhop-Event-Id"), ev.ID)
	}

	bf, err := c.WebhookEndpoints.Backfill(ctx, id, bellhop.BackfillRequest{Since: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.Backfills.Get(ctx, bf.ID); err != nil || got.ID != bf.ID || got.EndpointID != id {
		t.Fatalf("backfill %+v, %v", got, err)
	}

	if err := c.WebhookEndpoints.Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	var apiErr *bellhop.Error
	if _, err := c.WebhookEndpoints.Get(ctx, id); !errors.As(err, &apiErr) || apiErr.StatusCode != 404 {
		t.Fatalf("a deleted endpoint: %v", err)
	}
}

func TestScriptsAndConnections(t *testing.T) {
	h := startHub(t)
	ctx := t.Context()
	c := h.Client

	sc, err := c.Scripts.Create(ctx, bellhop.CreateScriptRequest{Name: "tag", Source: "function transform(event) { return event; }"})
	if err != nil {
		t.Fatal(err)
	}
	if sc.Version != 1 {
		t.Fatalf("created %+v", sc)
	}
	updated, err := c.Scripts.Update(ctx, sc.ID, bellhop.UpdateScriptRequest{Source: bellhop.Ptr("function transform(event) { return null; }")})
	if err != nil || updated.Version != 2 {
		t.Fatalf("update: %+v, %v", updated, err)
	}
	got, err := c.Scripts.Get(ctx, sc.ID)
	if err != nil || got.Version != 2 || got.Name != "tag" {
		t.Fatalf("get: %+v, %v", got, err)
	}
	var names []string
	for s, err := range c.Scripts.List(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, s.Name)
	}
	if !slices.Equal(names, []string{"tag"}) {
		t.Fatalf("listed %v", names)
	}
	_, err = c.Scripts.Create(ctx, bellhop.CreateScriptRequest{Name: "broken", Source: "function transform("})
	var apiErr *bellhop.Error
	if !errors.As(err, &apiErr) || apiErr.Param != "source" {
		t.Fatalf("a script that does not compile: %v", err)
	}

	// This hub has no connector plugins: creating a connection names the
	// connector as the param at fault.
	_, err = c.Connections.Create(ctx, bellhop.CreateConnectionRequest{Connector: "slack", EnabledEvents: []string{"*"}})
	if !errors.As(err, &apiErr) || apiErr.Param != "connector" {
		t.Fatalf("a connection of a connector the hub lacks: %v", err)
	}
	for conn, err := range c.Connections.List(ctx, nil) {
		t.Fatalf("listed %+v, %v on a hub without connections", conn, err)
	}
}
