package redisstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
)

// TestAlertQueue holds the queue every hub tells alerts from: a queued
// alert is taken once, by one consumer, with its scope; one taken and
// never marked done is taken over by another consumer only after idle;
// one marked done is gone; and a read of an empty queue does not wait
// when asked not to. It also holds what bounds the queue: a subject is
// queued once within every, until its claim is released, and a scope no
// more than perHour times an hour, whatever its subjects.
func TestAlertQueue(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	scope := core.Scope{AccountID: "acct_aurora", Livemode: true}
	a := core.Alert{Kind: core.AlertEndpointDisabled, Target: core.Target{Kind: core.TargetEndpoint, ID: "whe_1"}, Reason: "50 consecutive failed delivery attempts"}
	if n, err := s.QueueAlert(ctx, scope, a, time.Hour, 3); err != nil || n != 1 {
		t.Fatalf("queued as the hour's alert %d, %v; want 1", n, err)
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

	if n, err := s.QueueAlert(ctx, scope, a, time.Hour, 3); err != nil || n != 0 {
		t.Errorf("the same subject again within the hour: %d, %v; want 0 (claimed)", n, err)
	}
	if err := s.ReleaseAlert(ctx, scope, a.Kind, a.Subject()); err != nil {
		t.Fatal(err)
	}
	var told []string
	for _, id := range []string{"whe_1", "whe_2", "whe_3"} { // whe_1's claim was given back
		b := a
		b.Target.ID = id
		n, err := s.QueueAlert(ctx, scope, b, time.Hour, 3)
		if err != nil {
			t.Fatal(err)
		}
		told = append(told, fmt.Sprintf("%s:%d", id, n))
	}
	other := core.Scope{AccountID: "acct_borealis", Livemode: true}
	if n, err := s.QueueAlert(ctx, other, a, time.Hour, 3); err != nil || n != 1 {
		t.Errorf("another account's alert is its hour's %d, %v; want 1", n, err)
	}
	if got := strings.Join(told, " "); got != "whe_1:2 whe_2:3 whe_3:4" {
		t.Errorf("numbers in the hour %s, want whe_1:2 whe_2:3 whe_3:4 (the fourth over the budget of 3)", got)
	}
	queued, err := s.TakeAlerts(ctx, "hub-c", time.Hour, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, q := range queued {
		got = append(got, q.Scope.AccountID+"/"+q.Alert.Target.ID)
	}
	if strings.Join(got, " ") != "acct_aurora/whe_1 acct_aurora/whe_2 acct_borealis/whe_1" {
		t.Errorf("queued %q; want whe_1 and whe_2 of aurora, whe_1 of borealis", got)
	}
}
