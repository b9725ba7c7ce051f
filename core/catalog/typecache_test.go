package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
)

// countingTypes counts the store reads of custom types.
type countingTypes struct {
	memTypes
	finds atomic.Int64
}

func (m *countingTypes) FindCustomEventType(ctx context.Context, scope core.Scope, name string) (*core.EventType, error) {
	m.finds.Add(1)
	return m.memTypes.FindCustomEventType(ctx, scope, name)
}

// Publishing a custom type reads it from the store once per typeCacheTTL,
// not once per event; a type created after a miss is found at once, and
// another scope's type of the same name is its own.
func TestCustomTypesAreReadOncePerTTL(t *testing.T) {
	ctx := context.Background()
	store := &countingTypes{}
	c, err := New(store)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	c.types.now = func() time.Time { return now }
	obj := json.RawMessage(`{"member_id": "mem_42", "points": 250}`)

	if err := c.CreateEventType(ctx, testScope, pointsType()); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if err := c.ValidateObject(ctx, testScope, "loyalty.points_earned", obj); err != nil {
			t.Fatal(err)
		}
	}
	if n := store.finds.Load(); n != 1 {
		t.Fatalf("5 validations read the type %d times, want 1", n)
	}

	other := core.Scope{AccountID: "acct_other"}
	if err := c.ValidateObject(ctx, other, "loyalty.points_earned", obj); core.ErrorCode(err) != core.EINVALID {
		t.Fatalf("another scope used this scope's type: %v", err)
	}
	strict := pointsType()
	strict.Schema = json.RawMessage(`{"type":"object","required":["member_id","points","tier"]}`)
	strict.Sample = json.RawMessage(`{"member_id": "mem_42", "points": 250, "tier": "gold"}`)
	if err := c.CreateEventType(ctx, other, strict); err != nil {
		t.Fatal(err)
	}
	if err := c.ValidateObject(ctx, other, "loyalty.points_earned", strict.Sample); err != nil {
		t.Fatalf("the type created after a miss is not found: %v", err)
	}
	var e *core.Error
	if err := c.ValidateObject(ctx, other, "loyalty.points_earned", obj); !errors.As(err, &e) || e.Param == "type" {
		t.Fatalf("the other scope's own schema was not applied: %v", err)
	}

	before := store.finds.Load()
	now = now.Add(typeCacheTTL)
	if err := c.ValidateObject(ctx, testScope, "loyalty.points_earned", obj); err != nil {
		t.Fatal(err)
	}
	if store.finds.Load() != before+1 {
		t.Fatal("the type was not read again once its entry expired")
	}
}
