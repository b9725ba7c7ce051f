package console

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
)

// BenchmarkPages measures the server time of the console's pages on the
// account the issue names: 100,000 retained events and 10,000 deliveries
// on one endpoint. Seeding takes a minute; run it alone:
//
//	go test ./core/console -run '^$' -bench Pages -benchtime 50x
//
// The figures go to BENCHMARKS.md.
func BenchmarkPages(b *testing.B) {
	h := newHarness(b)
	ctx := context.Background()
	var received atomic.Int64
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { received.Add(1) }))
	defer rcv.Close()
	url := rcv.URL + "/hooks"
	ep, _, err := h.deps.Endpoints.CreateEndpoint(ctx, h.scope, core.EndpointInput{URL: &url, EnabledEvents: []string{"guest.created"}})
	if err != nil {
		b.Fatal(err)
	}
	guest := sampleObject(b, h, "guest.created")
	other := sampleObject(b, h, "reservation.created")
	const events, delivered = 100_000, 10_000
	var lastEvent string
	var mu sync.Mutex
	publish := func(from, to int) {
		for i := from; i < to; i++ {
			typ, obj := "reservation.created", other
			if i%(events/delivered) == 0 {
				typ, obj = "guest.created", guest
			}
			ev, _, err := h.deps.Events.PublishEvent(ctx, h.scope, core.EventInput{Type: typ, PropertyID: "prop_bench", Object: obj})
			if err != nil {
				b.Error(err)
				return
			}
			if typ == "guest.created" {
				mu.Lock()
				lastEvent = ev.ID
				mu.Unlock()
			}
		}
	}
	var wg sync.WaitGroup
	const workers = 16
	for w := range workers {
		wg.Go(func() { publish(w*events/workers, (w+1)*events/workers) })
	}
	wg.Wait()
	for deadline := time.Now().Add(5 * time.Minute); received.Load() < delivered; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d deliveries arrived", received.Load(), delivered)
		}
	}
	list, err := h.deps.Deliveries.ListDeliveries(ctx, h.scope, core.Target{Kind: core.TargetEndpoint, ID: ep.ID}, core.DeliveryFilter{Page: core.Page{Limit: 1}})
	if err != nil || len(list.Data) == 0 {
		b.Fatalf("deliveries: %v", err)
	}
	owner := h.as(b, core.RoleOwner)
	for _, path := range []string{
		"/", "/events", "/events?type=guest.created", "/events/" + lastEvent, "/event_types",
		"/endpoints", "/endpoints/" + ep.ID, "/deliveries/" + list.Data[0].ID,
		"/connectors", "/scripts", "/api_keys", "/team", "/activity", "/status", "/docs",
	} {
		b.Run(path, func(b *testing.B) {
			for b.Loop() {
				if status, body := owner.get(b, path); status != http.StatusOK {
					b.Fatalf("GET %s: %d\n%.500s", path, status, body)
				}
			}
		})
	}
}

// sampleObject is the catalog's sample of an event type.
func sampleObject(t testing.TB, h *harness, typ string) json.RawMessage {
	t.Helper()
	et, err := h.deps.EventTypes.FindEventType(context.Background(), h.scope, typ)
	if err != nil {
		t.Fatal(err)
	}
	return et.Sample
}

