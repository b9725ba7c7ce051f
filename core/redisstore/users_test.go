package redisstore_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
)

// TestUserRecords runs the user and invite records and the setup token:
// emails are unique hub-wide, an account keeps an owner, and a setup
// token or an invite is consumed once.
func TestUserRecords(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	if exists, err := s.HasUsers(ctx); err != nil || exists {
		t.Fatalf("HasUsers on an empty store = %v, %v", exists, err)
	}
	if err := s.ReplaceSetupToken(ctx, "h1"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.ConsumeSetupToken(ctx, "h0"); ok {
		t.Fatal("a wrong setup token was consumed")
	}
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if ok, err := s.ConsumeSetupToken(ctx, "h1"); err != nil {
				t.Error(err)
			} else if ok {
				wins.Add(1)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("the setup token was consumed %d times", wins.Load())
	}

	ann, err := s.InsertUser(ctx, "acct_a", "ann@example.com", core.RoleOwner, "hash-a")
	if err != nil {
		t.Fatal(err)
	}
	if exists, _ := s.HasUsers(ctx); !exists {
		t.Error("HasUsers = false with a user")
	}
	s.ReplaceSetupToken(ctx, "h2")
	if ok, _ := s.ConsumeSetupToken(ctx, "h2"); ok {
		t.Error("a setup token worked once a user exists")
	}
	_, err = s.InsertUser(ctx, "acct_b", "ann@example.com", core.RoleOwner, "x")
	wantCode(t, err, core.ECONFLICT)
	_, err = s.InsertUser(ctx, "acct_b:x", "z@example.com", core.RoleOwner, "x")
	wantCode(t, err, core.EINVALID)
	u, hash, err := s.UserByEmail(ctx, "ann@example.com")
	if err != nil || u.ID != ann.ID || hash != "hash-a" {
		t.Fatalf("UserByEmail = %+v, %q, %v", u, hash, err)
	}
	if _, err := s.UpdateUserRole(ctx, "acct_a", ann.ID, core.RoleDeveloper); core.ErrorCode(err) != core.ECONFLICT {
		t.Fatalf("demoting the last owner: %v", err)
	}
	bob, _ := s.InsertUser(ctx, "acct_a", "bob@example.com", core.RoleViewer, "hash-b")
	if _, err := s.UpdateUserRole(ctx, "acct_a", bob.ID, core.RoleOwner); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveUser(ctx, "acct_a", ann.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.RemoveUser(ctx, "acct_a", bob.ID), core.ECONFLICT)
	if list, err := s.ListUsers(ctx, "acct_a"); err != nil || len(list) != 1 || list[0].ID != bob.ID || list[0].Role != core.RoleOwner {
		t.Fatalf("ListUsers = %v, %v", list, err)
	}
	if _, _, err := s.UserByEmail(ctx, "ann@example.com"); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("a removed user's email still finds it: %v", err)
	}

	inv := &core.Invite{AccountID: "acct_a", Email: "c@example.com", Role: core.RoleViewer, ExpiresAt: time.Now().Add(time.Hour)}
	if err := s.InsertInvite(ctx, inv, "ih"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.InviteByHash(ctx, "ih"); err != nil || got.ID != inv.ID {
		t.Fatalf("InviteByHash = %+v, %v", got, err)
	}
	first, _ := s.ConsumeInvite(ctx, inv, "ih")
	second, _ := s.ConsumeInvite(ctx, inv, "ih")
	if !first || second {
		t.Errorf("ConsumeInvite twice = %v, %v; want true, false", first, second)
	}
	if list, _ := s.ListInvites(ctx, "acct_a"); len(list) != 0 {
		t.Errorf("a consumed invite is listed: %v", list)
	}

	// Failure counters: the limit restarts the window.
	for i := 1; i <= 3; i++ {
		if n, err := s.CountFailure(ctx, "email", "ann@example.com", 3, time.Minute); err != nil || n != i {
			t.Fatalf("CountFailure #%d = %d, %v", i, n, err)
		}
	}
	if n, ttl, err := s.Failures(ctx, "email", "ann@example.com"); err != nil || n != 3 || ttl <= 0 || ttl > time.Minute {
		t.Fatalf("Failures = %d, %v, %v", n, ttl, err)
	}
	s.ResetFailures(ctx, "email", "ann@example.com")
	if n, _, err := s.Failures(ctx, "email", "ann@example.com"); err != nil || n != 0 {
		t.Fatalf("Failures after reset = %d, %v", n, err)
	}
}
