package redisstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/redis/go-redis/v9"
)

// TestRedisGoesAway closes the embedded Redis mid-test: every call must then
// answer EUNAVAILABLE with the message the API shows, never Go error text.
func TestRedisGoesAway(t *testing.T) {
	ctx := context.Background()
	mr := miniredis.RunT(t)
	// No retries: each call fails at once instead of backing off.
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr(), MaxRetries: -1, DialerRetries: 1, DialerRetryTimeout: time.Millisecond})
	defer rdb.Close()
	s := redisstore.New(rdb, redisstore.Options{})
	scope := core.Scope{AccountID: "acct_gone"}
	_, secret, err := s.CreateAPIKey(ctx, scope, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	mr.Close()
	ev := testEvent("evt_1", "t", "p", time.Now())
	calls := []struct {
		name string
		call func() error
	}{
		{"Ping", func() error { return s.Ping(ctx) }},
		{"Authenticate", func() error { _, err := s.Authenticate(ctx, secret); return err }},
		{"AppendEvent", func() error { _, _, err := s.AppendEvent(ctx, scope, ev); return err }},
		{"FindEvent", func() error { _, err := s.FindEvent(ctx, scope, "evt_1"); return err }},
		{"ListEvents", func() error { _, err := s.ListEvents(ctx, scope, core.EventFilter{}); return err }},
		{"BeginIdempotent", func() error {
			_, err := s.NewIdempotency(redisstore.IdempotencyOptions{}).BeginIdempotent(ctx, scope, "k", "f")
			return err
		}},
		{"AllowRequest", func() error { _, err := s.AllowRequest(ctx, "key_1", 10); return err }},
		{"RecordActivity", func() error { return s.RecordActivity(ctx, scope, &core.Activity{ID: core.NewRequestID(time.Now())}) }},
		{"SaveEventType", func() error { return s.SaveEventType(ctx, scope, &core.EventType{Type: "a.b"}) }},
	}
	for _, tt := range calls {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var e *core.Error
			if !errors.As(err, &e) || e.Code != core.EUNAVAILABLE || core.ErrorMessage(err) != "The data store is unavailable. Please retry." {
				t.Fatalf("err = %v, want EUNAVAILABLE", err)
			}
		})
	}
}
