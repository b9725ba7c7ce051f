package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

// secretLen is the number of random characters after the bh_test_/bh_live_
// prefix of a key this store creates (about 238 bits).
const secretLen = 40

// minSecretLen and maxSecretLen bound the random part of a secret that is
// accepted (a bootstrap key may be shorter than ours, never below 32).
const (
	minSecretLen = 32
	maxSecretLen = 128
)

// keyRecord is an API key as stored: the public fields plus the account and
// the secret's hash, which revocation needs to remove the lookup.
type keyRecord struct {
	core.APIKey
	AccountID string `json:"account_id"`
	Hash      string `json:"hash"`
}

func (r *keyRecord) key() *core.APIKey {
	k := r.APIKey
	k.AccountID = r.AccountID
	return &k
}

func (s *Store) accountKey(id string) string { return s.opts.Prefix + "{" + id + "}:account" }
func (s *Store) keyLookupKey(hash string) string {
	return s.globalKey("apikey", hash)
}

// hashSecret returns the hex SHA-256 of a secret: the only form it is stored in.
func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// parseSecret checks a secret's shape without touching Redis and says
// whether it is a live key.
func parseSecret(secret string) (livemode bool, ok bool) {
	var rest string
	switch {
	case strings.HasPrefix(secret, core.TestKeyPrefix):
		rest = secret[len(core.TestKeyPrefix):]
	case strings.HasPrefix(secret, core.LiveKeyPrefix):
		rest, livemode = secret[len(core.LiveKeyPrefix):], true
	default:
		return false, false
	}
	if len(rest) < minSecretLen || len(rest) > maxSecretLen || !isBase62(rest) {
		return false, false
	}
	return livemode, true
}

func errKeyInvalid() *core.Error {
	return &core.Error{Code: core.EUNAUTHORIZED, Reason: "api_key_invalid", Message: "Invalid API key provided."}
}

func errKeyRevoked() *core.Error {
	return &core.Error{Code: core.EUNAUTHORIZED, Reason: "api_key_revoked", Message: "This API key was revoked."}
}

// CreateAccount creates a tenant with an acct_ id.
func (s *Store) CreateAccount(ctx context.Context, name string) (*core.Account, error) {
	a := &core.Account{ID: newID("acct_"), Name: name, CreatedAt: time.Now().UTC().Truncate(time.Second)}
	b, err := json.Marshal(a)
	if err != nil {
		return nil, err
	}
	if err := s.rdb.Set(ctx, s.accountKey(a.ID), b, 0).Err(); err != nil {
		return nil, storeErr("create account", err)
	}
	return a, nil
}

// CreateAPIKey creates a key in scope and returns it with its secret, which
// is never available again. rateLimit 0 means the server default.
func (s *Store) CreateAPIKey(ctx context.Context, scope core.Scope, name string, rateLimit int) (*core.APIKey, string, error) {
	if rateLimit < 0 || rateLimit > core.MaxKeyRateLimit {
		return nil, "", core.ParamError("rate_limit", "Invalid rate_limit: requests a minute from 1 to %d, or 0 for the default.", core.MaxKeyRateLimit)
	}
	prefix := core.TestKeyPrefix
	if scope.Livemode {
		prefix = core.LiveKeyPrefix
	}
	secret := prefix + core.RandomBase62(secretLen)
	rec := newKeyRecord(scope, name, rateLimit, secret)
	ok, err := s.rdb.SetNX(ctx, s.keyLookupKey(rec.Hash), mustJSON(rec), 0).Result()
	if err != nil {
		return nil, "", storeErr("create api key", err)
	} else if !ok {
		return nil, "", errors.New("create api key: random secret collided")
	}
	if err := s.saveKeyRecord(ctx, rec); err != nil {
		return nil, "", err
	}
	return rec.key(), secret, nil
}

func newKeyRecord(scope core.Scope, name string, rateLimit int, secret string) *keyRecord {
	prefix := secret[:len(core.TestKeyPrefix)]
	return &keyRecord{
		APIKey: core.APIKey{
			ID: newID("key_"), Name: name, Livemode: scope.Livemode, Prefix: prefix,
			Last4: secret[len(secret)-4:], RateLimit: rateLimit,
			CreatedAt: time.Now().UTC().Truncate(time.Second),
		},
		AccountID: scope.AccountID,
		Hash:      hashSecret(secret),
	}
}

