package users_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/redistest"
	"github.com/bellhop/bellhop/core/users"
)

var _ users.Store = (*redisstore.Store)(nil)

const (
	acct     = "acct_test"
	goodPass = "correct horse battery staple"
)

// clock is a settable time for the service.
type clock struct{ offset atomic.Int64 }

func (c *clock) now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// newService returns a Service on a fresh store under the test's prefix,
// the store (its session store) and the service's clock.
func newService(t *testing.T) (*users.Service, *redisstore.Store, *clock) {
	t.Helper()
	r := redistest.New(t)
	store := redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix})
	c := &clock{}
	return users.New(store, store, c.now), store, c
}

func wantErr(t *testing.T, err error, code, param string) {
	t.Helper()
	var e *core.Error
	if core.ErrorCode(err) != code {
		t.Fatalf("error = %v, want code %q", err, code)
	}
	if param != "" && (!errors.As(err, &e) || e.Param != param) {
		t.Fatalf("error = %v, want param %q", err, param)
	}
}

func mustCreate(t *testing.T, svc *users.Service, email string, role core.Role) *core.User {
	t.Helper()
	u, err := svc.CreateUser(context.Background(), acct, email, goodPass, role)
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", email, err)
	}
	return u
}

func TestCreateAndSignIn(t *testing.T) {
	ctx := context.Background()
	svc, _, _ := newService(t)
	u := mustCreate(t, svc, "  Ann@Example.COM ", core.RoleOwner)
	if u.Email != "ann@example.com" || !strings.HasPrefix(u.ID, "user_") || u.AccountID != acct || u.Role != core.RoleOwner {
		t.Fatalf("created %+v", u)
	}
	got, err := svc.SignIn(ctx, "ANN@example.com", goodPass, "10.0.0.1")
	if err != nil || got.ID != u.ID {
		t.Fatalf("SignIn = %+v, %v; want %s", got, err, u.ID)
	}
	if got, err := svc.GetUser(ctx, acct, u.ID); err != nil || got.Email != u.Email {
		t.Fatalf("GetUser = %+v, %v", got, err)
	}
	if list, err := svc.ListUsers(ctx, acct); err != nil || len(list) != 1 || list[0].ID != u.ID {
		t.Fatalf("ListUsers = %v, %v", list, err)
	}

	_, wrongPass := svc.SignIn(ctx, "ann@example.com", goodPass+"!", "10.0.0.1")
	_, unknown := svc.SignIn(ctx, "bob@example.com", goodPass, "10.0.0.1")
	for name, err := range map[string]error{"wrong password": wrongPass, "unknown email": unknown} {
		wantErr(t, err, core.EUNAUTHORIZED, "")
		if msg := core.ErrorMessage(err); msg != "Incorrect email or password." {
			t.Errorf("%s: message %q", name, msg)
		}
	}
	if wrongPass.Error() != unknown.Error() || core.ErrorReason(wrongPass) != core.ErrorReason(unknown) {
		t.Errorf("the answers differ: %v / %v", wrongPass, unknown)
	}
	_, err = svc.CreateUser(ctx, "acct_other", "ANN@example.com", goodPass, core.RoleViewer)
	wantErr(t, err, core.ECONFLICT, "email")
}

func TestCreateUserPolicy(t *testing.T) {
	svc, _, _ := newService(t)
	for _, tc := range []struct {
		name, email, password string
		role                  core.Role
		param                 string
	}{
		{"no at", "ann.example.com", goodPass, core.RoleOwner, "email"},
		{"display name", "Ann <ann@example.com>", goodPass, core.RoleOwner, "email"},
		{"no domain dot", "ann@localhost", goodPass, core.RoleOwner, "email"},
		{"short", "ann@example.com", "9chars!!!", core.RoleOwner, "password"},
		{"long", "ann@example.com", strings.Repeat("x", 257), core.RoleOwner, "password"},
		{"common", "ann@example.com", "QwertyUIOP", core.RoleOwner, "password"},
		{"common digits", "ann@example.com", "1234567890", core.RoleOwner, "password"},
		{"role", "ann@example.com", goodPass, core.Role("admin"), "role"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.CreateUser(context.Background(), acct, tc.email, tc.password, tc.role)
			wantErr(t, err, core.EINVALID, tc.param)
		})
	}
	if _, err := svc.CreateUser(context.Background(), acct, "ann@example.com", strings.Repeat("é", 10), core.RoleOwner); err != nil {
		t.Errorf("10 characters in 20 bytes: %v", err)
	}
}

