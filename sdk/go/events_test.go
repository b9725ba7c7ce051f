package bellhop_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	bellhop "github.com/bellhop/bellhop/sdk/go"
	"github.com/bellhop/bellhop/sdk/go/api"
)

// reservation is the catalog's sample reservation.created object, with id.
func reservation(id string) bellhop.ReservationCreated {
	return bellhop.ReservationCreated{
		ID:         id,
		Status:     "confirmed",
		CheckIn:    "2026-05-10",
		CheckOut:   "2026-05-14",
		Nights:     4,
		Adults:     2,
		RoomTypeID: "rt_standard",
		RatePlanID: "rp_bar",
		Total:      bellhop.Money{Amount: 86000, Currency: "USD"},
		Guest: bellhop.ReservationCreatedGuest{
			ID: "gst_4fPq2x", FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com",
		},
		Source:    "direct_booking",
		CreatedAt: time.Date(2026, 4, 13, 14, 22, 30, 0, time.UTC),
	}
}

func TestPublishTypedAndCustomEvents(t *testing.T) {
	h := startHub(t)
	ctx := t.Context()

	t.Run("typed", func(t *testing.T) {
		occurred := time.Date(2026, 4, 13, 14, 22, 31, 0, time.UTC)
		ev, err := h.Client.Events.Publish(ctx, "prop_8hJk3m", reservation("res_9kLm2p"), bellhop.OccurredAt(occurred))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(ev.ID, "evt_") || ev.Type != "reservation.created" || ev.PropertyID != "prop_8hJk3m" ||
			!ev.CreatedAt.Equal(occurred) || ev.Livemode {
			t.Fatalf("published %+v", ev)
		}
		obj := readObject(t, h.Client, ev.ID)
		res, ok := obj.(*bellhop.ReservationCreated)
		if !ok {
			t.Fatalf("Object() = %T, want *bellhop.ReservationCreated", obj)
		}
		if want := reservation("res_9kLm2p"); res.ID != want.ID || res.CheckIn != want.CheckIn ||
			res.Total != want.Total || res.Guest != want.Guest || !res.CreatedAt.Equal(want.CreatedAt) {
			t.Fatalf("read back %+v, want %+v", *res, want)
		}
	})

	t.Run("with an id of the publisher's", func(t *testing.T) {
		first, err := h.Client.Events.Publish(ctx, "prop_1", reservation("res_2"), bellhop.WithEventID("evt_sdk_once"))
		if err != nil {
			t.Fatal(err)
		}
		again, err := h.Client.Events.Publish(ctx, "prop_1", reservation("res_2"), bellhop.WithEventID("evt_sdk_once"))
		if err != nil {
			t.Fatal(err)
		}
		if first.ID != "evt_sdk_once" || again.ID != first.ID || !again.CreatedAt.Equal(first.CreatedAt) {
			t.Fatalf("first %s at %s, again %s at %s", first.ID, first.CreatedAt, again.ID, again.CreatedAt)
		}
	})

	t.Run("custom", func(t *testing.T) {
		r, err := h.Client.API.CreateEventTypeWithResponse(ctx, nil, api.CreateEventTypeRequest{
			Type: "spa.booked",
			Schema: map[string]any{"type": "object", "required": []string{"treatment"},
				"properties": map[string]any{"treatment": map[string]any{"type": "string"}, "minutes": map[string]any{"type": "integer"}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if r.StatusCode() != http.StatusCreated {
			t.Fatalf("create the event type: %v", bellhop.ParseError(r.HTTPResponse, r.Body))
		}
		ev, err := h.Client.Events.Publish(ctx, "prop_1", bellhop.Custom{Type: "spa.booked",
			Object: map[string]any{"treatment": "hot stones", "minutes": 60}})
		if err != nil {
			t.Fatal(err)
		}
		obj := readObject(t, h.Client, ev.ID)
		custom, ok := obj.(*bellhop.Custom)
		if !ok || custom.Type != "spa.booked" {
			t.Fatalf("Object() = %#v, want a *bellhop.Custom of spa.booked", obj)
		}
		if m := custom.Object.(map[string]any); m["treatment"] != "hot stones" || m["minutes"] != float64(60) {
			t.Fatalf("custom object %v", m)
		}

		_, err = h.Client.Events.Publish(ctx, "prop_1", bellhop.Custom{Type: "spa.booked", Object: map[string]any{"minutes": 30}})
		var apiErr *bellhop.Error
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || apiErr.Param != "data.object.treatment" {
			t.Fatalf("a custom event without its required field: %v", err)
		}
	})
}

// readObject reads the event id back and decodes its data.object.
func readObject(t *testing.T, c *bellhop.Client, id string) bellhop.EventData {
	t.Helper()
	ev, err := c.Events.Get(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := ev.Object()
	if err != nil {
		t.Fatal(err)
	}
	return obj
}

func TestListIteratesAcrossPages(t *testing.T) {
	h := startHub(t)
	ctx := t.Context()
	var published []string
	for i := range 7 {
		ev, err := h.Client.Events.Publish(ctx, "prop_paged", reservation(fmt.Sprintf("res_%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		published = append(published, ev.ID)
	}
	if _, err := h.Client.Events.Publish(ctx, "prop_other", reservation("res_other")); err != nil {
		t.Fatal(err)
	}
	newestFirst := slices.Clone(published)
	slices.Reverse(newestFirst)

	var pages int
	counting := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		pages++
		return http.DefaultTransport.RoundTrip(r)
	})}
	client, err := bellhop.NewClient(h.Key, bellhop.WithBaseURL(h.URL+"/v1"), bellhop.WithHTTPClient(counting))
	if err != nil {
		t.Fatal(err)
	}

	t.Run("forward", func(t *testing.T) {
		pages = 0
		got := collect(t, client.Events.List(ctx, &bellhop.ListEventsParams{PropertyID: "prop_paged", Limit: 2}))
		if !slices.Equal(got, newestFirst) {
			t.Fatalf("listed %v, want %v", got, newestFirst)
		}
		if pages != 4 {
			t.Fatalf("%d requests for 7 events 2 a page, want 4", pages)
		}
	})

	t.Run("stopping early stops the requests", func(t *testing.T) {
		pages = 0
		var got []string
		for ev, err := range client.Events.List(ctx, &bellhop.ListEventsParams{PropertyID: "prop_paged", Limit: 2}) {
			if err != nil {
				t.Fatal(err)
			}
			if got = append(got, ev.ID); len(got) == 3 {
				break
			}
		}
		if !slices.Equal(got, newestFirst[:3]) || pages != 2 {
			t.Fatalf("listed %v in %d requests, want %v in 2", got, pages, newestFirst[:3])
		}
	})

	t.Run("backwards from ending_before", func(t *testing.T) {
		got := collect(t, client.Events.List(ctx, &bellhop.ListEventsParams{PropertyID: "prop_paged", Limit: 2, EndingBefore: newestFirst[6]}))
		// Each page is newest first and the pages walk towards the newest.
		want := []string{newestFirst[4], newestFirst[5], newestFirst[2], newestFirst[3], newestFirst[0], newestFirst[1]}
		if !slices.Equal(got, want) {
			t.Fatalf("listed %v, want %v", got, want)
		}
	})

	t.Run("an error ends the iteration", func(t *testing.T) {
		var errs []error
		for _, err := range client.Events.List(ctx, &bellhop.ListEventsParams{Limit: 1000}) {
			errs = append(errs, err)
		}
		var apiErr *bellhop.Error
		if len(errs) != 1 || !errors.As(errs[0], &apiErr) || apiErr.Param != "limit" {
			t.Fatalf("a limit of 1000 yielded %v, want one *Error on limit", errs)
		}
	})
}

func collect(t *testing.T, seq func(func(bellhop.Event, error) bool)) []string {
	t.Helper()
	var ids []string
	for ev, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, ev.ID)
	}
	return ids
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestAPIErrorsAreTyped(t *testing.T) {
	h := startHub(t)
	ctx := t.Context()

	bad := reservation("res_1")
	bad.Adults = 0
	_, err := h.Client.Events.Publish(ctx, "prop_1", bad)
	var apiErr *bellhop.Error
	if !errors.As(err, &apiErr) {
		t.Fatalf("an invalid event: %v, want a *bellhop.Error", err)
	}
	if apiErr.StatusCode != 400 || apiErr.Type != "invalid_request_error" || apiErr.Param != "data.object.adults" ||
		apiErr.Message == "" || !strings.HasPrefix(apiErr.RequestID, "req_") || !strings.Contains(apiErr.DocURL, "/docs/errors") {
		t.Fatalf("an invalid event: %+v", apiErr)
	}
	if !strings.Contains(err.Error(), apiErr.RequestID) || !strings.Contains(err.Error(), "data.object.adults") {
		t.Fatalf("the error text %q names neither the request id nor the param", err)
	}

	_, err = h.Client.Events.Get(ctx, "evt_missing")
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 404 || apiErr.Code != "resource_missing" {
		t.Fatalf("a missing event: %v", err)
	}

	_, err = h.Client.WebhookEndpoints.Get(ctx, "whe_missing")
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 404 || apiErr.Code != "resource_missing" {
		t.Fatalf("a missing endpoint: %v", err)
	}

	stranger, err := bellhop.NewClient("bh_test_"+strings.Repeat("x", 32), bellhop.WithBaseURL(h.URL))
	if err != nil {
		t.Fatal(err)
	}
	_, err = stranger.Events.Get(ctx, "evt_1")
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 || apiErr.Type != "authentication_error" {
		t.Fatalf("an unknown key: %v", err)
	}

	ctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := h.Client.Events.Get(ctx, "evt_1"); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled context: %v", err)
	}
}
