package redisstore_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/bellhop/bellhop/core"
)

func TestCustomEventTypes(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	scope := newScope(t, s)
	for _, name := range []string{"spa.booked", "bar.tab_closed"} {
		et := &core.EventType{Type: name, Group: "custom", Custom: true, Schema: json.RawMessage(`{"type":"object"}`)}
		if err := s.SaveEventType(ctx, scope, et); err != nil {
			t.Fatal(err)
		}
	}
	err := s.SaveEventType(ctx, scope, &core.EventType{Type: "spa.booked", Description: "again"})
	wantCode(t, err, core.ECONFLICT)

	got, err := s.FindCustomEventType(ctx, scope, "spa.booked")
	if err != nil || got.Description != "" || string(got.Schema) != `{"type":"object"}` {
		t.Fatalf("FindCustomEventType = %+v, %v; want the first one", got, err)
	}
	list, err := s.ListCustomEventTypes(ctx, scope)
	if err != nil || len(list) != 2 || list[0].Type != "bar.tab_closed" || list[1].Type != "spa.booked" {
		t.Fatalf("ListCustomEventTypes = %v, %v; want both by name", list, err)
	}
	live := scope
	live.Livemode = true
	_, err = s.FindCustomEventType(ctx, live, "spa.booked")
	wantCode(t, err, core.ENOTFOUND)
}
