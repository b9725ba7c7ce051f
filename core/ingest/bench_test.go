package ingest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/catalog"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/redistest"
)

// BenchmarkPublishEvent publishes reservation.created (the reference
// payload) through the catalog's validation into the Redis store: set
// REDIS_URL for figures against a real Redis. The parallel variant shows
// what several API goroutines get from one hub process.
func BenchmarkPublishEvent(b *testing.B) {
	r := redistest.New(b)
	store := redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix})
	cat, err := catalog.New(store)
	if err != nil {
		b.Fatal(err)
	}
	svc := New(cat, store, nil)
	in := core.EventInput{Type: "reservation.created", PropertyID: "prop_8hJk3m", Object: json.RawMessage(reservation)}
	ctx := context.Background()

	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := svc.PublishEvent(ctx, testScope, in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.SetParallelism(32)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, _, err := svc.PublishEvent(ctx, testScope, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	b.Run("validate-only", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := cat.ValidateObject(ctx, testScope, in.Type, in.Object); err != nil {
				b.Fatal(err)
			}
		}
	})
}
