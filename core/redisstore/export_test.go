package redisstore

import "github.com/bellhop/bellhop/core"

// EventIndexKeyForTest names an event's index key, for tests that check
// what a trim leaves.
func (s *Store) EventIndexKeyForTest(scope core.Scope, id string) string {
	return s.eventIndexKey(scope, id)
}

// PackedForTest is the version byte the ended records this release writes
// start with.
const PackedForTest = packedV2
