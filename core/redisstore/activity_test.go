package redisstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/redis/go-redis/v9"
)

// reqIDs returns n request ids made a millisecond apart from at, oldest
// first.
func reqIDs(at time.Time, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = core.NewRequestID(at.Add(time.Duration(i) * time.Millisecond))
	}
	return ids
}

// pageIDs lists a page of scope's activity as "i,i,…", i being the index
// in ids of each request listed.
func pageIDs(t *testing.T, s *redisstore.Store, scope core.Scope, page core.Page, ids []string) (string, bool) {
	t.Helper()
	got, err := s.ListActivity(context.Background(), scope, page)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range got.Data {
		out = append(out, fmt.Sprint(slices.Index(ids, a.ID)))
	}
	return strings.Join(out, ","), got.HasMore
}

func TestActivityPages(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	scope := newScope(t, s)
	start := time.Now().Truncate(time.Millisecond)
	ids := reqIDs(start, 6)
	ids[4] = core.NewRequestID(start.Add(3 * time.Millisecond)) // two requests in one millisecond
	for i, id := range ids {
		a := &core.Activity{ID: id, Method: "POST", Path: "/v1/events", Status: 200 + i, KeyID: "key_1",
			LatencyMS: 1.234, ClientIP: "10.0.0.1"}
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
		{"starting_after", core.Page{Limit: 4, StartingAfter: ids[2]}, "1,0", false},
		{"starting_after in a shared millisecond", core.Page{Limit: 2, StartingAfter: ids[4]}, "3,2", true},
		{"ending_before", core.Page{Limit: 2, EndingBefore: ids[2]}, "4,3", true},
		{"ending_before top", core.Page{Limit: 2, EndingBefore: ids[4]}, "5", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, more := pageIDs(t, s, scope, tt.page, ids)
			if got != tt.want || more != tt.wantMore {
				t.Fatalf("got %v more %v, want %s more %v", got, more, tt.want, tt.wantMore)
			}
		})
	}
	got, _ := s.ListActivity(ctx, scope, core.Page{Limit: 1})
	want := core.Activity{ID: ids[5], Method: "POST", Path: "/v1/events", Status: 205, KeyID: "key_1",
		LatencyMS: 1.234, ClientIP: "10.0.0.1", CreatedAt: start.Add(5 * time.Millisecond).UTC()}
	if a := got.Data[0]; *a != want {
		t.Fatalf("activity = %+v, want %+v", a, want)
	}
	for _, cursor := range []string{"req_nope", core.NewRequestID(start)} {
		_, err := s.ListActivity(ctx, scope, core.Page{StartingAfter: cursor})
		if e, ok := err.(*core.Error); !ok || e.Param != "starting_after" {
			t.Fatalf("unknown cursor %s: %v, want EINVALID naming starting_after", cursor, err)
		}
	}
	other, err := s.ListActivity(ctx, newScope(t, s), core.Page{Limit: 10})
	if err != nil || len(other.Data) != 0 {
		t.Fatalf("another account's activity = %v, %v; want none", other.Data, err)
	}
	for _, want := range []core.Activity{
		{ID: core.NewRequestID(time.Now()), Method: "PATCH", Path: "/v1/endpoints/ep_1", Status: 200, UserID: "user_1",
			ClientIP: "2001:db8::1"},
		{ID: core.NewRequestID(time.Now()), Method: "GET", Path: "/v1/events", Status: 401,
			ClientIP: "255.255.255.255"},
	} {
		want.CreatedAt = time.UnixMilli(mustParseReqMS(t, want.ID)).UTC() // created_at is the id's millisecond
		if err := s.RecordActivity(ctx, scope, &want); err != nil {
			t.Fatal(err)
		}
		l, _ := s.ListActivity(ctx, scope, core.Page{Limit: 1})
		if got := *l.Data[0]; got != want {
			t.Errorf("activity = %+v, want %+v", got, want)
		}
	}
	if err := s.RecordActivity(ctx, scope, &core.Activity{ID: "req_0"}); core.ErrorCode(err) != core.EINVALID {
		t.Errorf("recording an id not made by NewRequestID: %v, want EINVALID", err)
	}
}

