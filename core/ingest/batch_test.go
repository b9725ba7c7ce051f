package ingest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
)

// TestPublishEventsChecksEachAsPublishEvent: every input of a batch gets
// the result PublishEvent gives it alone (same param, same message), the
// accepted ones are stored in one go, and a bad one stores nothing for
// itself alone.
func TestPublishEventsChecksEachAsPublishEvent(t *testing.T) {
	svc, store := newService(t)
	ctx := context.Background()
	edit := func(f func(in *core.EventInput)) core.EventInput { in := validInput(); f(&in); return in }
	inputs := []core.EventInput{
		validInput(),
		edit(func(in *core.EventInput) {
			in.Object = json.RawMessage(strings.Replace(reservation, "ada@example.com", "ada", 1))
		}),
		edit(func(in *core.EventInput) { in.ID = "event-1" }),
		edit(func(in *core.EventInput) { in.Type = "reservation.exploded" }),
		edit(func(in *core.EventInput) { in.ID = "evt_batch_1" }),
		edit(func(in *core.EventInput) { in.Object = json.RawMessage(`{"id":`) }),
		edit(func(in *core.EventInput) { in.ID = "evt_batch_1"; in.PropertyID = "prop_other" }),
	}
	results, err := svc.PublishEvents(ctx, testScope, inputs)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != len(inputs) {
		t.Fatalf("%d results for %d inputs", len(results), len(inputs))
	}
	alone := core.Scope{AccountID: "acct_alone"}
	for i, in := range inputs {
		_, _, want := svc.PublishEvent(ctx, alone, in)
		got := results[i]
		if (got.Err == nil) != (want == nil) || (want != nil && got.Err.Error() != want.Error()) {
			t.Errorf("input %d: batch says %v, PublishEvent says %v", i, got.Err, want)
		}
		if (got.Event == nil) != (got.Err != nil) {
			t.Errorf("input %d: event %v with error %v, want exactly one", i, got.Event, got.Err)
		}
	}
	wantCreated := map[int]bool{0: true, 4: true, 6: false}
	for i, created := range wantCreated {
		if results[i].Event == nil || results[i].Created != created {
			t.Errorf("input %d: created %v, want %v", i, results[i].Created, created)
		}
	}
	if p := results[6].Event.PropertyID; p != "prop_8hJk3m" {
		t.Errorf("the repeated id answered property %s, want the first input's", p)
	}
	if !results[0].Event.CreatedAt.Equal(testNow.Truncate(time.Second)) {
		t.Errorf("created_at = %v, want the clock's %v", results[0].Event.CreatedAt, testNow)
	}
	list, err := store.ListEvents(ctx, testScope, core.EventFilter{Page: core.Page{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Data) != 2 {
		t.Errorf("store holds %d events, want the 2 accepted ones", len(list.Data))
	}
}

// failingTypes is a catalog whose store is down for one type.
type failingTypes struct {
	core.EventTypeService
	down string
}

func (f failingTypes) ValidateObject(ctx context.Context, scope core.Scope, typ string, obj json.RawMessage) error {
	if typ == f.down {
		return core.Errorf(core.EUNAVAILABLE, "redis is down")
	}
	return f.EventTypeService.ValidateObject(ctx, scope, typ, obj)
}

// TestPublishEventsFailsWhole: a failure that is not the input's fault fails
// the whole batch and stores none of it, so nothing is acknowledged that a
// retry would have to guess about.
func TestPublishEventsFailsWhole(t *testing.T) {
	svc, store := newService(t)
	svc.types = failingTypes{EventTypeService: svc.types, down: "minibar.restocked"}
	ctx := context.Background()
	down := validInput()
	down.Type = "minibar.restocked"
	results, err := svc.PublishEvents(ctx, testScope, []core.EventInput{validInput(), down, validInput()})
	if core.ErrorCode(err) != core.EUNAVAILABLE || results != nil {
		t.Fatalf("PublishEvents = %v, %v; want EUNAVAILABLE and no results", results, err)
	}
	list, err := store.ListEvents(ctx, testScope, core.EventFilter{Page: core.Page{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Data) != 0 {
		t.Errorf("store holds %d events, want none", len(list.Data))
	}
}
