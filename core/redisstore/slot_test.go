package redisstore_test

import (
	"testing"

	"github.com/bellhop/bellhop/core/redisstore"
)

// The expected slots are Redis's own answers to CLUSTER KEYSLOT.
func TestSlot(t *testing.T) {
	for key, want := range map[string]int{
		"foo": 12182, "bar": 5061, "123456789": 12739,
		"{user1000}.following": 3443, "{user1000}.followers": 3443,
		"foo{}{bar}": 8363, "foo{{bar}}zap": 4015, "foo{bar}{zap}": 5061,
		"bh:{acct_1}:test:dq": 4995, "other:{acct_1}:live:events": 4995,
	} {
		if got := redisstore.Slot(key); got != want {
			t.Errorf("Slot(%q) = %d, want %d", key, got, want)
		}
	}
}
