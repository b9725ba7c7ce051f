package redisstore_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/core"
)

func TestCreateAndAuthenticate(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	for _, live := range []bool{false, true} {
		scope := newScope(t, s)
		scope.Livemode = live
		t.Run(scope.Mode(), func(t *testing.T) {
			k, secret, err := s.CreateAPIKey(ctx, scope, "ci", 120)
			if err != nil {
				t.Fatal(err)
			}
			wantPrefix := map[bool]string{false: "bh_test_", true: "bh_live_"}[live]
			if !strings.HasPrefix(secret, wantPrefix) || len(secret) != len(wantPrefix)+40 {
				t.Fatalf("secret = %q, want %s + 40 chars", secret, wantPrefix)
			}
			if !strings.HasPrefix(k.ID, "key_") || k.Last4 != secret[len(secret)-4:] || k.Prefix != wantPrefix {
				t.Fatalf("key = %+v", k)
			}
			got, err := s.Authenticate(ctx, secret)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != k.ID || got.Scope() != scope || got.RateLimit != 120 {
				t.Fatalf("Authenticate = %+v, want id %s scope %+v", got, k.ID, scope)
			}
		})
	}
}

func TestAuthenticateRejects(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	scope := newScope(t, s)
	_, secret, err := s.CreateAPIKey(ctx, scope, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, secret string }{
		{"empty", ""},
		{"wrong prefix", "sk_test_" + secret[8:]},
		{"too short", secret[:30]},
		{"bad chars", secret[:20] + "-" + secret[21:]},
		{"unknown", "bh_test_" + strings.Repeat("a", 40)},
		{"other mode", "bh_live_" + secret[8:]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Authenticate(ctx, tt.secret)
			wantCode(t, err, core.EUNAUTHORIZED)
		})
	}
}

func TestRevoke(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	scope := newScope(t, s)
	k, secret, err := s.CreateAPIKey(ctx, scope, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	other := newScope(t, s)
	wantCode(t, s.RevokeAPIKey(ctx, other, k.ID), core.ENOTFOUND)
	if err := s.RevokeAPIKey(ctx, scope, k.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.Authenticate(ctx, secret)
	wantCode(t, err, core.EUNAUTHORIZED)
	wantCode(t, s.RevokeAPIKey(ctx, scope, k.ID), core.ENOTFOUND)
	list, err := s.ListAPIKeys(ctx, scope, core.Page{Limit: 10})
	if err != nil || len(list.Data) != 0 {
		t.Fatalf("ListAPIKeys after revoke = %v, %v; want empty", list.Data, err)
	}
}

func TestEnsureAPIKey(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	secret := "bh_live_" + strings.Repeat("Ab3", 12)
	first, err := s.EnsureAPIKey(ctx, "acct_boot", secret)
	if err != nil {
		t.Fatal(err)
	}
	if !first.Livemode || first.AccountID != "acct_boot" {
		t.Fatalf("EnsureAPIKey = %+v, want live key of acct_boot", first)
	}
	again, err := s.EnsureAPIKey(ctx, "acct_boot", secret)
	if err != nil || again.ID != first.ID {
		t.Fatalf("second EnsureAPIKey = %+v, %v; want id %s", again, err, first.ID)
	}
	if got, err := s.Authenticate(ctx, secret); err != nil || got.ID != first.ID {
		t.Fatalf("Authenticate = %+v, %v", got, err)
	}
	scopes, err := s.ListScopes(ctx)
	if err != nil || len(scopes) != 1 || scopes[0] != (core.Scope{AccountID: "acct_boot", Livemode: true}) {
		t.Fatalf("ListScopes = %+v, %v", scopes, err)
	}
	if err := s.RevokeAPIKey(ctx, first.Scope(), first.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.EnsureAPIKey(ctx, "acct_boot", secret)
	wantCode(t, err, core.ECONFLICT)

	for _, bad := range []string{"", "bh_test_short", "bh_test_" + strings.Repeat("-", 40)} {
		_, err := s.EnsureAPIKey(ctx, "acct_boot", bad)
		wantCode(t, err, core.EINVALID)
	}
	_, err = s.EnsureAPIKey(ctx, "acct_{x}", "bh_test_"+strings.Repeat("a", 40))
	wantCode(t, err, core.EINVALID)
}

func TestListAPIKeysPages(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	scope := newScope(t, s)
	var ids []string // oldest first
	for range 5 {
		k, _, err := s.CreateAPIKey(ctx, scope, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, k.ID)
	}
	order := slices.Clone(ids)
	slices.Reverse(order) // newest first
	tests := []struct {
		name     string
		page     core.Page
		want     []string
		wantMore bool
	}{
		{"first", core.Page{Limit: 2}, order[:2], true},
		{"after", core.Page{Limit: 2, StartingAfter: order[1]}, order[2:4], true},
		{"last", core.Page{Limit: 2, StartingAfter: order[3]}, order[4:], false},
		{"before", core.Page{Limit: 2, EndingBefore: order[4]}, order[2:4], true},
		{"before first", core.Page{Limit: 2, EndingBefore: order[0]}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ListAPIKeys(ctx, scope, tt.page)
			if err != nil {
				t.Fatal(err)
			}
			var gotIDs []string
			for _, k := range got.Data {
				gotIDs = append(gotIDs, k.ID)
			}
			if strings.Join(gotIDs, ",") != strings.Join(tt.want, ",") || got.HasMore != tt.wantMore {
				t.Fatalf("got %v more %v, want %v more %v", gotIDs, got.HasMore, tt.want, tt.wantMore)
			}
		})
	}
	_, err := s.ListAPIKeys(ctx, scope, core.Page{StartingAfter: "key_nope"})
	if e := err.(*core.Error); e.Param != "starting_after" {
		t.Fatalf("unknown cursor error = %v, want param starting_after", err)
	}
}
