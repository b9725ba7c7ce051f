package redisstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/core"
)

func TestScriptVersions(t *testing.T) {
	s, _ := newStore(t)
	ctx, scope := context.Background(), newScope(t, s)
	sc := &core.Script{Name: "vip", Source: "function transform(e) { return e }"}
	if err := s.CreateScript(ctx, scope, sc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sc.ID, "scr_") || sc.Version != 1 {
		t.Fatalf("created = %+v, want scr_ id and version 1", sc)
	}
	src2 := "function transform(e) { return null }"
	up, err := s.UpdateScript(ctx, scope, sc.ID, core.ScriptUpdate{Source: &src2})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		version int
		wantSrc string
		wantVer int
	}{
		{"latest", 0, src2, 2},
		{"version 1", 1, sc.Source, 1},
		{"version 2", 2, src2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *core.Script
			if tt.version == 0 {
				got, err = s.FindScript(ctx, scope, sc.ID)
			} else {
				got, err = s.FindScriptVersion(ctx, scope, sc.ID, tt.version)
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Source != tt.wantSrc || got.Version != tt.wantVer || got.Name != "vip" {
				t.Errorf("got %+v, want source %q version %d", got, tt.wantSrc, tt.wantVer)
			}
		})
	}
	if up.Version != 2 {
		t.Errorf("update returned version %d, want 2", up.Version)
	}
	_, err = s.FindScriptVersion(ctx, scope, sc.ID, 3)
	wantCode(t, err, core.ENOTFOUND)
	_, err = s.FindScript(ctx, core.Scope{AccountID: "acct_other"}, sc.ID)
	wantCode(t, err, core.ENOTFOUND)
}

func TestScriptList(t *testing.T) {
	s, _ := newStore(t)
	ctx, scope := context.Background(), newScope(t, s)
	for _, name := range []string{"a", "b", "c"} {
		if err := s.CreateScript(ctx, scope, &core.Script{Name: name, Source: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	list, err := s.ListScripts(ctx, scope, core.Page{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Data) != 2 || !list.HasMore {
		t.Fatalf("page = %d items, has_more %v; want 2 and true", len(list.Data), list.HasMore)
	}
	live, err := s.ListScripts(ctx, core.Scope{AccountID: scope.AccountID, Livemode: true}, core.Page{})
	if err != nil || len(live.Data) != 0 {
		t.Fatalf("live list = %v %v, want empty: test scripts are not live", live.Data, err)
	}
}

func TestScriptDeleteRefusedWhileUsed(t *testing.T) {
	s, _ := newStore(t)
	ctx, scope := context.Background(), newScope(t, s)
	sc := &core.Script{Name: "x", Source: "x"}
	if err := s.CreateScript(ctx, scope, sc); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"whe_2", "conn_1"} {
		if err := s.AttachScript(ctx, scope, sc.ID, u); err != nil {
			t.Fatal(err)
		}
	}
	err := s.DeleteScript(ctx, scope, sc.ID)
	wantCode(t, err, core.ECONFLICT)
	if msg := core.ErrorMessage(err); !strings.Contains(msg, "conn_1, whe_2") {
		t.Errorf("message = %q, want it to list the users", msg)
	}
	users, err := s.ScriptUsers(ctx, scope, sc.ID)
	if err != nil || strings.Join(users, ",") != "conn_1,whe_2" {
		t.Errorf("users = %v %v", users, err)
	}
	for _, u := range users {
		if err := s.DetachScript(ctx, scope, sc.ID, u); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteScript(ctx, scope, sc.ID); err != nil {
		t.Fatalf("delete after detaching: %v", err)
	}
	_, err = s.FindScript(ctx, scope, sc.ID)
	wantCode(t, err, core.ENOTFOUND)
	wantCode(t, s.DeleteScript(ctx, scope, sc.ID), core.ENOTFOUND)
	wantCode(t, s.AttachScript(ctx, scope, sc.ID, "whe_3"), core.ENOTFOUND)
}
