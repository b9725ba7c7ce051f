package redisstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
)

func TestActivityPages(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	scope := newScope(t, s)
	for i := range 6 {
		a := &core.Activity{ID: fmt.Sprint("req_", i), Method: "POST", Path: "/v1/events", Status: 200 + i, KeyID: "key_1", CreatedAt: time.Now().UTC()}
		if err := s.RecordActivity(ctx, scope, a); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name     string
		page     core.Page
		want     string
		wantMore bool
	}{
		{"newest first", core.Page{Limit: 4}, "5,4,3,2", true},
		{"starting_after", core.Page{Limit: 4, StartingAfter: "req_2"}, "1,0", false},
		{"ending_before", core.Page{Limit: 2, EndingBefore: "req_2"}, "4,3", true},
		{"ending_before top", core.Page{Limit: 2, EndingBefore: "req_4"}, "5", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ListActivity(ctx, scope, tt.page)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, a := range got.Data {
				ids = append(ids, strings.TrimPrefix(a.ID, "req_"))
			}
			if strings.Join(ids, ",") != tt.want || got.HasMore != tt.wantMore {
				t.Fatalf("got %v more %v, want %s more %v", ids, got.HasMore, tt.want, tt.wantMore)
			}
		})
	}
	got, _ := s.ListActivity(ctx, scope, core.Page{Limit: 1})
	if a := got.Data[0]; a.Status != 205 || a.Method != "POST" || a.KeyID != "key_1" {
		t.Fatalf("activity = %+v, want the fields recorded", a)
	}
	_, err := s.ListActivity(ctx, scope, core.Page{StartingAfter: "req_nope"})
	if e, ok := err.(*core.Error); !ok || e.Param != "starting_after" {
		t.Fatalf("unknown cursor: %v, want EINVALID naming starting_after", err)
	}
	other, err := s.ListActivity(ctx, newScope(t, s), core.Page{Limit: 10})
	if err != nil || len(other.Data) != 0 {
		t.Fatalf("another account's activity = %v, %v; want none", other.Data, err)
	}
}

func TestActivityRetentionTrims(t *testing.T) {
	ctx := context.Background()
	s, mr := newMiniStore(t, redisstore.Options{ActivityRetention: time.Hour})
	scope := core.Scope{AccountID: "acct_a"}
	start := time.Now()
	mr.SetTime(start)
	if err := s.RecordActivity(ctx, scope, &core.Activity{ID: "req_old"}); err != nil {
		t.Fatal(err)
	}
	mr.SetTime(start.Add(time.Hour + time.Second))
	if err := s.RecordActivity(ctx, scope, &core.Activity{ID: "req_new"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.ListActivity(ctx, scope, core.Page{Limit: 10})
	if err != nil || len(got.Data) != 1 || got.Data[0].ID != "req_new" {
		t.Fatalf("after the window: %v, %v; want only req_new", got.Data, err)
	}
}
