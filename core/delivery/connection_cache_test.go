package delivery

import (
	"context"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
)

// lookupChannel returns the channel and disabled flag an attempt would see.
func lookupChannel(t *testing.T, conns *Connections, scope core.Scope, id string) (any, bool) {
	t.Helper()
	info, err := conns.Lookup(context.Background(), scope, id)
	if err != nil {
		t.Fatal(err)
	}
	return info.Data.(*connTarget).config["channel"], info.Disabled
}

// TestConnectionLookupCache: an attempt's lookup is kept for the TTL, so a
// change written by another hub shows only after it, while a change made
// through this hub's Connections shows at once.
func TestConnectionLookupCache(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		ttl       time.Duration
		wantOther any // channel seen right after another hub's change
	}{
		{"cached", time.Hour, "#one"},
		{"no cache", -1, "#other"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			opts := h.options()
			opts.TargetCacheTTL = tc.ttl
			conns := NewConnections(newEngine(opts), ConnectionOptions{Host: fakeHost{"fake": &fakeConnector{}}})
			t.Cleanup(conns.Close)
			c := h.connection(conns, "fake", map[string]any{"channel": "#one", "token": fakeToken})
			if got, _ := lookupChannel(t, conns, h.scope, c.ID); got != "#one" {
				t.Fatalf("first lookup: got %v, want #one", got)
			}

			other := *c // another hub's write, behind this hub's back
			other.Config = map[string]any{"channel": "#other"}
			if err := h.store.SaveConnection(ctx, h.scope, &other, nil); err != nil {
				t.Fatal(err)
			}
			if got, _ := lookupChannel(t, conns, h.scope, c.ID); got != tc.wantOther {
				t.Errorf("after another hub's change: got %v, want %v", got, tc.wantOther)
			}

			if _, err := conns.UpdateConnection(ctx, h.scope, c.ID, core.ConnectionInput{Config: map[string]any{"channel": "#two"}}); err != nil {
				t.Fatal(err)
			}
			if got, _ := lookupChannel(t, conns, h.scope, c.ID); got != "#two" {
				t.Errorf("after this hub's update: got %v, want #two", got)
			}
			if _, err := conns.DisableConnection(ctx, h.scope, c.ID, ""); err != nil {
				t.Fatal(err)
			}
			if _, disabled := lookupChannel(t, conns, h.scope, c.ID); !disabled {
				t.Error("after this hub's disable: lookup says enabled")
			}
			if err := conns.DeleteConnection(ctx, h.scope, c.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := conns.Lookup(ctx, h.scope, c.ID); core.ErrorCode(err) != core.ENOTFOUND {
				t.Errorf("after this hub's delete: got %v, want ENOTFOUND", err)
			}
		})
	}
}
