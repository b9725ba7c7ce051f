package core_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
)

func TestRequestID(t *testing.T) {
	at := time.Date(2026, 12, 2, 1, 2, 3, 456_000_000, time.UTC)
	id := core.NewRequestID(at)
	if !regexp.MustCompile(`^req_[0-9a-z]{24}$`).MatchString(id) {
		t.Fatalf("NewRequestID = %q, want req_ and 24 lowercase letters and digits", id)
	}
	ms, random, ok := core.ParseRequestID(id)
	if !ok || ms != at.UnixMilli() {
		t.Fatalf("ParseRequestID(%q) = %d, %d, %v; want %d, true", id, ms, random, ok, at.UnixMilli())
	}
	if back := core.FormatRequestID(ms, random); back != id {
		t.Errorf("FormatRequestID = %q, want %q", back, id)
	}
	if got := core.FormatRequestID(1, 35); got != "req_00000000000100000000000z" {
		t.Errorf("FormatRequestID(1, 35) = %q, want both parts zero-padded", got)
	}
	if other := core.NewRequestID(at); other == id {
		t.Errorf("two ids of the same millisecond are both %q", id)
	}
	if later := core.NewRequestID(at.Add(time.Millisecond)); later[:16] <= id[:16] {
		t.Errorf("an id a millisecond later %q does not sort after %q", later, id)
	}
	for _, bad := range []string{"", "req_", "req_0", "evt_" + id[4:], id + "0", "req_ABCDEFGHIJKLMNOPQRSTUVWX", "req_-00000000000000000000000", "req_000000000000-00000000000"} {
		if _, _, ok := core.ParseRequestID(bad); ok {
			t.Errorf("ParseRequestID(%q) ok, want not a request id", bad)
		}
	}
}
