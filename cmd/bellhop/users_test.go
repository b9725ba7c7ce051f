package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/redistest"
	"github.com/bellhop/bellhop/core/users"
)

// runUsers runs `bellhop users args…` against r with stdin, returning its
// output and error.
func runUsers(t *testing.T, r *redistest.Redis, stdin string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	env := map[string]string{"REDIS_URL": r.URL}
	cmd := newUsersCommand(func(k string) string { return env[k] }, strings.NewReader(stdin), &out)
	cmd.SetArgs(append(args, "--redis-prefix", r.Prefix))
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

func TestUsersCreateAndList(t *testing.T) {
	r := redistest.New(t)
	const password = "a long and unusual passphrase"
	out, err := runUsers(t, r, password+"\r\n", "create", "--email", "Ann@Example.com", "--role", "owner")
	if err != nil {
		t.Fatalf("users create: %v\n%s", err, out)
	}
	if !strings.Contains(out, "user:    user_") || !strings.Contains(out, "account: acct_default") || strings.Contains(out, password) {
		t.Fatalf("users create printed:\n%s", out)
	}

	store := redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix})
	u, err := users.New(store, store, time.Now).SignIn(context.Background(), "ann@example.com", password, "")
	if err != nil || u.Role != core.RoleOwner || u.AccountID != defaultAccount {
		t.Fatalf("signing in with the piped password = %+v, %v", u, err)
	}

	for _, tc := range []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"common password", "qwertyuiop1234\n", []string{"--email", "bob@example.com", "--role", "viewer"}, "password: "},
		{"no password", "", []string{"--email", "bob@example.com", "--role", "viewer"}, "no password on stdin"},
		{"bad role", password, []string{"--email", "bob@example.com", "--role", "admin"}, "--role must be"},
		{"email taken", password, []string{"--email", "ann@example.com", "--role", "viewer"}, "email: A user with this email already exists."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runUsers(t, r, tc.stdin, append([]string{"create"}, tc.args...)...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to say %q", err, tc.want)
			}
		})
	}

	runUsers(t, r, password, "create", "--email", "dev@example.com", "--role", "developer", "--account", "acct_other")
	out, err = runUsers(t, r, "", "list")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "ann@example.com") || !strings.Contains(out, "owner") || strings.Contains(out, "dev@example.com") {
		t.Fatalf("users list (acct_default):\n%s", out)
	}
	if out, _ := runUsers(t, r, "", "list", "--account", "acct_other"); !strings.Contains(out, "dev@example.com") {
		t.Fatalf("users list --account acct_other:\n%s", out)
	}
}

// TestServePrintsSetupLink: a hub with no user prints a one-time link to
// create the first owner; once one exists, the console's address alone.
func TestServePrintsSetupLink(t *testing.T) {
	r := redistest.New(t)
	h := startHubOn(t, r, nil)
	h.stop(t)
	m := regexp.MustCompile(`Console:  http://[^/]+/setup\?token=(bh_setup_[A-Za-z0-9_-]{43})  \(one-time link`).FindStringSubmatch(h.out.String())
	if m == nil {
		t.Fatalf("no setup link in:\n%s", h.out.String())
	}
	store := redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix})
	svc := users.New(store, store, time.Now)
	if _, err := svc.CompleteSetup(context.Background(), m[1], defaultAccount, "ann@example.com", "a long and unusual passphrase"); err != nil {
		t.Fatalf("CompleteSetup with the printed token: %v", err)
	}

	h = startHubOn(t, r, nil)
	h.stop(t)
	out := h.out.String()
	if strings.Contains(out, "setup?token") || !regexp.MustCompile(`Console:  http://[^/]+/\n`).MatchString(out) {
		t.Fatalf("with an owner the hub printed:\n%s", out)
	}
}

// `bellhop users` beside a hub reads the hub's BELLHOP_REDIS_PREFIX, as
// serve does: a user created without --redis-prefix lands where the hub
// looks.
func TestUsersCommandReadsTheHubsPrefix(t *testing.T) {
	r := redistest.New(t)
	env := map[string]string{"REDIS_URL": r.URL, "BELLHOP_REDIS_PREFIX": r.Prefix}
	var out bytes.Buffer
	cmd := newUsersCommand(func(k string) string { return env[k] }, strings.NewReader("a long and unusual passphrase\n"), &out)
	cmd.SetArgs([]string{"create", "--email", "cy@example.com", "--role", "viewer"})
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("users create: %v\n%s", err, out.String())
	}
	store := redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix})
	list, err := users.New(store, store, time.Now).ListUsers(context.Background(), defaultAccount)
	if err != nil || len(list) != 1 || list[0].Email != "cy@example.com" {
		t.Fatalf("users under the hub's prefix: %+v, %v", list, err)
	}
}
