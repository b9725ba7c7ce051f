package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

// Console user keys:
//
//	{acct}:user:<id>    JSON of the user and its password hash
//	{acct}:users        sorted set of user ids by creation time (µs), for lists
//	{acct}:owners       set of the ids of the account's owners
//	{users}:emails      hash of email → "<account> <user id>", across the hub
//	{users}:setup       SHA-256 of the open setup token, if any
//	signin:<kind>:<id>  failed sign-ins in the current window
//
// A user lives in its account's slot, so that the owner count and the
// record change in one script. The email index is one key: HSETNX makes
// emails unique hub-wide, HLEN says whether any user exists, and the setup
// token shares its hash tag so that CompleteSetup can check both at once.
// The policy (passwords, lockout, who may do what) is core/users'; this
// file only keeps records.

// userRecord is a user as stored.
type userRecord struct {
	core.User
	PasswordHash string `json:"password_hash"`
}

func (s *Store) userKey(accountID, id string) string {
	return s.opts.Prefix + "{" + accountID + "}:user:" + id
}
func (s *Store) usersKey(accountID string) string { return s.opts.Prefix + "{" + accountID + "}:users" }
func (s *Store) ownersKey(accountID string) string {
	return s.opts.Prefix + "{" + accountID + "}:owners"
}
func (s *Store) userIndexKey(name string) string { return s.opts.Prefix + "{users}:" + name }

// errLastOwner is the answer to removing an account's only owner.
func errLastOwner() *core.Error {
	return core.Errorf(core.ECONFLICT, "An account needs at least one owner.")
}

func errEmailTaken() *core.Error {
	return &core.Error{Code: core.ECONFLICT, Param: "email", Message: "A user with this email already exists."}
}

// validAccountID reports whether id is acct_ and letters and digits, the
// only shape that may become part of a key.
func validAccountID(id string) bool {
	return strings.HasPrefix(id, "acct_") && len(id) > len("acct_") && len(id) <= 64 && isBase62(id[len("acct_"):])
}

// InsertUser adds a user with a user_ id, creating the account if it does
// not exist. email must already be normalised. Returns EINVALID for a
// malformed account id and ECONFLICT if the email is taken.
func (s *Store) InsertUser(ctx context.Context, accountID, email string, role core.Role, passwordHash string) (*core.User, error) {
	if !validAccountID(accountID) {
		return nil, core.ParamError("account_id", "The account id must be acct_ followed by letters and digits.")
	}
	rec := &userRecord{
		User:         core.User{ID: newID("user_"), AccountID: accountID, Email: email, Role: role, CreatedAt: time.Now().UTC().Truncate(time.Second)},
		PasswordHash: passwordHash,
	}
	// The index is in another slot than the account: claim the email first,
	// and give it back if the record cannot be written.
	won, err := s.rdb.HSetNX(ctx, s.userIndexKey("emails"), email, accountID+" "+rec.ID).Result()
	if err != nil {
		return nil, storeErr("insert user", err)
	} else if !won {
		return nil, errEmailTaken()
	}
	acct := mustJSON(&core.Account{ID: accountID, Name: "default", CreatedAt: rec.CreatedAt})
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.SetNX(ctx, s.accountKey(accountID), acct, 0)
		p.Set(ctx, s.userKey(accountID, rec.ID), mustJSON(rec), 0)
		p.ZAdd(ctx, s.usersKey(accountID), redis.Z{Score: float64(time.Now().UnixMicro()), Member: rec.ID})
		if role == core.RoleOwner {
			p.SAdd(ctx, s.ownersKey(accountID), rec.ID)
		}
		return nil
	})
	if err != nil {
		s.rdb.HDel(context.WithoutCancel(ctx), s.userIndexKey("emails"), email)
		return nil, storeErr("insert user", err)
	}
	u := rec.User
	return &u, nil
}

// UserByEmail returns the user with this (normalised) email and its
// password hash. Returns ENOTFOUND if there is none.
func (s *Store) UserByEmail(ctx context.Context, email string) (*core.User, string, error) {
	ref, err := s.rdb.HGet(ctx, s.userIndexKey("emails"), email).Result()
	if errors.Is(err, redis.Nil) {
		return nil, "", core.NotFound("user", email)
	} else if err != nil {
		return nil, "", storeErr("find user", err)
	}
	accountID, id, _ := strings.Cut(ref, " ")
	rec, _, err := s.userRecord(ctx, accountID, id)
	if err != nil {
		return nil, "", err
	}
	return &rec.User, rec.PasswordHash, nil
}

// HasUsers reports whether the hub has any user at all.
func (s *Store) HasUsers(ctx context.Context) (bool, error) {
	n, err := s.rdb.HLen(ctx, s.userIndexKey("emails")).Result()
	return n > 0, storeErr("count users", err)
}

