package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

// IdempotencyTTL is how long a finished request's response is kept.
const IdempotencyTTL = 24 * time.Hour

// IdempotencyLockTTL is how long an in-flight claim lasts. It is short so
// that a hub that crashes mid-request does not hold the key for a day; a
// request that outlives it loses its claim (its response is then not saved).
const IdempotencyLockTTL = 60 * time.Second

// beginIdempotentScript claims an idempotency key or reports its state.
// The key is a hash: state (inflight|done), fp, status, body.
// KEYS[1]; ARGV fingerprint, lock TTL ms. Returns {1} claimed, {2} other
// fingerprint, {3} in flight, {4, status, body} done.
var beginIdempotentScript = redis.NewScript(`
local fp = redis.call('HGET', KEYS[1], 'fp')
if not fp then
  redis.call('HSET', KEYS[1], 'state', 'inflight', 'fp', ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {1}
end
if fp ~= ARGV[1] then return {2} end
if redis.call('HGET', KEYS[1], 'state') == 'inflight' then return {3} end
local v = redis.call('HMGET', KEYS[1], 'status', 'body')
return {4, v[1], v[2]}
`)

// finishIdempotentScript saves the response of an in-flight claim.
// KEYS[1]; ARGV status, body, TTL ms.
var finishIdempotentScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'state') ~= 'inflight' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'done', 'status', ARGV[1], 'body', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`)

// releaseIdempotentScript drops an in-flight claim, never a saved response.
var releaseIdempotentScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'state') == 'inflight' then redis.call('DEL', KEYS[1]) end
return 0
`)

// idempotencyKey names the record of an Idempotency-Key: the key is hashed
// so that its length and characters never reach the key space.
func (s *Store) idempotencyKey(scope core.Scope, key string) string {
	sum := sha256.Sum256([]byte(key))
	return s.scopeKey(scope, "idem", hex.EncodeToString(sum[:]))
}

// BeginIdempotent claims key in scope for a request whose parameters hash to
// fingerprint. It returns the saved response if the key was already used
// with the same fingerprint, nil if the caller now holds the key (for
// IdempotencyLockTTL). Returns EIDEMPOTENCY if the key was used with another
// fingerprint and ECONFLICT if a request with the key is still in flight.
func (s *Store) BeginIdempotent(ctx context.Context, scope core.Scope, key, fingerprint string) (*core.SavedResponse, error) {
	res, err := beginIdempotentScript.Run(ctx, s.rdb, []string{s.idempotencyKey(scope, key)},
		fingerprint, IdempotencyLockTTL.Milliseconds()).Slice()
	if err != nil {
		return nil, storeErr("begin idempotent request", err)
	}
	switch res[0].(int64) {
	case 1:
		return nil, nil
	case 2:
		return nil, &core.Error{Code: core.EIDEMPOTENCY, Reason: "idempotency_key_in_use", Param: "Idempotency-Key",
			Message: "Keys for idempotent requests can only be used with the same parameters they were first used with."}
	case 3:
		return nil, &core.Error{Code: core.ECONFLICT, Reason: "idempotency_key_in_use", Param: "Idempotency-Key",
			Message: "A request with this Idempotency-Key is still in progress. Retry later."}
	}
	status, _ := res[1].(string)
	body, _ := res[2].(string)
	code, err := strconv.Atoi(status)
	if err != nil {
		return nil, storeErr("begin idempotent request", err)
	}
	return &core.SavedResponse{Status: code, Body: []byte(body)}, nil
}

// FinishIdempotent saves the response for the key claimed by BeginIdempotent,
// for IdempotencyTTL. If the claim has already lapsed there is nothing to
// save and it returns nil.
func (s *Store) FinishIdempotent(ctx context.Context, scope core.Scope, key string, resp core.SavedResponse) error {
	err := finishIdempotentScript.Run(ctx, s.rdb, []string{s.idempotencyKey(scope, key)},
		resp.Status, resp.Body, IdempotencyTTL.Milliseconds()).Err()
	return storeErr("finish idempotent request", err)
}

// ReleaseIdempotent gives up a claim without saving, so that a request that
// failed for reasons outside the caller's control may be retried. A saved
// response is left alone.
func (s *Store) ReleaseIdempotent(ctx context.Context, scope core.Scope, key string) error {
	err := releaseIdempotentScript.Run(ctx, s.rdb, []string{s.idempotencyKey(scope, key)}).Err()
	return storeErr("release idempotent request", err)
}
