package core

import (
	"strings"
	"testing"
)

func TestRandomBase62(t *testing.T) {
	seen := map[string]bool{}
	counts := map[rune]int{}
	for range 2000 {
		s := RandomBase62(24)
		if len(s) != 24 || strings.Trim(s, base62) != "" {
			t.Fatalf("RandomBase62(24) = %q, want 24 characters of [0-9A-Za-z]", s)
		}
		if seen[s] {
			t.Fatalf("RandomBase62(24) gave %q twice", s)
		}
		seen[s] = true
		for _, r := range s {
			counts[r]++
		}
	}
	if len(counts) != 62 { // 48,000 draws: every character shows up
		t.Errorf("%d of the 62 characters drawn", len(counts))
	}
}

// TestKeyedEventID: one key names one event in a scope, and another in
// another account or mode.
func TestKeyedEventID(t *testing.T) {
	test, live, other := Scope{AccountID: "acct_a"}, Scope{AccountID: "acct_a", Livemode: true}, Scope{AccountID: "acct_b"}
	id := KeyedEventID(test, "order-1")
	if len(id) != 28 || !strings.HasPrefix(id, "evt_") || strings.Trim(id[4:], base62) != "" {
		t.Fatalf("KeyedEventID = %q, want evt_ and 24 base62 characters", id)
	}
	if again := KeyedEventID(test, "order-1"); again != id {
		t.Errorf("the same key named %s, then %s", id, again)
	}
	for _, o := range []string{KeyedEventID(live, "order-1"), KeyedEventID(other, "order-1"), KeyedEventID(test, "order-2")} {
		if o == id {
			t.Errorf("another scope or key named the same event %s", id)
		}
	}
}
