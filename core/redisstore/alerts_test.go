package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
)

// TestAlertQueue holds the queue every hub tells alerts from: a queued
// alert is taken once, by one consumer, with its scope; one taken and
// never marked done is taken over by another consumer only after idle;
// one marked done is gone; and a read of an empty queue does not wait
// when asked not to.
func TestAlertQueue(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	scope := core.Scope{AccountID: "acct_aurora", Livemode: true}
	a := core.Alert{Kind: core.AlertEndpointDisabled, Target: core.Target{Kind: core.TargetEndpoint, ID: "whe_1"}, Reason: "50 consecutive failed delivery attempts"}
	if err := s.QueueAlert(ctx, scope, a); err != nil {
		t.Fatal(err)
	}
	taken, err := s.TakeAlerts(ctx, "hub-a", time.Hour, 0, 10)
	if err != nil || len(taken) != 1 {
		t.Fatalf("hub-a took %+v, %v; want the alert", taken, err)
	}
	if got := taken[0]; got.Scope != scope || got.Alert.Kind != a.Kind || got.Alert.Target != a.Target || got.Alert.Reason != a.Reason {
		t.Errorf("taken %+v, want %+v in %+v", got, a, scope)
	}
	if again, err := s.TakeAlerts(ctx, "hub-b", time.Hour, 0, 10); err != nil || len(again) != 0 {
		t.Errorf("hub-b took %+v, %v while hub-a holds it", again, err)
	}
	time.Sleep(50 * time.Millisecond)
	over, err := s.TakeAlerts(ctx, "hub-b", 20*time.Millisecond, 0, 10)
	if err != nil || len(over) != 1 || over[0].ID != taken[0].ID {
		t.Fatalf("hub-b took over %+v, %v; want hub-a's alert", over, err)
	}
	if err := s.DoneAlert(ctx, over[0].ID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if left, err := s.TakeAlerts(ctx, "hub-c", 20*time.Millisecond, 0, 10); err != nil || len(left) != 0 {
		t.Errorf("after done, hub-c took %+v, %v", left, err)
	}
}