// TestActivityRoutesStoredAsNumbers: the routes requested most are stored
// as their number, one byte where the text took ~16, and read back as
// the route; a number this release does not know reads as such.
func TestActivityRoutesStoredAsNumbers(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	scope := newScope(t, s)
	a := &core.Activity{ID: core.NewRequestID(time.Now()), Method: "POST", Path: "/v1/events/batch", Status: 200, KeyID: "key_1"}
	if err := s.RecordActivity(ctx, scope, a); err != nil {
		t.Fatal(err)
	}
	key := r.Prefix + "{" + scope.AccountID + "}:test:activity"
	entries, err := r.Client.XRange(ctx, key, "-", "+").Result()
	if err != nil || len(entries) != 1 || entries[0].Values["m"] != "2" {
		t.Fatalf("stored %v, %v; want m = 2, the batch publish's number", entries, err)
	}
	if d, ok := entries[0].Values["d"]; ok {
		t.Errorf("an entry at its request's millisecond stored d = %v, want none", d)
	}
	fields := entries[0].Values
	fields["m"] = "999" // a route a later release numbered
	if err := r.Client.XAdd(ctx, &redis.XAddArgs{Stream: key, Values: fields}).Err(); err != nil {
		t.Fatal(err)
	}
	got, err := s.ListActivity(ctx, scope, core.Page{Limit: 2})
	if err != nil || len(got.Data) != 2 {
		t.Fatalf("ListActivity = %v, %v", got.Data, err)
	}
	if got.Data[1].Method != "POST" || got.Data[1].Path != "/v1/events/batch" || got.Data[0].Method+" "+got.Data[0].Path != "? #999" {
		t.Errorf("read back %s %s and %s %s, want POST /v1/events/batch and ? #999",
			got.Data[1].Method, got.Data[1].Path, got.Data[0].Method, got.Data[0].Path)
	}
}

