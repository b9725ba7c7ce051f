package redisstore

import (
	"context"
	"strconv"
	"time"

	"github.com/bellhop/bellhop/core"
)

// EventIndexKeyForTest names the key an earlier release kept an event's
// index in, for tests that store one.
func (s *Store) EventIndexKeyForTest(scope core.Scope, id string) string {
	return s.eventIndexKey(scope, id)
}

// EventIndexHashForTest names the hash an event's index is kept in.
func (s *Store) EventIndexHashForTest(scope core.Scope, id string) string {
	return s.eventIndexHash(scope, id)
}

// EventIndexedForTest reports whether the store holds an index of event
// id, in its hash or its key of an earlier release, for tests that check
// what a trim leaves.
func (s *Store) EventIndexedForTest(ctx context.Context, scope core.Scope, id string) bool {
	_, err := s.eventIndexValue(ctx, scope, id)
	return err == nil
}

// PackedForTest is the version byte the ended records this release writes
// start with.
const PackedForTest = packedV3

// TargetMinuteKeyForTest names a target's attempt counts of one minute
// (Unix minutes), which the breaker's window sums.
func (s *Store) TargetMinuteKeyForTest(scope core.Scope, targetID string, minute int64) string {
	return s.targetKey(scope, targetID, "w", strconv.FormatInt(minute, 10))
}

// FinishAttemptPackingForTest is FinishAttempt with the ended record
// packed by pack instead of from the attempts in Redis.
func (s *Store) FinishAttemptPackingForTest(ctx context.Context, scope core.Scope, d *core.Delivery, r AttemptRecord,
	pack func(ctx context.Context, scope core.Scope, d *core.Delivery, head, last []byte) ([]byte, []string)) (Health, error) {
	return s.finishAttemptPacking(ctx, scope, d, r, pack)
}

// PackEndedForTest packs an ended record as FinishAttempt does.
func PackEndedForTest(record []byte) []byte { return packEnded(record) }

// SetLeaseClockForTest makes AllowRequest's leases read now instead of
// time.Now, for tests that move the embedded Redis's clock.
func (s *Store) SetLeaseClockForTest(now func() time.Time) { s.leases.now = now }
