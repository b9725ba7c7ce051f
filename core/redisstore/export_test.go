package redisstore

import (
	"strconv"

	"github.com/bellhop/bellhop/core"
)

// EventIndexKeyForTest names an event's index key, for tests that check
// what a trim leaves.
func (s *Store) EventIndexKeyForTest(scope core.Scope, id string) string {
	return s.eventIndexKey(scope, id)
}

// PackedForTest is the version byte the ended records this release writes
// start with.
const PackedForTest = packedV2

// TargetMinuteKeyForTest names a target's attempt counts of one minute
// (Unix minutes), which the breaker's window sums.
func (s *Store) TargetMinuteKeyForTest(scope core.Scope, targetID string, minute int64) string {
	return s.targetKey(scope, targetID, "w", strconv.FormatInt(minute, 10))
}
