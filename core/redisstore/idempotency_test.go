package redisstore_test

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/redis/go-redis/v9"
)

func TestIdempotency(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	d := s.NewIdempotency(redisstore.IdempotencyOptions{})
	scope := newScope(t, s)

	first, err := d.BeginIdempotent(ctx, scope, "k1", "fp1")
	if err != nil || first.Saved != nil || first.Seed == "" {
		t.Fatalf("first Begin = %+v, %v; want the claim with a seed", first, err)
	}
	_, err = d.BeginIdempotent(ctx, scope, "k1", "fp1")
	wantCode(t, err, core.ECONFLICT)
	_, err = d.BeginIdempotent(ctx, scope, "k1", "fp2")
	wantCode(t, err, core.EIDEMPOTENCY)

	if err := d.FinishIdempotent(ctx, scope, "k1", core.SavedResponse{Status: 201, Body: []byte(`{"id":"evt_1"}`)}); err != nil {
		t.Fatal(err)
	}
	got, err := d.BeginIdempotent(ctx, scope, "k1", "fp1")
	if saved := got.Saved; err != nil || saved == nil || saved.Status != 201 || string(saved.Body) != `{"id":"evt_1"}` {
		t.Fatalf("Begin after Finish = %+v, %v; want the saved 201", got, err)
	}
	_, err = d.BeginIdempotent(ctx, scope, "k1", "fp2")
	wantCode(t, err, core.EIDEMPOTENCY)

	// Release drops a claim but never a saved response.
	if err := d.ReleaseIdempotent(ctx, scope, "k1"); err != nil {
		t.Fatal(err)
	}
	if got, err = d.BeginIdempotent(ctx, scope, "k1", "fp1"); err != nil || got.Saved == nil {
		t.Fatalf("Begin after Release of a done key = %+v, %v; want the saved response", got, err)
	}

	// A released claim is taken again at once: with the same seed for the
	// same parameters (the first may have stored something), a new one for
	// other parameters.
	k2, err := d.BeginIdempotent(ctx, scope, "k2", "fp")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.ReleaseIdempotent(ctx, scope, "k2"); err != nil {
		t.Fatal(err)
	}
	if got, err = d.BeginIdempotent(ctx, scope, "k2", "fp"); err != nil || got.Saved != nil || got.Seed != k2.Seed {
		t.Fatalf("Begin after Release, same parameters = %+v, %v; want a claim with seed %s", got, err, k2.Seed)
	}
	if err := d.ReleaseIdempotent(ctx, scope, "k2"); err != nil {
		t.Fatal(err)
	}
	if got, err = d.BeginIdempotent(ctx, scope, "k2", "other"); err != nil || got.Saved != nil || got.Seed == k2.Seed {
		t.Fatalf("Begin after Release, other parameters = %+v, %v; want a claim with a new seed", got, err)
	}

	// Keys are per scope.
	other := scope
	other.Livemode = true
	if got, err = d.BeginIdempotent(ctx, other, "k1", "fp2"); err != nil || got.Saved != nil {
		t.Fatalf("Begin in another mode = %+v, %v; want a new claim", got, err)
	}
}