func TestLockout(t *testing.T) {
	ctx := context.Background()
	svc, _, _ := newService(t)
	mustCreate(t, svc, "ann@example.com", core.RoleOwner)
	mustCreate(t, svc, "bob@example.com", core.RoleViewer)

	// Success clears the email's count: 4 failures, a success, 4 more.
	for round := range 2 {
		for range 4 {
			_, err := svc.SignIn(ctx, "ann@example.com", "wrong password", "10.0.0.1")
			wantErr(t, err, core.EUNAUTHORIZED, "")
		}
		if _, err := svc.SignIn(ctx, "ann@example.com", goodPass, "10.0.0.1"); err != nil {
			t.Fatalf("round %d: the right password after 4 failures: %v", round, err)
		}
	}
	for range 5 {
		svc.SignIn(ctx, "ann@example.com", "wrong password", "10.0.0.2")
	}
	_, err := svc.SignIn(ctx, "Ann@example.com", goodPass, "10.0.0.3")
	wantErr(t, err, core.ERATELIMIT, "")
	if msg := core.ErrorMessage(err); msg != "Too many sign-in attempts; try again in 15 minutes." {
		t.Errorf("message %q", msg)
	}
	if _, err := svc.SignIn(ctx, "bob@example.com", goodPass, "10.0.0.3"); err != nil {
		t.Errorf("another email is not locked: %v", err)
	}

	// 20 failures from one address, over many emails, lock the address.
	for i := range 20 {
		_, err := svc.SignIn(ctx, "nobody"+string(rune('a'+i))+"@example.com", goodPass, "10.9.9.9")
		wantErr(t, err, core.EUNAUTHORIZED, "")
	}
	_, err = svc.SignIn(ctx, "bob@example.com", goodPass, "10.9.9.9")
	wantErr(t, err, core.ERATELIMIT, "")
}

