package redisstore_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
)

// TestIdempotencyClaimOfOlderVersion begins on an in-flight record as
// versions before the claim lease wrote it (state and fp, no owner or lease,
// PX 60 s): it is in flight until it expires, as its own hub expected,
// rather than a script error on the missing lease; then it can be claimed.
func TestIdempotencyClaimOfOlderVersion(t *testing.T) {
	ctx := context.Background()
	s, mr := newMiniStore(t, redisstore.Options{})
	d := s.NewIdempotency(redisstore.IdempotencyOptions{})
	scope := core.Scope{AccountID: "acct_old"}
	sum := sha256.Sum256([]byte("k-old"))
	record := "bh:{acct_old}:test:idem:" + hex.EncodeToString(sum[:])
	s.Client().HSet(ctx, record, "state", "inflight", "fp", "fp1")
	s.Client().PExpire(ctx, record, 60*time.Second)

	_, err := d.BeginIdempotent(ctx, scope, "k-old", "fp1")
	wantCode(t, err, core.ECONFLICT)
	_, err = d.BeginIdempotent(ctx, scope, "k-old", "fp2")
	wantCode(t, err, core.EIDEMPOTENCY)

	mr.FastForward(61 * time.Second) // the old hub's claim lapses as it always did
	if got, err := d.BeginIdempotent(ctx, scope, "k-old", "fp1"); err != nil || got.Seed == "" {
		t.Fatalf("Begin after the old claim lapsed = %+v, %v; want a claim", got, err)
	}
}
