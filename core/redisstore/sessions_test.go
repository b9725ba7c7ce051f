package redisstore_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
)

func sessionKey(prefix, secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return prefix + "session:" + hex.EncodeToString(sum[:])
}

// TestSessions starts, reads, switches and ends sessions: the idle timeout
// is renewed by a read but never past the absolute end, and ending a
// user's sessions ends all of theirs and no one else's.
func TestSessions(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	ann := &core.User{ID: "user_ann", AccountID: "acct_a", Role: core.RoleOwner}
	bob := &core.User{ID: "user_bob", AccountID: "acct_a", Role: core.RoleViewer}

	sess, secret, err := s.CreateSession(ctx, ann)
	if err != nil {
		t.Fatal(err)
	}
	if sess.UserID != ann.ID || sess.AccountID != "acct_a" || sess.Livemode || len(sess.CSRFToken) < 40 ||
		sess.ExpiresAt.Sub(sess.CreatedAt) != redisstore.SessionLifetime || len(secret) != 43 {
		t.Fatalf("session %+v, secret %q", sess, secret)
	}
	_, other, _ := s.CreateSession(ctx, ann)
	got, err := s.GetSession(ctx, secret)
	if err != nil || got.UserID != ann.ID || got.CSRFToken != sess.CSRFToken {
		t.Fatalf("GetSession = %+v, %v", got, err)
	}
	if o, _ := s.GetSession(ctx, other); o == nil || o.CSRFToken == sess.CSRFToken {
		t.Error("two sessions share a CSRF token")
	}

	// A read renews the idle timeout.
	key := sessionKey(r.Prefix, secret)
	r.Client.PExpire(ctx, key, time.Minute)
	if _, err := s.GetSession(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if ttl := r.Client.PTTL(ctx, key).Val(); ttl < redisstore.SessionIdle-time.Minute {
		t.Errorf("idle TTL after a read = %v, want about %v", ttl, redisstore.SessionIdle)
	}
	// …but not past the absolute end.
	stored := *sess
	stored.ExpiresAt = time.Now().Add(time.Hour)
	b, _ := json.Marshal(stored)
	r.Client.Set(ctx, key, b, time.Minute)
	if _, err := s.GetSession(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if ttl := r.Client.PTTL(ctx, key).Val(); ttl > time.Hour || ttl < 59*time.Minute {
		t.Errorf("TTL near the absolute end = %v, want under an hour", ttl)
	}
	stored.ExpiresAt = time.Now().Add(-time.Second)
	b, _ = json.Marshal(stored)
	r.Client.Set(ctx, key, b, time.Minute)
	_, err = s.GetSession(ctx, secret)
	wantCode(t, err, core.EUNAUTHORIZED)

	// Mode switch.
	if err := s.SetSessionMode(ctx, other, true); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetSession(ctx, other); got == nil || !got.Livemode || got.Scope() != (core.Scope{AccountID: "acct_a", Livemode: true}) {
		t.Fatalf("after SetSessionMode(true): %+v", got)
	}
	wantCode(t, s.SetSessionMode(ctx, secret, true), core.EUNAUTHORIZED)

	// Malformed and unknown secrets.
	for _, bad := range []string{"", "short", "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
		_, err := s.GetSession(ctx, bad)
		wantCode(t, err, core.EUNAUTHORIZED)
	}

	// Sign-out ends one session; DeleteUserSessions the user's others.
	_, third, _ := s.CreateSession(ctx, ann)
	_, bobs, _ := s.CreateSession(ctx, bob)
	if err := s.DeleteSession(ctx, other); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetSession(ctx, other)
	wantCode(t, err, core.EUNAUTHORIZED)
	if err := s.DeleteSession(ctx, other); err != nil {
		t.Errorf("ending an ended session: %v", err)
	}
	if _, err := s.GetSession(ctx, third); err != nil {
		t.Fatalf("sign-out ended another session: %v", err)
	}
	if err := s.DeleteUserSessions(ctx, ann.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetSession(ctx, third)
	wantCode(t, err, core.EUNAUTHORIZED)
	if _, err := s.GetSession(ctx, bobs); err != nil {
		t.Fatalf("ending ann's sessions ended bob's: %v", err)
	}
	if err := s.DeleteUserSessions(ctx, "user_nobody"); err != nil {
		t.Errorf("DeleteUserSessions of a user with none: %v", err)
	}
}
