package catalog

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/redistest"
)

// BenchmarkValidateObject checks one valid data.object per op, as every
// publish does: a shipped type's sample (reservation.created, the richest
// schema), and a ~100-byte object against a custom type that takes any
// object, as issue 12's load test publishes. The custom type's schema comes
// from the type cache after the first op, so Redis is not in the loop.
func BenchmarkValidateObject(b *testing.B) {
	ctx := context.Background()
	r := redistest.New(b)
	c, err := New(redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix}))
	if err != nil {
		b.Fatal(err)
	}
	scope := core.Scope{AccountID: "acct_bench"}
	permissive := &core.EventType{Type: "bench.anything", Description: "Any object.",
		Schema: json.RawMessage(`{"type":"object"}`), Sample: json.RawMessage(`{}`)}
	if err := c.CreateEventType(ctx, scope, permissive); err != nil {
		b.Fatal(err)
	}
	shipped, err := c.FindEventType(ctx, scope, "reservation.created")
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name, typ string
		object    json.RawMessage
	}{
		{"shipped", "reservation.created", shipped.Sample},
		{"permissive", "bench.anything", json.RawMessage(`{"reservation_id":"res_8812","room":"204","guest":{"name":"Ada Lovelace","vip":true},"nights":3}`)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.ValidateObject(ctx, scope, bc.typ, bc.object); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
