package redisstore_test

import (
	"context"
	"testing"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
)

func TestIdempotency(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	scope := newScope(t, s)

	saved, err := s.BeginIdempotent(ctx, scope, "k1", "fp1")
	if err != nil || saved != nil {
		t.Fatalf("first Begin = %v, %v; want the claim", saved, err)
	}
	_, err = s.BeginIdempotent(ctx, scope, "k1", "fp1")
	wantCode(t, err, core.ECONFLICT)
	_, err = s.BeginIdempotent(ctx, scope, "k1", "fp2")
	wantCode(t, err, core.EIDEMPOTENCY)

	if err := s.FinishIdempotent(ctx, scope, "k1", core.SavedResponse{Status: 201, Body: []byte(`{"id":"evt_1"}`)}); err != nil {
		t.Fatal(err)
	}
	saved, err = s.BeginIdempotent(ctx, scope, "k1", "fp1")
	if err != nil || saved == nil || saved.Status != 201 || string(saved.Body) != `{"id":"evt_1"}` {
		t.Fatalf("Begin after Finish = %+v, %v; want the saved 201", saved, err)
	}
	_, err = s.BeginIdempotent(ctx, scope, "k1", "fp2")
	wantCode(t, err, core.EIDEMPOTENCY)

	// Release drops a claim but never a saved response.
	if err := s.ReleaseIdempotent(ctx, scope, "k1"); err != nil {
		t.Fatal(err)
	}
	if saved, err = s.BeginIdempotent(ctx, scope, "k1", "fp1"); err != nil || saved == nil {
		t.Fatalf("Begin after Release of a done key = %v, %v; want the saved response", saved, err)
	}
	if _, err := s.BeginIdempotent(ctx, scope, "k2", "fp"); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseIdempotent(ctx, scope, "k2"); err != nil {
		t.Fatal(err)
	}
	if saved, err = s.BeginIdempotent(ctx, scope, "k2", "other"); err != nil || saved != nil {
		t.Fatalf("Begin after Release = %v, %v; want a new claim", saved, err)
	}

	// Keys are per scope.
	other := scope
	other.Livemode = true
	if saved, err = s.BeginIdempotent(ctx, other, "k1", "fp2"); err != nil || saved != nil {
		t.Fatalf("Begin in another mode = %v, %v; want a new claim", saved, err)
	}
}

func TestIdempotencyLockLapses(t *testing.T) {
	ctx := context.Background()
	s, mr := newMiniStore(t, redisstore.Options{})
	scope := newScope(t, s)
	if _, err := s.BeginIdempotent(ctx, scope, "k", "fp"); err != nil {
		t.Fatal(err)
	}
	mr.FastForward(61e9)
	if saved, err := s.BeginIdempotent(ctx, scope, "k", "fp"); err != nil || saved != nil {
		t.Fatalf("Begin after the lock lapsed = %v, %v; want a new claim", saved, err)
	}
	if err := s.FinishIdempotent(ctx, scope, "k", core.SavedResponse{Status: 200}); err != nil {
		t.Fatal(err)
	}
	mr.FastForward(61e9) // a done key outlives the lock TTL
	if saved, err := s.BeginIdempotent(ctx, scope, "k", "fp"); err != nil || saved == nil || saved.Status != 200 {
		t.Fatalf("Begin of a done key a minute later = %v, %v", saved, err)
	}
}