// TestActivityActorsStoredAsNumbers: who made a request is stored as its
// number in the account's actors hash, the same number each time, one per
// key or user and per account, and read back as the id; an entry of an
// earlier version, holding the id itself, still reads.
func TestActivityActorsStoredAsNumbers(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	scope, other := newScope(t, s), newScope(t, s)
	record := func(scope core.Scope, at time.Time, keyID, userID string) {
		t.Helper()
		a := &core.Activity{ID: core.NewRequestID(at), Method: "GET", Path: "/v1/events", Status: 200, KeyID: keyID, UserID: userID}
		if err := s.RecordActivity(ctx, scope, a); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	actors := []struct{ key, user string }{{"key_A", ""}, {"", "user_B"}, {"key_A", ""}, {"", ""}, {"key_C", ""}}
	for i, a := range actors {
		record(scope, start.Add(time.Duration(i)*time.Millisecond), a.key, a.user)
	}
	record(other, start, "key_C", "")
	stored := func(scope core.Scope) []any {
		t.Helper()
		entries, err := r.Client.XRange(ctx, r.Prefix+"{"+scope.AccountID+"}:test:activity", "-", "+").Result()
		if err != nil {
			t.Fatal(err)
		}
		var by []any
		for _, e := range entries {
			by = append(by, e.Values["by"])
		}
		return by
	}
	if got, want := fmt.Sprint(stored(scope)), "[1 2 1  3]"; got != want {
		t.Errorf("stored by = %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(stored(other)), "[1]"; got != want {
		t.Errorf("the other account's stored by = %s, want %s (numbered on its own)", got, want)
	}
	key := r.Prefix + "{" + scope.AccountID + "}:test:activity"
	if err := r.Client.XAdd(ctx, &redis.XAddArgs{Stream: key, Values: []any{"r", 7, "d", 0, "m", 1, "s", 201, "by", "key_old", "l", 5, "ip", "::1"}}).Err(); err != nil {
		t.Fatal(err)
	}
	got, err := s.ListActivity(ctx, scope, core.Page{Limit: 10})
	if err != nil || len(got.Data) != 6 {
		t.Fatalf("ListActivity = %v, %v", got.Data, err)
	}
	var read []string
	for _, a := range got.Data {
		read = append(read, a.KeyID+"/"+a.UserID)
	}
	if got, want := strings.Join(read, " "), "key_old/ key_C/ / key_A/ /user_B key_A/"; got != want {
		t.Errorf("read back %s, want %s", got, want)
	}
	l, err := s.ListActivity(ctx, other, core.Page{Limit: 10})
	if err != nil || len(l.Data) != 1 || l.Data[0].KeyID != "key_C" {
		t.Errorf("the other account reads %v, %v; want its key_C", l.Data, err)
	}
}

func mustParseReqMS(t *testing.T, id string) int64 {
	t.Helper()
	ms, _, ok := core.ParseRequestID(id)
	if !ok {
		t.Fatalf("ParseRequestID(%q) not ok", id)
	}
	return ms
}

// TestActivityLateEntry: a request recorded after a later one (a slow
// request, another hub) goes in after it, keeps its id and time, and still
// serves as a cursor.
func TestActivityLateEntry(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	scope := newScope(t, s)
	start := time.Now().Truncate(time.Millisecond)
	ids := reqIDs(start, 4)
	for _, i := range []int{0, 2, 1, 3} { // 1 is recorded late
		if err := s.RecordActivity(ctx, scope, &core.Activity{ID: ids[i], Method: "GET", Path: "/v1/events", Status: 200}); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := pageIDs(t, s, scope, core.Page{Limit: 10}, ids); got != "3,1,2,0" {
		t.Errorf("listed %s, want 3,1,2,0 (the late one where it was filed)", got)
	}
	if got, _ := pageIDs(t, s, scope, core.Page{Limit: 10, StartingAfter: ids[1]}, ids); got != "2,0" {
		t.Errorf("after the late one: %s, want 2,0", got)
	}
	if got, _ := pageIDs(t, s, scope, core.Page{Limit: 10, EndingBefore: ids[1]}, ids); got != "3" {
		t.Errorf("before the late one: %s, want 3", got)
	}
	l, _ := s.ListActivity(ctx, scope, core.Page{Limit: 10})
	if a := l.Data[1]; a.ID != ids[1] || !a.CreatedAt.Equal(start.Add(time.Millisecond)) {
		t.Errorf("late entry = %s at %v, want %s at %v", a.ID, a.CreatedAt, ids[1], start.Add(time.Millisecond))
	}
}

// TestActivityUpgrade: entries an earlier version wrote (field a, the JSON,
// and a per-day index of request ids) are listed beside new ones, and their
// request ids still serve as cursors.
func TestActivityUpgrade(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	scope := newScope(t, s)
	key := r.Prefix + "{" + scope.AccountID + "}:test:activity"
	index := key + ":idx:" + time.Now().UTC().Format("20060102")
	old := []string{"req_0123456789abcdef01234567", "req_89abcdef0123456789abcdef"}
	for i, id := range old {
		b, _ := json.Marshal(core.Activity{ID: id, Method: "POST", Path: "/v1/events", Status: 201 + i, KeyID: "key_old",
			LatencyMS: 2.5, ClientIP: "10.0.0.2", CreatedAt: time.Now().UTC()})
		sid, err := r.Client.XAdd(ctx, &redis.XAddArgs{Stream: key, Values: []any{"a", string(b)}}).Result()
		if err != nil {
			t.Fatal(err)
		}
		r.Client.HSet(ctx, index, id, sid)
	}
	ids := append(old, reqIDs(time.Now().Add(time.Second), 2)...) // new ones after the old
	for _, id := range ids[2:] {
		if err := s.RecordActivity(ctx, scope, &core.Activity{ID: id, Method: "GET", Path: "/v1/activity", Status: 200, KeyID: "key_new"}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		page core.Page
		want string
	}{
		{"all", core.Page{Limit: 10}, "3,2,1,0"},
		{"after an old one", core.Page{Limit: 10, StartingAfter: old[1]}, "0"},
		{"before an old one", core.Page{Limit: 10, EndingBefore: old[1]}, "3,2"},
		{"after a new one", core.Page{Limit: 10, StartingAfter: ids[2]}, "1,0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _ := pageIDs(t, s, scope, tt.page, ids); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
	l, _ := s.ListActivity(ctx, scope, core.Page{Limit: 10})
	if a := l.Data[2]; a.ID != old[1] || a.Status != 202 || a.KeyID != "key_old" || a.LatencyMS != 2.5 {
		t.Errorf("old entry = %+v, want it as written", a)
	}
}

func TestActivityRetentionTrims(t *testing.T) {
	ctx := context.Background()
	s, mr := newMiniStore(t, redisstore.Options{ActivityRetention: time.Hour})
	scope := core.Scope{AccountID: "acct_a"}
	start := time.Now()
	mr.SetTime(start)
	oldID, newID := core.NewRequestID(start), core.NewRequestID(start.Add(time.Hour+time.Second))
	if err := s.RecordActivity(ctx, scope, &core.Activity{ID: oldID}); err != nil {
		t.Fatal(err)
	}
	mr.SetTime(start.Add(time.Hour + time.Second))
	if err := s.RecordActivity(ctx, scope, &core.Activity{ID: newID}); err != nil {
		t.Fatal(err)
	}
	got, err := s.ListActivity(ctx, scope, core.Page{Limit: 10})
	if err != nil || len(got.Data) != 1 || got.Data[0].ID != newID {
		t.Fatalf("after the window: %v, %v; want only %s", got.Data, err, newID)
	}
}
