package receivers

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	engine "github.com/bellhop/bellhop/core/delivery"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/redistest"
	"github.com/bellhop/bellhop/core/secretbox"
)

// TestPublishedVerifiersAcceptEngineDeliveries has the delivery engine
// itself, branded SwiftGuest, deliver to the Python and Node receivers,
// whose verifiers are the reference documentation's, unchanged: first under
// one secret, then during a rotation, when the header carries both secrets
// and the published code reads only the last v1=, so the newest must be last.
func TestPublishedVerifiersAcceptEngineDeliveries(t *testing.T) {
	if testing.Short() {
		t.Skip("starts receiver processes")
	}
	t.Run("python", func(t *testing.T) {
		testEngineDeliveries(t, pythonReceiver(t))
	})
	t.Run("node", func(t *testing.T) {
		testEngineDeliveries(t, nodeReceiver(t))
	})
}

// testEngineDeliveries runs an engine on the test Redis, points an endpoint
// at a receiver started by run with the endpoint's secret, and waits for the
// receiver to accept a published event; then rotates the secret, points the
// endpoint at a receiver holding only the new secret, and does it again.
func testEngineDeliveries(t *testing.T, run func(t *testing.T, env ...string) *process) {
	ctx := t.Context()
	store, scope := engineStore(t)
	eng, endpoints := startEngine(t, store, scope)
	placeholder := "http://127.0.0.1:9/"
	ep, secret, err := endpoints.CreateEndpoint(ctx, scope, core.EndpointInput{URL: &placeholder, EnabledEvents: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}
	deliverTo := func(t *testing.T, secret string, wantSignatures int) {
		p := run(t, "WEBHOOK_SECRET="+secret, "SIGNATURE_HEADER=SwiftGuest-Signature")
		if _, err := endpoints.UpdateEndpoint(ctx, scope, ep.ID, core.EndpointInput{URL: &p.url}); err != nil {
			t.Fatal(err)
		}
		ev := &core.Event{ID: "evt_" + strings.ReplaceAll(t.Name(), "/", "_"), Type: "reservation.created",
			CreatedAt: time.Now().UTC().Truncate(time.Second), APIVersion: core.APIVersion, PropertyID: "prop_8hJk3m",
			Data: core.EventData{Object: json.RawMessage(`{"id":"res_9kLm2p","nights":4}`)}}
		if _, _, err := store.AppendEvent(ctx, scope, ev); err != nil {
			t.Fatal(err)
		}
		wctx, cancel := context.WithTimeout(ctx, startWait)
		defer cancel()
		if !p.waitFor(wctx, "received", ev.ID) {
			t.Fatalf("the receiver did not accept %s", ev.ID)
		}
		header := lastSignatureHeader(t, eng, scope, ep.ID, ev.ID)
		if got := strings.Count(header, "v1="); got != wantSignatures {
			t.Errorf("SwiftGuest-Signature %q has %d v1=, want %d", header, got, wantSignatures)
		}
	}
	t.Run("one secret", func(t *testing.T) { deliverTo(t, secret, 1) })
	_, rotated, err := endpoints.RotateSecret(ctx, scope, ep.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("rotation, receiver holds the new secret", func(t *testing.T) { deliverTo(t, rotated.Secret, 2) })
}

// engineStore returns a store with sealed secrets on the test Redis and a
// tenant of its own.
func engineStore(t *testing.T) (*redisstore.Store, core.Scope) {
	r := redistest.New(t)
	box, err := secretbox.New(secretbox.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	store := redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix, Sealer: box})
	return store, core.Scope{AccountID: "acct_receivers"}
}

// startEngine runs a SwiftGuest-branded engine with short waits until the
// test ends, and returns it with its endpoints.
func startEngine(t *testing.T, store *redisstore.Store, scope core.Scope) (*engine.Engine, *engine.Endpoints) {
	eng := engine.New(engine.Options{
		Store: store, Prefix: "SwiftGuest",
		Scopes: func(context.Context) ([]core.Scope, error) { return []core.Scope{scope}, nil },
		Block:  50 * time.Millisecond, MaxIdle: 50 * time.Millisecond, DeferDelay: 20 * time.Millisecond,
		Schedule: []time.Duration{0, 100 * time.Millisecond, 200 * time.Millisecond}, ForceSchedule: true,
	})
	endpoints := engine.NewEndpoints(eng, engine.EndpointOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := eng.Run(ctx); err != nil {
			t.Errorf("run engine: %v", err)
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	return eng, endpoints
}

// lastSignatureHeader waits, bounded, until the delivery of eventID has
// succeeded in the attempt log, and returns the SwiftGuest-Signature its
// last attempt carried.
func lastSignatureHeader(t *testing.T, eng *engine.Engine, scope core.Scope, endpointID, eventID string) string {
	t.Helper()
	deadline := time.Now().Add(startWait)
	for time.Now().Before(deadline) {
		l, err := eng.ListDeliveries(t.Context(), scope, core.Target{Kind: core.TargetEndpoint, ID: endpointID}, core.DeliveryFilter{Status: core.StatusSucceeded, Page: core.Page{Limit: 100}})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range l.Data {
			if d.EventID != eventID {
				continue
			}
			full, err := eng.FindDelivery(t.Context(), scope, d.ID)
			if err != nil || len(full.Attempts) == 0 {
				t.Fatalf("delivery %s: %v, no attempts", d.ID, err)
			}
			return full.Attempts[len(full.Attempts)-1].RequestHeaders.Get("SwiftGuest-Signature")
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no succeeded delivery of %s in the log", eventID)
	return ""
}
