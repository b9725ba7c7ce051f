package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

// Invite keys:
//
//	{acct}:invite:<id>  JSON of the invite and its token's hash
//	{acct}:invites      sorted set of invite ids by creation time (µs)
//	invite:<hash>       the same JSON, found by the token's SHA-256
//
// Both records expire a while after the invite does (inviteGrace), so that
// an expired token is told apart from an unknown one for that long.
// Accepting deletes the lookup with DEL, whose count picks the one winner.

// inviteGrace is how long an expired invite is remembered.
const inviteGrace = 30 * 24 * time.Hour

// inviteRecord is an invite as stored.
type inviteRecord struct {
	core.Invite
	Hash string `json:"hash"`
}

func (s *Store) inviteKey(accountID, id string) string {
	return s.opts.Prefix + "{" + accountID + "}:invite:" + id
}
func (s *Store) invitesKey(accountID string) string {
	return s.opts.Prefix + "{" + accountID + "}:invites"
}

// InsertInvite stores inv under the SHA-256 of its token, filling in its
// inv_ id. Returns EINVALID for a malformed account id.
func (s *Store) InsertInvite(ctx context.Context, inv *core.Invite, tokenHash string) error {
	if !validAccountID(inv.AccountID) {
		return core.ParamError("account_id", "The account id must be acct_ followed by letters and digits.")
	}
	inv.ID = newID("inv_")
	rec := mustJSON(&inviteRecord{Invite: *inv, Hash: tokenHash})
	ttl := time.Until(inv.ExpiresAt) + inviteGrace
	won, err := s.rdb.SetNX(ctx, s.globalKey("invite", tokenHash), rec, ttl).Result()
	if err != nil {
		return storeErr("insert invite", err)
	} else if !won {
		return errors.New("insert invite: random token collided")
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, s.inviteKey(inv.AccountID, inv.ID), rec, ttl)
		p.ZAdd(ctx, s.invitesKey(inv.AccountID), redis.Z{Score: float64(time.Now().UnixMicro()), Member: inv.ID})
		return nil
	})
	return storeErr("insert invite", err)
}

// InviteByHash returns the invite whose token has this hash, expired or
// not. Returns ENOTFOUND if there is none (never issued, accepted,
// revoked, or long expired).
func (s *Store) InviteByHash(ctx context.Context, tokenHash string) (*core.Invite, error) {
	b, err := s.rdb.Get(ctx, s.globalKey("invite", tokenHash)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, core.NotFound("invite", "")
	} else if err != nil {
		return nil, storeErr("find invite", err)
	}
	var rec inviteRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, storeErr("decode invite", err)
	}
	return &rec.Invite, nil
}

// ConsumeInvite closes the invite whose token has this hash. It reports
// false if it was already closed, so that of two concurrent calls one
// alone gets true.
func (s *Store) ConsumeInvite(ctx context.Context, inv *core.Invite, tokenHash string) (bool, error) {
	n, err := s.rdb.Del(ctx, s.globalKey("invite", tokenHash)).Result()
	if err != nil || n == 0 {
		return false, storeErr("consume invite", err)
	}
	return true, s.dropInvite(ctx, inv.AccountID, inv.ID)
}

func (s *Store) dropInvite(ctx context.Context, accountID, id string) error {
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, s.inviteKey(accountID, id))
		p.ZRem(ctx, s.invitesKey(accountID), id)
		return nil
	})
	return storeErr("remove invite", err)
}

// ListInvites returns the invites of an account, expired ones included
// while they are remembered, oldest first.
func (s *Store) ListInvites(ctx context.Context, accountID string) ([]*core.Invite, error) {
	if !validAccountID(accountID) {
		return nil, nil
	}
	ids, err := s.rdb.ZRange(ctx, s.invitesKey(accountID), 0, -1).Result()
	if err != nil || len(ids) == 0 {
		return nil, storeErr("list invites", err)
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = s.inviteKey(accountID, id)
	}
	vals, err := s.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, storeErr("list invites", err)
	}
	var out []*core.Invite
	for i, v := range vals {
		str, ok := v.(string)
		if !ok { // forgotten: tidy the listing
			s.rdb.ZRem(ctx, s.invitesKey(accountID), ids[i])
			continue
		}
		var rec inviteRecord
		if err := json.Unmarshal([]byte(str), &rec); err != nil {
			return nil, storeErr("decode invite", err)
		}
		out = append(out, &rec.Invite)
	}
	return out, nil
}