// TestIdempotencyClaimOfDeadHub: a hub that stops renewing its claim (it
// was killed) loses it within the lease; the retry on another hub takes it
// over with the same seed, and the dead hub can no longer save over it.
func TestIdempotencyClaimOfDeadHub(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	scope := newScope(t, s)
	const lease = 300 * time.Millisecond
	dead := s.NewIdempotency(redisstore.IdempotencyOptions{Lease: lease}) // never runs Run
	alive := s.NewIdempotency(redisstore.IdempotencyOptions{Lease: lease})

	first, err := dead.BeginIdempotent(ctx, scope, "k", "fp")
	if err != nil {
		t.Fatal(err)
	}
	_, err = alive.BeginIdempotent(ctx, scope, "k", "fp")
	wantCode(t, err, core.ECONFLICT) // its lease still runs

	start := time.Now()
	var got core.IdempotentClaim
	for {
		got, err = alive.BeginIdempotent(ctx, scope, "k", "fp")
		if err == nil {
			break
		}
		wantCode(t, err, core.ECONFLICT)
		if time.Since(start) > 5*lease {
			t.Fatalf("the dead hub's claim still holds after %v", time.Since(start))
		}
		time.Sleep(lease / 10)
	}
	if got.Saved != nil || got.Seed != first.Seed {
		t.Fatalf("takeover = %+v, want a claim with the first seed %s", got, first.Seed)
	}
	if elapsed := time.Since(start); elapsed < lease/2 {
		t.Errorf("taken over after %v, before the lease of %v ran out", elapsed, lease)
	}
	// Another fingerprint is still refused: the key was used.
	_, err = alive.BeginIdempotent(ctx, scope, "k", "fp2")
	wantCode(t, err, core.EIDEMPOTENCY)

	// The dead hub's late answer is not saved over the new owner's claim.
	if err := dead.FinishIdempotent(ctx, scope, "k", core.SavedResponse{Status: 500}); err != nil {
		t.Fatal(err)
	}
	if err := alive.FinishIdempotent(ctx, scope, "k", core.SavedResponse{Status: 201, Body: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if got, err = dead.BeginIdempotent(ctx, scope, "k", "fp"); err != nil || got.Saved == nil || got.Saved.Status != 201 {
		t.Fatalf("Begin after the takeover finished = %+v, %v; want the saved 201", got, err)
	}
}

// TestIdempotencyClaimOfLiveHub: a hub that runs Run keeps its claim for as
// long as its request takes, however long past the lease.
func TestIdempotencyClaimOfLiveHub(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, _ := newStore(t)
	scope := newScope(t, s)
	const lease = 300 * time.Millisecond
	holder := s.NewIdempotency(redisstore.IdempotencyOptions{Lease: lease})
	other := s.NewIdempotency(redisstore.IdempotencyOptions{Lease: lease})
	go holder.Run(ctx)

	if _, err := holder.BeginIdempotent(ctx, scope, "k", "fp"); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(4 * lease); time.Now().Before(deadline); time.Sleep(lease / 5) {
		_, err := other.BeginIdempotent(ctx, scope, "k", "fp")
		wantCode(t, err, core.ECONFLICT)
	}
}

// TestIdempotencySavedRef holds that a response saved as a reference comes
// back as that reference, with no body, and a body as a body.
func TestIdempotencySavedRef(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	d := s.NewIdempotency(redisstore.IdempotencyOptions{})
	scope := newScope(t, s)
	for key, resp := range map[string]core.SavedResponse{
		"by-ref":  {Status: 201, Ref: "event:evt_ref"},
		"by-body": {Status: 200, Body: []byte(`{"ok":true}`)},
	} {
		if _, err := d.BeginIdempotent(ctx, scope, key, "fp"); err != nil {
			t.Fatal(err)
		}
		if err := d.FinishIdempotent(ctx, scope, key, resp); err != nil {
			t.Fatal(err)
		}
		got, err := d.BeginIdempotent(ctx, scope, key, "fp")
		if err != nil || got.Saved == nil || got.Saved.Status != resp.Status || got.Saved.Ref != resp.Ref || string(got.Saved.Body) != string(resp.Body) {
			t.Errorf("%s: Begin after Finish = %+v, %v; want %+v", key, got.Saved, err, resp)
		}
	}
}

// An append that settles its Idempotency-Key (core.OnceKey) leaves the
// record the general path reads: done, naming the event, 201 for an event
// it added and 200 for one whose id was stored already; and a key that has
// any record stores nothing.
func TestAppendEventOnce(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	d := s.NewIdempotency(redisstore.IdempotencyOptions{})
	scope := newScope(t, s)
	streamLen := func() int64 {
		n, err := s.Client().XLen(ctx, s.EventsStreamKey(scope)).Result()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	ev := testEvent("evt_once", "reservation.created", "prop_1", time.Unix(1700000000, 0))
	stored, created, err := s.AppendEventOnce(ctx, scope, ev, core.OnceKey{Key: "k1", Fingerprint: "fp1"})
	if err != nil || !created || stored.ID != "evt_once" {
		t.Fatalf("AppendEventOnce = %+v, %v, %v; want evt_once added", stored, created, err)
	}
	got, err := d.BeginIdempotent(ctx, scope, "k1", "fp1")
	if err != nil || got.Saved == nil || got.Saved.Status != 201 || got.Saved.Ref != "event:evt_once" {
		t.Fatalf("Begin after AppendEventOnce = %+v, %v; want the saved 201 naming evt_once", got.Saved, err)
	}
	_, err = d.BeginIdempotent(ctx, scope, "k1", "fp2")
	wantCode(t, err, core.EIDEMPOTENCY)

	// The key has a record: nothing is stored, whatever the event.
	other := testEvent("evt_other", "reservation.created", "prop_1", time.Unix(1700000000, 0))
	if _, _, err := s.AppendEventOnce(ctx, scope, other, core.OnceKey{Key: "k1", Fingerprint: "fp1"}); !errors.Is(err, core.ErrOnceKeyUsed) {
		t.Fatalf("AppendEventOnce with a used key: err %v; want ErrOnceKeyUsed", err)
	}
	if _, err := d.BeginIdempotent(ctx, scope, "k2", "fp"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.AppendEventOnce(ctx, scope, other, core.OnceKey{Key: "k2", Fingerprint: "fp"}); !errors.Is(err, core.ErrOnceKeyUsed) {
		t.Fatalf("AppendEventOnce with a key in flight: err %v; want ErrOnceKeyUsed", err)
	}
	if n := streamLen(); n != 1 {
		t.Fatalf("stream holds %d events after refused appends; want 1", n)
	}
	if _, err := s.FindEvent(ctx, scope, "evt_other"); core.ErrorCode(err) != core.ENOTFOUND {
		t.Fatalf("FindEvent(evt_other) err %v; want not found", err)
	}

	// A fresh key for an id already stored saves a 200 naming the stored event.
	dup := testEvent("evt_once", "guest.checked_in", "prop_2", time.Now())
	stored, created, err = s.AppendEventOnce(ctx, scope, dup, core.OnceKey{Key: "k3", Fingerprint: "fp3"})
	if err != nil || created || stored.Type != "reservation.created" {
		t.Fatalf("AppendEventOnce of a stored id = %+v, %v, %v; want the first event, not created", stored, created, err)
	}
	got, err = d.BeginIdempotent(ctx, scope, "k3", "fp3")
	if err != nil || got.Saved == nil || got.Saved.Status != 200 || got.Saved.Ref != "event:evt_once" {
		t.Fatalf("Begin after AppendEventOnce of a stored id = %+v, %v; want the saved 200", got.Saved, err)
	}
	if n := streamLen(); n != 1 {
		t.Fatalf("stream holds %d events; want 1", n)
	}
}

// An event named after its Idempotency-Key (core.OnceKey.InEvent) is the
// key's record: no record is written, the fingerprint rides in the event's
// stream entry, a retry finds the event, other parameters are refused, and
// any other request with the key is refused as other parameters too. A key
// that has a record (an earlier release's, or another route's) still sends
// the publish to the general path.
func TestAppendEventOnceInEvent(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	d := s.NewIdempotency(redisstore.IdempotencyOptions{})
	scope := newScope(t, s)
	const fp = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	once := core.OnceKey{Key: "k1", Fingerprint: fp, InEvent: true}

	ev := testEvent(core.KeyedEventID(scope, "k1"), "reservation.created", "prop_1", time.Unix(1700000000, 0))
	stored, created, err := s.AppendEventOnce(ctx, scope, ev, once)
	if err != nil || !created || stored.ID != ev.ID {
		t.Fatalf("AppendEventOnce = %+v, %v, %v; want %s added", stored, created, err, ev.ID)
	}
	if records := s.Client().Keys(ctx, s.Prefix()+"{"+scope.AccountID+"}:*idem*").Val(); len(records) != 0 {
		t.Fatalf("records %v were written for an event named after its key", records)
	}
	entries := s.Client().XRange(ctx, s.EventsStreamKey(scope), "-", "+").Val()
	if kept, _ := entries[0].Values["fp"].(string); len(entries) != 1 || hex.EncodeToString([]byte(kept)) != fp[:16] {
		t.Fatalf("stream entries = %v; want one keeping the fingerprint's first 8 bytes", entries)
	}

	retry := testEvent(ev.ID, "reservation.created", "prop_1", time.Unix(1700000100, 0))
	stored, created, err = s.AppendEventOnce(ctx, scope, retry, once)
	if err != nil || created || !stored.CreatedAt.Equal(ev.CreatedAt) {
		t.Fatalf("retry = %+v, %v, %v; want the first event, found", stored, created, err)
	}
	_, _, err = s.AppendEventOnce(ctx, scope, retry, core.OnceKey{Key: "k1", Fingerprint: "other", InEvent: true})
	wantCode(t, err, core.EIDEMPOTENCY)
	_, err = d.BeginIdempotent(ctx, scope, "k1", "any other request")
	wantCode(t, err, core.EIDEMPOTENCY)
	if n := s.Client().XLen(ctx, s.EventsStreamKey(scope)).Val(); n != 1 {
		t.Fatalf("stream holds %d events; want 1", n)
	}

	// A key with a record: the general path, nothing stored.
	if _, err := d.BeginIdempotent(ctx, scope, "k2", fp); err != nil {
		t.Fatal(err)
	}
	other := testEvent(core.KeyedEventID(scope, "k2"), "reservation.created", "prop_1", time.Now())
	if _, _, err := s.AppendEventOnce(ctx, scope, other, core.OnceKey{Key: "k2", Fingerprint: fp, InEvent: true}); !errors.Is(err, core.ErrOnceKeyUsed) {
		t.Fatalf("AppendEventOnce with a key that has a record: err %v; want ErrOnceKeyUsed", err)
	}
}

// TestAppendEventOnceInEventOfEarlierReleases: an event an earlier release
// named after its key kept the fingerprint's first 32 hex digits (up to
// d5e1b19) or their 16 bytes; a retry with the same request finds it, one
// with another is refused.
func TestAppendEventOnceInEventOfEarlierReleases(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	scope := newScope(t, s)
	const fp = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	raw, _ := hex.DecodeString(fp[:32])
	for i, kept := range []string{fp[:32], string(raw)} {
		key := fmt.Sprintf("old-key-%d", i)
		id := core.KeyedEventID(scope, key)
		envelope := `{"id":"` + id + `","type":"reservation.created","created_at":"2026-11-30T10:00:00Z","api_version":"2026-01-15","livemode":false,"property_id":"prop_1","data":{"object":{"n":1}}}`
		sid, err := s.Client().XAdd(ctx, &redis.XAddArgs{Stream: s.EventsStreamKey(scope), Values: []any{"type", "reservation.created", "event", envelope, "fp", kept}}).Result()
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Client().Set(ctx, s.EventIndexKeyForTest(scope, id), sid, time.Hour).Err(); err != nil {
			t.Fatal(err)
		}
		// A hub of today starts on the store: it marks the scopes it holds.
		s.Client().SAdd(ctx, s.Prefix()+"scopes", scope.AccountID+":"+scope.Mode())
		if err := s.MarkLegacyEventIndexes(ctx); err != nil {
			t.Fatal(err)
		}
		retry := testEvent(id, "reservation.created", "prop_1", time.Now())
		stored, created, err := s.AppendEventOnce(ctx, scope, retry, core.OnceKey{Key: key, Fingerprint: fp, InEvent: true})
		if err != nil || created || string(stored.AppendJSON(nil)) != envelope {
			t.Fatalf("kept %q: retry = %v, %v, %v; want the stored event, found", kept, stored, created, err)
		}
		_, _, err = s.AppendEventOnce(ctx, scope, retry, core.OnceKey{Key: key, Fingerprint: "0" + fp[1:], InEvent: true})
		wantCode(t, err, core.EIDEMPOTENCY)
	}
}
