package delivery

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/redistest"
	"github.com/bellhop/bellhop/core/secretbox"
)

// BenchmarkConnectionDeliveries publishes b.N events to one connection of
// the recorder plugin and waits until the receiver behind it got them all:
// dispatch, attempt, a gRPC call to the plugin process, its HTTP post to the
// local receiver, and the attempt log, end to end. It reports deliveries/s.
func BenchmarkConnectionDeliveries(b *testing.B) {
	r := redistest.New(b)
	box, err := secretbox.New(secretbox.GenerateKey())
	if err != nil {
		b.Fatal(err)
	}
	store := redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix, Sealer: box})
	scope := core.Scope{AccountID: "acct_bench"}
	// One account alone: its budget is every worker, so that the figure is
	// the plugin path's, as before the per-account budget.
	e := newEngine(Options{Store: store, Scopes: func(context.Context) ([]core.Scope, error) { return []core.Scope{scope}, nil },
		Block: 50 * time.Millisecond, MaxIdle: 50 * time.Millisecond, DefaultConcurrency: 128, Workers: 256, AccountConcurrency: 256})
	conns := NewConnections(e, ConnectionOptions{Host: recorderHost(b, 5*time.Second)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.Run(ctx) }()
	b.Cleanup(func() { cancel(); <-done; conns.Close() })
	rc := newCounter(b, nil)
	connector := "recorder"
	if _, err := conns.CreateConnection(ctx, scope, core.ConnectionInput{Connector: &connector,
		Config: map[string]any{"url": rc.URL, "token": recorderToken}, EnabledEvents: []string{"*"}}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		ev := &core.Event{ID: randomID("evt_"), Type: "reservation.created", CreatedAt: time.Now().UTC().Truncate(time.Second),
			APIVersion: core.APIVersion, Data: core.EventData{Object: json.RawMessage(`{"n":` + itoaTest(i) + `}`)}}
		if _, _, err := store.AppendEvent(ctx, scope, ev); err != nil {
			b.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Minute)
	for rc.distinct() < b.N {
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d delivered", rc.distinct(), b.N)
		}
		time.Sleep(time.Millisecond)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "deliveries/s")
}
