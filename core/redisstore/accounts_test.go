package redisstore_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/bellhop/bellhop/core"
)

func TestFindAndUpdateAccount(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	scope := newScope(t, s)

	a, err := s.FindAccount(ctx, scope.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "test" || a.DeveloperContact != "" {
		t.Fatalf("FindAccount = %+v", a)
	}
	_, err = s.FindAccount(ctx, "acct_nosuch")
	wantCode(t, err, core.ENOTFOUND)

	name, contact := "  Hotel Aurora ", "dev@aurora.example"
	got, err := s.UpdateAccount(ctx, scope.AccountID, core.AccountUpdate{Name: &name, DeveloperContact: &contact})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Hotel Aurora" || got.DeveloperContact != contact || !got.CreatedAt.Equal(a.CreatedAt) {
		t.Fatalf("UpdateAccount = %+v", got)
	}
	// A nil field is kept.
	other := "Aurora Group"
	if _, err := s.UpdateAccount(ctx, scope.AccountID, core.AccountUpdate{Name: &other}); err != nil {
		t.Fatal(err)
	}
	if a, _ = s.FindAccount(ctx, scope.AccountID); a.Name != other || a.DeveloperContact != contact {
		t.Fatalf("after name-only update: %+v", a)
	}
	// "" clears the contact.
	empty := ""
	if a, err = s.UpdateAccount(ctx, scope.AccountID, core.AccountUpdate{DeveloperContact: &empty}); err != nil || a.DeveloperContact != "" {
		t.Fatalf("clearing the contact: %+v, %v", a, err)
	}

	_, err = s.UpdateAccount(ctx, "acct_nosuch", core.AccountUpdate{Name: &name})
	wantCode(t, err, core.ENOTFOUND)
}

func TestUpdateAccountRefuses(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	scope := newScope(t, s)
	str := func(v string) *string { return &v }
	tests := []struct {
		name  string
		in    core.AccountUpdate
		param string
	}{
		{"blank name", core.AccountUpdate{Name: str("   ")}, "name"},
		{"long name", core.AccountUpdate{Name: str(strings.Repeat("é", 101))}, "name"},
		{"not an email", core.AccountUpdate{DeveloperContact: str("dev at example")}, "developer_contact"},
		{"a display name", core.AccountUpdate{DeveloperContact: str("Dev <dev@example.com>")}, "developer_contact"},
		{"two addresses", core.AccountUpdate{DeveloperContact: str("a@example.com, b@example.com")}, "developer_contact"},
		{"no domain dot", core.AccountUpdate{DeveloperContact: str("dev@localhost")}, "developer_contact"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.UpdateAccount(ctx, scope.AccountID, tt.in)
			var e *core.Error
			if !errors.As(err, &e) || e.Code != core.EINVALID || e.Param != tt.param {
				t.Fatalf("err = %v, want EINVALID on %s", err, tt.param)
			}
		})
	}
	if a, _ := s.FindAccount(ctx, scope.AccountID); a.Name != "test" {
		t.Fatalf("a refused update changed the account: %+v", a)
	}
}

// Two owners saving different fields at once both keep their change.
func TestUpdateAccountConcurrent(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	scope := newScope(t, s)
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if i%2 == 0 {
				n := "Name"
				_, err = s.UpdateAccount(ctx, scope.AccountID, core.AccountUpdate{Name: &n})
			} else {
				c := "dev@example.com"
				_, err = s.UpdateAccount(ctx, scope.AccountID, core.AccountUpdate{DeveloperContact: &c})
			}
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if a, _ := s.FindAccount(ctx, scope.AccountID); a.Name != "Name" || a.DeveloperContact != "dev@example.com" {
		t.Fatalf("after concurrent updates: %+v", a)
	}
}