// saveKeyRecord writes the per-scope record and listing entry (scored by
// creation time in microseconds, so that keys made in one second still list
// newest first) and registers the scope. The global hash lookup is written before, by the caller, with
// SET NX: it lives in another cluster slot, so it cannot share a MULTI.
func (s *Store) saveKeyRecord(ctx context.Context, rec *keyRecord) error {
	scope := core.Scope{AccountID: rec.AccountID, Livemode: rec.Livemode}
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, s.scopeKey(scope, "key", rec.ID), mustJSON(rec), 0)
		p.ZAdd(ctx, s.scopeKey(scope, "keys"), redis.Z{Score: float64(time.Now().UnixMicro()), Member: rec.ID})
		return nil
	})
	if err == nil {
		err = s.rdb.SAdd(ctx, s.globalKey("scopes"), scope.AccountID+":"+scope.Mode()).Err()
	}
	return storeErr("save api key", err)
}

// EnsureAPIKey registers secret for accountID unless a key already has it,
// creating the account if absent, and returns the key either way. The mode
// comes from the secret's prefix. Returns EINVALID for a malformed secret or
// account id, and ECONFLICT if the secret was revoked (a revoked bootstrap
// key must not come back on the next start).
func (s *Store) EnsureAPIKey(ctx context.Context, accountID, secret string) (*core.APIKey, error) {
	livemode, ok := parseSecret(secret)
	if !ok {
		return nil, core.ParamError("secret", "The key must be bh_test_ or bh_live_ followed by %d to %d letters and digits.", minSecretLen, maxSecretLen)
	}
	if !strings.HasPrefix(accountID, "acct_") || !isBase62(accountID[len("acct_"):]) || len(accountID) > 64 {
		return nil, core.ParamError("account_id", "The account id must be acct_ followed by letters and digits.")
	}
	hash := hashSecret(secret)
	if k, err := s.lookupKey(ctx, hash); err == nil || core.ErrorCode(err) != core.EUNAUTHORIZED {
		return k, err
	}
	revoked, err := s.rdb.SIsMember(ctx, s.globalKey("apikeys", "revoked"), hash).Result()
	if err != nil {
		return nil, storeErr("ensure api key", err)
	} else if revoked {
		return nil, core.Errorf(core.ECONFLICT, "This API key was revoked; choose another one.")
	}
	acct := mustJSON(&core.Account{ID: accountID, Name: "default", CreatedAt: time.Now().UTC().Truncate(time.Second)})
	if err := s.rdb.SetNX(ctx, s.accountKey(accountID), acct, 0).Err(); err != nil {
		return nil, storeErr("ensure account", err)
	}
	rec := newKeyRecord(core.Scope{AccountID: accountID, Livemode: livemode}, "bootstrap", 0, secret)
	won, err := s.rdb.SetNX(ctx, s.keyLookupKey(hash), mustJSON(rec), 0).Result()
	if err != nil {
		return nil, storeErr("ensure api key", err)
	} else if !won { // another hub process registered it first
		return s.lookupKey(ctx, hash)
	}
	if err := s.saveKeyRecord(ctx, rec); err != nil {
		return nil, err
	}
	return rec.key(), nil
}

// Authenticate returns the key with this secret. A malformed secret is
// rejected without a Redis call. Returns EUNAUTHORIZED with reason
// "api_key_invalid" if the secret is malformed or unknown, and
// "api_key_revoked" if it was revoked. A known key costs one GET; only a
// miss asks the revoked set as well.
func (s *Store) Authenticate(ctx context.Context, secret string) (*core.APIKey, error) {
	if _, ok := parseSecret(secret); !ok {
		return nil, errKeyInvalid()
	}
	return s.lookupKey(ctx, hashSecret(secret))
}

func (s *Store) lookupKey(ctx context.Context, hash string) (*core.APIKey, error) {
	b, err := s.rdb.Get(ctx, s.keyLookupKey(hash)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, s.unknownKey(ctx, hash)
	} else if err != nil {
		return nil, storeErr("authenticate", err)
	}
	var rec keyRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, storeErr("decode api key", err)
	}
	return rec.key(), nil
}