// RemoveInvite revokes an invite. Returns ENOTFOUND if the account has no
// such invite.
func (s *Store) RemoveInvite(ctx context.Context, accountID, id string) error {
	if !validAccountID(accountID) {
		return core.NotFound("invite", id)
	}
	b, err := s.rdb.Get(ctx, s.inviteKey(accountID, id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return core.NotFound("invite", id)
	} else if err != nil {
		return storeErr("remove invite", err)
	}
	var rec inviteRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return storeErr("decode invite", err)
	}
	if err := s.rdb.Del(ctx, s.globalKey("invite", rec.Hash)).Err(); err != nil {
		return storeErr("remove invite", err)
	}
	return s.dropInvite(ctx, accountID, id)
}

// ReplaceSetupToken makes tokenHash the only setup token, ending any
// earlier one.
func (s *Store) ReplaceSetupToken(ctx context.Context, tokenHash string) error {
	return storeErr("set setup token", s.rdb.Set(ctx, s.userIndexKey("setup"), tokenHash, 0).Err())
}

// consumeSetup deletes the setup token if it is tokenHash and no user
// exists yet: 1 if it did, 0 for another token, -1 once a user exists.
var consumeSetup = redis.NewScript(`
local setup_key, emails_key = KEYS[1], KEYS[2]
local hash = ARGV[1]
if redis.call("HLEN", emails_key) > 0 then return -1 end
if redis.call("GET", setup_key) ~= hash then return 0 end
redis.call("DEL", setup_key)
return 1
`)

// ConsumeSetupToken ends the setup token if it has this hash and the hub
// still has no user. It reports whether it did: of two concurrent calls,
// one alone gets true.
func (s *Store) ConsumeSetupToken(ctx context.Context, tokenHash string) (bool, error) {
	keys := []string{s.userIndexKey("setup"), s.userIndexKey("emails")}
	n, err := consumeSetup.Run(ctx, s.rdb, keys, tokenHash).Int()
	return n == 1, storeErr("consume setup token", err)
}

// countFailure adds one to a counter and returns it. The counter starts a
// window of ARGV[1] ms at its first failure; reaching the limit (ARGV[2])
// restarts the window, so that a lock lasts a whole window.
var countFailure = redis.NewScript(`
local key = KEYS[1]
local window_ms, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
local n = redis.call("INCR", key)
if n == 1 or n == limit then redis.call("PEXPIRE", key, window_ms) end
return n
`)

// CountFailure counts a failed sign-in under kind ("email", "ip") and id,
// and returns the failures in the current window. A count that reaches
// limit is kept for a whole window from then.
func (s *Store) CountFailure(ctx context.Context, kind, id string, limit int, window time.Duration) (int, error) {
	n, err := countFailure.Run(ctx, s.rdb, []string{s.globalKey("signin", kind, id)}, window.Milliseconds(), limit).Int()
	return n, storeErr("count sign-in failure", err)
}

// Failures returns the failed sign-ins counted under kind and id and how
// long until they are forgotten.
func (s *Store) Failures(ctx context.Context, kind, id string) (int, time.Duration, error) {
	key := s.globalKey("signin", kind, id)
	var get *redis.StringCmd
	var ttl *redis.DurationCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		get, ttl = p.Get(ctx, key), p.PTTL(ctx, key)
		return nil
	})
	if errors.Is(err, redis.Nil) {
		return 0, 0, nil
	} else if err != nil {
		return 0, 0, storeErr("read sign-in failures", err)
	}
	n, _ := get.Int()
	return n, max(ttl.Val(), 0), nil
}

// ResetFailures forgets the failed sign-ins counted under kind and id.
func (s *Store) ResetFailures(ctx context.Context, kind, id string) error {
	return storeErr("reset sign-in failures", s.rdb.Del(ctx, s.globalKey("signin", kind, id)).Err())
}
