package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

// Session keys:
//
//	session:<hash>      JSON of the session, found by its secret's SHA-256;
//	                    expires when idle for SessionIdle or at its ExpiresAt
//	user:<id>:sessions  set of the hashes of a user's sessions
//
// Each session is its own key (its own slot on a cluster): ending all of a
// user's sessions deletes them one by one, never in one multi-key command.

var _ core.SessionStore = (*Store)(nil)

const (
	// SessionIdle is how long a session lasts without a request.
	SessionIdle = 12 * time.Hour
	// SessionLifetime is how long a session lasts at most, however busy.
	SessionLifetime = 7 * 24 * time.Hour
)

func (s *Store) sessionKey(hash string) string { return s.globalKey("session", hash) }
func (s *Store) userSessionsKey(userID string) string {
	return s.globalKey("user", userID, "sessions")
}

func errNoSession() *core.Error {
	return &core.Error{Code: core.EUNAUTHORIZED, Reason: "session_invalid", Message: "Your session has ended; please sign in again."}
}

// randomToken returns 32 random bytes in unpadded base64url.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// sessionHash checks a cookie secret's shape without touching Redis and
// returns its hash.
func sessionHash(secret string) (string, bool) {
	if b, err := base64.RawURLEncoding.DecodeString(secret); err != nil || len(b) != 32 {
		return "", false
	}
	return hashSecret(secret), true
}

// CreateSession starts a session in test mode for user and returns it with
// the secret for the cookie, which is not stored.
func (s *Store) CreateSession(ctx context.Context, user *core.User) (*core.Session, string, error) {
	now := time.Now().UTC()
	sess := &core.Session{
		UserID: user.ID, AccountID: user.AccountID, CSRFToken: randomToken(),
		CreatedAt: now.Truncate(time.Second), ExpiresAt: now.Add(SessionLifetime).Truncate(time.Second),
	}
	secret := randomToken()
	hash := hashSecret(secret)
	won, err := s.rdb.SetNX(ctx, s.sessionKey(hash), mustJSON(sess), SessionIdle).Result()
	if err != nil {
		return nil, "", storeErr("create session", err)
	} else if !won {
		return nil, "", errors.New("create session: random secret collided")
	}
	// The set outlives every session in it; stale members are harmless.
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.SAdd(ctx, s.userSessionsKey(user.ID), hash)
		p.Expire(ctx, s.userSessionsKey(user.ID), SessionLifetime)
		return nil
	})
	if err != nil {
		s.rdb.Del(context.WithoutCancel(ctx), s.sessionKey(hash))
		return nil, "", storeErr("create session", err)
	}
	return sess, secret, nil
}

// GetSession returns the session a secret names and extends its idle
// timeout, never past its ExpiresAt. Returns EUNAUTHORIZED if it is
// unknown or has ended.
func (s *Store) GetSession(ctx context.Context, secret string) (*core.Session, error) {
	sess, hash, err := s.readSession(ctx, secret)
	if err != nil {
		return nil, err
	}
	ttl := min(SessionIdle, time.Until(sess.ExpiresAt))
	if ttl <= 0 {
		s.rdb.Del(ctx, s.sessionKey(hash))
		return nil, errNoSession()
	}
	if err := s.rdb.PExpire(ctx, s.sessionKey(hash), ttl).Err(); err != nil {
		return nil, storeErr("extend session", err)
	}
	return sess, nil
}

func (s *Store) readSession(ctx context.Context, secret string) (*core.Session, string, error) {
	hash, ok := sessionHash(secret)
	if !ok {
		return nil, "", errNoSession()
	}
	b, err := s.rdb.Get(ctx, s.sessionKey(hash)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, "", errNoSession()
	} else if err != nil {
		return nil, "", storeErr("get session", err)
	}
	var sess core.Session
	if err := json.Unmarshal(b, &sess); err != nil {
		return nil, "", storeErr("decode session", err)
	}
	return &sess, hash, nil
}

// SetSessionMode switches a session between test and live mode. Returns
// EUNAUTHORIZED if it is unknown or has ended.
func (s *Store) SetSessionMode(ctx context.Context, secret string, livemode bool) error {
	sess, hash, err := s.readSession(ctx, secret)
	if err != nil {
		return err
	}
	sess.Livemode = livemode
	// XX: a session ended meanwhile stays ended.
	res, err := s.rdb.SetArgs(ctx, s.sessionKey(hash), mustJSON(sess), redis.SetArgs{Mode: "XX", KeepTTL: true}).Result()
	if errors.Is(err, redis.Nil) || (err == nil && res != "OK") {
		return errNoSession()
	}
	return storeErr("set session mode", err)
}

// DeleteSession ends one session. Ending an unknown one is not an error.
func (s *Store) DeleteSession(ctx context.Context, secret string) error {
	sess, hash, err := s.readSession(ctx, secret)
	if core.ErrorCode(err) == core.EUNAUTHORIZED {
		return nil
	} else if err != nil {
		return err
	}
	if err := s.rdb.Del(ctx, s.sessionKey(hash)).Err(); err != nil {
		return storeErr("delete session", err)
	}
	return storeErr("delete session", s.rdb.SRem(ctx, s.userSessionsKey(sess.UserID), hash).Err())
}

// DeleteUserSessions ends every session of a user.
func (s *Store) DeleteUserSessions(ctx context.Context, userID string) error {
	hashes, err := s.rdb.SMembers(ctx, s.userSessionsKey(userID)).Result()
	if err != nil || len(hashes) == 0 {
		return storeErr("delete user sessions", err)
	}
	// One DEL per session: on a cluster they live in different slots.
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, h := range hashes {
			p.Del(ctx, s.sessionKey(h))
		}
		return nil
	})
	if err != nil {
		return storeErr("delete user sessions", err)
	}
	return storeErr("delete user sessions", s.rdb.SRem(ctx, s.userSessionsKey(userID), toAny(hashes)...).Err())
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