// FindUser returns a user of an account. Returns ENOTFOUND if the account
// has no such user.
func (s *Store) FindUser(ctx context.Context, accountID, id string) (*core.User, error) {
	rec, _, err := s.userRecord(ctx, accountID, id)
	if err != nil {
		return nil, err
	}
	return &rec.User, nil
}

// userRecord returns a user's record and its JSON as stored.
func (s *Store) userRecord(ctx context.Context, accountID, id string) (*userRecord, []byte, error) {
	if !validAccountID(accountID) {
		return nil, nil, core.NotFound("user", id)
	}
	b, err := s.rdb.Get(ctx, s.userKey(accountID, id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil, core.NotFound("user", id)
	} else if err != nil {
		return nil, nil, storeErr("find user", err)
	}
	var rec userRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, nil, storeErr("decode user", err)
	}
	return &rec, b, nil
}

// ListUsers returns the users of an account, oldest first.
func (s *Store) ListUsers(ctx context.Context, accountID string) ([]*core.User, error) {
	if !validAccountID(accountID) {
		return nil, nil
	}
	ids, err := s.rdb.ZRange(ctx, s.usersKey(accountID), 0, -1).Result()
	if err != nil || len(ids) == 0 {
		return nil, storeErr("list users", err)
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = s.userKey(accountID, id)
	}
	vals, err := s.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, storeErr("list users", err)
	}
	users := make([]*core.User, 0, len(vals))
	for _, v := range vals {
		str, ok := v.(string)
		if !ok {
			continue // deleted between the two reads
		}
		var rec userRecord
		if err := json.Unmarshal([]byte(str), &rec); err != nil {
			return nil, storeErr("decode user", err)
		}
		users = append(users, &rec.User)
	}
	return users, nil
}

// changeUser replaces a user's record if it is still old, keeping the
// owners set in step and refusing to leave the account without an owner.
// An empty new record deletes the user. It answers "ok", "changed" (old is
// stale: read again) or "last_owner".
var changeUser = redis.NewScript(`
local user_key, users_key, owners_key = KEYS[1], KEYS[2], KEYS[3]
local id, old, new, owner_after = ARGV[1], ARGV[2], ARGV[3], ARGV[4] == "1"
if redis.call("GET", user_key) ~= old then return "changed" end
local owner_now = redis.call("SISMEMBER", owners_key, id) == 1
if owner_now and not owner_after and redis.call("SCARD", owners_key) <= 1 then
  return "last_owner"
end
if new == "" then
  redis.call("DEL", user_key)
  redis.call("ZREM", users_key, id)
else
  redis.call("SET", user_key, new)
end
if owner_after then redis.call("SADD", owners_key, id) else redis.call("SREM", owners_key, id) end
return "ok"
`)

// UpdateUserRole changes a user's role. Returns ENOTFOUND if the account
// has no such user and ECONFLICT if it would leave the account without an
// owner.
func (s *Store) UpdateUserRole(ctx context.Context, accountID, id string, role core.Role) (*core.User, error) {
	for {
		rec, old, err := s.userRecord(ctx, accountID, id)
		if err != nil {
			return nil, err
		}
		rec.Role = role
		done, err := s.changeUser(ctx, rec, old, mustJSON(rec), role == core.RoleOwner)
		if err != nil {
			return nil, err
		} else if done {
			return &rec.User, nil
		}
	}
}

// RemoveUser deletes a user and frees its email. Returns ENOTFOUND if the
// account has no such user and ECONFLICT if it is the account's last owner.
func (s *Store) RemoveUser(ctx context.Context, accountID, id string) error {
	for {
		rec, old, err := s.userRecord(ctx, accountID, id)
		if err != nil {
			return err
		}
		done, err := s.changeUser(ctx, rec, old, nil, false)
		if err != nil {
			return err
		} else if done {
			err := s.rdb.HDel(ctx, s.userIndexKey("emails"), rec.Email).Err()
			return storeErr("remove user", err)
		}
	}
}

// changeUser runs the script; false means rec was stale.
func (s *Store) changeUser(ctx context.Context, rec *userRecord, old, next []byte, ownerAfter bool) (bool, error) {
	owner := "0"
	if ownerAfter {
		owner = "1"
	}
	keys := []string{s.userKey(rec.AccountID, rec.ID), s.usersKey(rec.AccountID), s.ownersKey(rec.AccountID)}
	res, err := changeUser.Run(ctx, s.rdb, keys, rec.ID, old, next, owner).Text()
	switch {
	case err != nil:
		return false, storeErr("change user", err)
	case res == "last_owner":
		return false, errLastOwner()
	}
	return res == "ok", nil
}