func TestInvites(t *testing.T) {
	ctx := context.Background()
	svc, _, clk := newService(t)
	owner := mustCreate(t, svc, "ann@example.com", core.RoleOwner)

	inv, token, err := svc.CreateInvite(ctx, acct, " Dev@Example.com", core.RoleDeveloper, owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(inv.ID, "inv_") || inv.Email != "dev@example.com" || inv.CreatedBy != owner.ID ||
		inv.ExpiresAt.Sub(inv.CreatedAt) != 7*24*time.Hour || !strings.HasPrefix(token, "bh_inv_") {
		t.Fatalf("invite %+v, token %q", inv, token)
	}
	if got, err := svc.LookupInvite(ctx, token); err != nil || got.ID != inv.ID {
		t.Fatalf("LookupInvite = %+v, %v", got, err)
	}
	if list, err := svc.ListInvites(ctx, acct); err != nil || len(list) != 1 || list[0].ID != inv.ID {
		t.Fatalf("ListInvites = %v, %v", list, err)
	}
	_, err = svc.AcceptInvite(ctx, token, "short")
	wantErr(t, err, core.EINVALID, "password")
	u, err := svc.AcceptInvite(ctx, token, goodPass)
	if err != nil || u.Email != "dev@example.com" || u.Role != core.RoleDeveloper || u.AccountID != acct {
		t.Fatalf("AcceptInvite = %+v, %v", u, err)
	}
	if _, err := svc.SignIn(ctx, "dev@example.com", goodPass, ""); err != nil {
		t.Fatalf("the invited user signs in: %v", err)
	}
	_, err = svc.AcceptInvite(ctx, token, goodPass)
	wantErr(t, err, core.EINVALID, "token")
	if list, _ := svc.ListInvites(ctx, acct); len(list) != 0 {
		t.Errorf("an accepted invite is still listed: %v", list)
	}

	_, _, err = svc.CreateInvite(ctx, acct, "ANN@example.com", core.RoleViewer, owner.ID)
	wantErr(t, err, core.ECONFLICT, "email")

	_, old, _ := svc.CreateInvite(ctx, acct, "late@example.com", core.RoleViewer, owner.ID)
	clk.advance(7*24*time.Hour + time.Second)
	_, err = svc.AcceptInvite(ctx, old, goodPass)
	wantErr(t, err, core.EINVALID, "token")
	if !strings.Contains(core.ErrorMessage(err), "expired") {
		t.Errorf("expired: %q", core.ErrorMessage(err))
	}

	rev, revoked, _ := svc.CreateInvite(ctx, acct, "gone@example.com", core.RoleViewer, owner.ID)
	if err := svc.RevokeInvite(ctx, acct, rev.ID); err != nil {
		t.Fatal(err)
	}
	_, err = svc.LookupInvite(ctx, revoked)
	wantErr(t, err, core.EINVALID, "token")
	wantErr(t, svc.RevokeInvite(ctx, acct, rev.ID), core.ENOTFOUND, "")
	_, err = svc.LookupInvite(ctx, "bh_inv_"+strings.Repeat("A", 43))
	wantErr(t, err, core.EINVALID, "token")
}

func TestAcceptInviteOnce(t *testing.T) {
	ctx := context.Background()
	svc, _, _ := newService(t)
	owner := mustCreate(t, svc, "ann@example.com", core.RoleOwner)
	_, token, err := svc.CreateInvite(ctx, acct, "dev@example.com", core.RoleDeveloper, owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := svc.AcceptInvite(ctx, token, goodPass); err == nil {
				wins.Add(1)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d acceptances of one invite succeeded, want 1", wins.Load())
	}
}

func TestSetup(t *testing.T) {
	ctx := context.Background()
	svc, _, _ := newService(t)
	first, err := svc.SetupToken(ctx)
	if err != nil || !strings.HasPrefix(first, "bh_setup_") {
		t.Fatalf("SetupToken = %q, %v", first, err)
	}
	token, err := svc.SetupToken(ctx) // a restart: the old link stops working
	if err != nil || token == first {
		t.Fatalf("SetupToken again = %q, %v", token, err)
	}
	_, err = svc.CompleteSetup(ctx, first, acct, "ann@example.com", goodPass)
	wantErr(t, err, core.EINVALID, "token")
	_, err = svc.CompleteSetup(ctx, token, acct, "ann@example.com", "password")
	wantErr(t, err, core.EINVALID, "password")

	var wins atomic.Int32
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			email := "owner" + string(rune('a'+i)) + "@example.com"
			if _, err := svc.CompleteSetup(ctx, token, acct, email, goodPass); err == nil {
				wins.Add(1)
			} else if core.ErrorCode(err) != core.EINVALID {
				t.Errorf("a losing CompleteSetup: %v", err)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d setups succeeded, want 1", wins.Load())
	}
	list, err := svc.ListUsers(ctx, acct)
	if err != nil || len(list) != 1 || list[0].Role != core.RoleOwner {
		t.Fatalf("users after setup = %v, %v", list, err)
	}
	if again, err := svc.SetupToken(ctx); err != nil || again != "" {
		t.Fatalf("SetupToken once a user exists = %q, %v", again, err)
	}
}

func TestLastOwner(t *testing.T) {
	ctx := context.Background()
	svc, store, _ := newService(t)
	ann := mustCreate(t, svc, "ann@example.com", core.RoleOwner)
	_, annSecret, err := store.CreateSession(ctx, ann)
	if err != nil {
		t.Fatal(err)
	}

	_, err = svc.SetRole(ctx, acct, ann.ID, core.RoleViewer)
	wantErr(t, err, core.ECONFLICT, "")
	if msg := core.ErrorMessage(err); msg != "An account needs at least one owner." {
		t.Errorf("message %q", msg)
	}
	wantErr(t, svc.DeleteUser(ctx, acct, ann.ID), core.ECONFLICT, "")
	if _, err := store.GetSession(ctx, annSecret); err != nil {
		t.Fatalf("a refused change ended the session: %v", err)
	}

	bob := mustCreate(t, svc, "bob@example.com", core.RoleDeveloper)
	if u, err := svc.SetRole(ctx, acct, bob.ID, core.RoleOwner); err != nil || u.Role != core.RoleOwner {
		t.Fatalf("SetRole(bob, owner) = %+v, %v", u, err)
	}
	if u, err := svc.SetRole(ctx, acct, ann.ID, core.RoleViewer); err != nil || u.Role != core.RoleViewer {
		t.Fatalf("SetRole(ann, viewer) = %+v, %v", u, err)
	}
	if _, err := store.GetSession(ctx, annSecret); core.ErrorCode(err) != core.EUNAUTHORIZED {
		t.Fatalf("a role change left the session: %v", err)
	}
	if got, _ := svc.GetUser(ctx, acct, ann.ID); got.Role != core.RoleViewer {
		t.Errorf("stored role %q", got.Role)
	}
	wantErr(t, svc.DeleteUser(ctx, acct, bob.ID), core.ECONFLICT, "")

	_, annSecret, _ = store.CreateSession(ctx, ann)
	if err := svc.DeleteUser(ctx, acct, ann.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := store.GetSession(ctx, annSecret); core.ErrorCode(err) != core.EUNAUTHORIZED {
		t.Fatalf("a deleted user's session lives: %v", err)
	}
	_, err = svc.SignIn(ctx, "ann@example.com", goodPass, "")
	wantErr(t, err, core.EUNAUTHORIZED, "")
	mustCreate(t, svc, "ann@example.com", core.RoleViewer) // the email is free again
	wantErr(t, svc.DeleteUser(ctx, acct, ann.ID), core.ENOTFOUND, "")
}