// unknownKey says why no key has this hash: revoked, or never issued.
func (s *Store) unknownKey(ctx context.Context, hash string) error {
	revoked, err := s.rdb.SIsMember(ctx, s.globalKey("apikeys", "revoked"), hash).Result()
	if err != nil {
		return storeErr("authenticate", err)
	} else if revoked {
		return errKeyRevoked()
	}
	return errKeyInvalid()
}

// ListAPIKeys lists the keys of scope, newest first. Cursors are key ids;
// an unknown cursor is EINVALID naming the param.
func (s *Store) ListAPIKeys(ctx context.Context, scope core.Scope, page core.Page) (core.List[*core.APIKey], error) {
	var out core.List[*core.APIKey]
	ids, more, err := s.zsetPage(ctx, s.scopeKey(scope, "keys"), page)
	if err != nil || len(ids) == 0 {
		return out, err
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = s.scopeKey(scope, "key", id)
	}
	vals, err := s.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		return out, storeErr("list api keys", err)
	}
	out.HasMore = more
	for _, v := range vals {
		str, ok := v.(string)
		if !ok {
			continue // revoked between the two reads
		}
		var rec keyRecord
		if err := json.Unmarshal([]byte(str), &rec); err != nil {
			return out, storeErr("decode api key", err)
		}
		out.Data = append(out.Data, rec.key())
	}
	return out, nil
}

// RevokeAPIKey revokes a key for good: its hash lookup is deleted and the
// hash remembered, so that EnsureAPIKey cannot bring it back. Returns
// ENOTFOUND if the key is not in scope.
func (s *Store) RevokeAPIKey(ctx context.Context, scope core.Scope, id string) error {
	b, err := s.rdb.Get(ctx, s.scopeKey(scope, "key", id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return core.NotFound("api_key", id)
	} else if err != nil {
		return storeErr("revoke api key", err)
	}
	var rec keyRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return storeErr("decode api key", err)
	}
	if err := s.rdb.SAdd(ctx, s.globalKey("apikeys", "revoked"), rec.Hash).Err(); err != nil {
		return storeErr("revoke api key", err)
	}
	if err := s.rdb.Del(ctx, s.keyLookupKey(rec.Hash)).Err(); err != nil {
		return storeErr("revoke api key", err)
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, s.scopeKey(scope, "key", id))
		p.ZRem(ctx, s.scopeKey(scope, "keys"), id)
		return nil
	})
	return storeErr("revoke api key", err)
}

// ListScopes returns every account and mode that ever had an API key. The
// delivery dispatcher reads their events streams.
func (s *Store) ListScopes(ctx context.Context) ([]core.Scope, error) {
	members, err := s.rdb.SMembers(ctx, s.globalKey("scopes")).Result()
	if err != nil {
		return nil, storeErr("list scopes", err)
	}
	scopes := make([]core.Scope, 0, len(members))
	for _, m := range members {
		i := strings.LastIndexByte(m, ':')
		if i < 0 {
			continue
		}
		scopes = append(scopes, core.Scope{AccountID: m[:i], Livemode: m[i+1:] == "live"})
	}
	return scopes, nil
}

// oncePerStore runs do with every scope the store holds unless marker, a
// global key, says it ran to the end before, and then sets marker: start-up
// work every hub calls and only the first does. do must be safe to run
// twice, as two hubs starting together both may.
func (s *Store) oncePerStore(ctx context.Context, marker, what string, do func([]core.Scope) error) error {
	if n, err := s.rdb.Exists(ctx, marker).Result(); err != nil {
		return storeErr(what, err)
	} else if n == 1 {
		return nil
	}
	scopes, err := s.ListScopes(ctx)
	if err != nil {
		return err
	}
	if err := do(scopes); err != nil {
		return err
	}
	return storeErr(what, s.rdb.Set(ctx, marker, "1", 0).Err())
}

// mustJSON marshals values that cannot fail to marshal (plain structs).
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("redisstore: marshal " + err.Error())
	}
	return b
}
