package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

// IdempotencyTTL is how long a key's record is kept: a finished request's
// response, and a claim's seed (so that a retry after a crash gets it back).
const IdempotencyTTL = 24 * time.Hour

// DefaultIdempotencyLease is how long an in-flight claim lasts unless its
// hub renews it. A hub renews every claim it holds three times per lease, so
// a claim outlives its hub by at most this long: a retry of a request whose
// hub was killed takes the key over within seconds, not after a minute.
const DefaultIdempotencyLease = 5 * time.Second

// An idempotency record is a hash that lives IdempotencyTTL:
//
//	state  inflight | released | done
//	fp     the fingerprint of the request's parameters
//	owner  the Idempotency (hub) that holds an in-flight claim
//	lease  when an in-flight claim lapses, in ms by Redis's clock; a claim
//	       without one was made by a version before leases, and is in flight
//	       until the record's 60 s expiry, as that version meant
//	seed   random, chosen by the first claim and handed to every later claim
//	       with the same fingerprint (what a request derives its ids from)
//	status, body  the saved response, once done
//	ref    instead of body, what the response renders (core.SavedResponse.Ref)
//
// Liveness rides on the lease rather than on a per-hub "alive" key so that
// a script touches only keys of the record's own account: that keeps every
// key of an account in one Redis Cluster slot.

// beginIdempotentScript claims a key, takes over a claim whose lease lapsed
// (its hub died) or that was released, or reports the key's state, in one
// atomic step. A key without a record whose publish named its event after
// it (ARGV[6], whose index is in KEYS[3], or KEYS[2] as an earlier release
// kept it; core.OnceKey) was used by a publish, so
// any other request with it has other parameters. Returns {1, seed}
// claimed, {2} other fingerprint, {3} in flight, {4, status, body} done.
var beginIdempotentScript = redis.NewScript(`
local record, keyed_event, keyed_event_hash = KEYS[1], KEYS[2], KEYS[3]
local fp, lease_ms, owner, new_seed, ttl_ms, keyed_event_id = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local v = redis.call('HMGET', record, 'state', 'fp', 'lease', 'seed', 'status', 'body', 'ref')
local state, seed = v[1], v[4]
if state and v[2] ~= fp then
  if state ~= 'released' then return {2} end
  state = false -- a released key may serve other parameters: start afresh
end
if not state and (redis.call('HEXISTS', keyed_event_hash, keyed_event_id) == 1 or redis.call('EXISTS', keyed_event) == 1) then
  return {2} -- a publish named its event after the key: other parameters (core.OnceKey)
end
if not state then
  seed = new_seed
elseif state == 'done' then
  return {4, v[5], v[6] or '', v[7] or ''}
elseif state == 'inflight' and (not v[3] or tonumber(v[3]) > now) then
  return {3} -- no lease: a claim of a version before leases, held until its PX (60 s) lapses
end
redis.call('DEL', record)
redis.call('HSET', record, 'state', 'inflight', 'fp', fp, 'owner', owner,
  'lease', string.format('%d', now + lease_ms), 'seed', seed)
redis.call('PEXPIRE', record, ttl_ms)
return {1, seed}
`)

// renewIdempotentScript extends the lease of a claim its owner still holds.
var renewIdempotentScript = redis.NewScript(`
local record = KEYS[1]
local owner, lease_ms = ARGV[1], tonumber(ARGV[2])
if redis.call('HGET', record, 'owner') ~= owner or redis.call('HGET', record, 'state') ~= 'inflight' then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', record, 'lease', string.format('%d', now + lease_ms))
return 1
`)

// finishIdempotentScript saves the response of a claim its owner still holds.
var finishIdempotentScript = redis.NewScript(`
local record = KEYS[1]
local owner, status, body, ttl_ms, ref = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if redis.call('HGET', record, 'owner') ~= owner or redis.call('HGET', record, 'state') ~= 'inflight' then return 0 end
if ref ~= '' then
  redis.call('HSET', record, 'state', 'done', 'status', status, 'ref', ref)
else
  redis.call('HSET', record, 'state', 'done', 'status', status, 'body', body)
end
redis.call('HDEL', record, 'owner', 'lease', 'seed')
redis.call('PEXPIRE', record, ttl_ms)
return 1
`)

// releaseIdempotentScript gives up a claim its owner still holds, keeping
// the seed for a retry with the same parameters; never a saved response.
var releaseIdempotentScript = redis.NewScript(`
local record = KEYS[1]
local owner = ARGV[1]
if redis.call('HGET', record, 'owner') ~= owner or redis.call('HGET', record, 'state') ~= 'inflight' then return 0 end
redis.call('HSET', record, 'state', 'released')
redis.call('HDEL', record, 'owner', 'lease')
return 1
`)

// Idempotency implements core.IdempotencyStore for one hub process: it
// claims keys under its own owner id and, while Run runs, renews the lease
// of every claim it holds. A hub that dies stops renewing, so its claims
// lapse within the lease and a retry elsewhere takes them over. Renewal is
// one pipelined round trip per renewal tick for all claims held, so a
// request costs no more round trips than before (claim, then save).
type Idempotency struct {
	s     *Store
	owner string
	lease time.Duration
	log   *slog.Logger

	mu   sync.Mutex
	held map[string]int // record key → number of claims this hub holds on it
}

var _ core.IdempotencyStore = (*Idempotency)(nil)

// IdempotencyOptions tune an Idempotency. The zero value means the defaults.
type IdempotencyOptions struct {
	// Lease is how long a claim lasts unless renewed. Default DefaultIdempotencyLease.
	Lease  time.Duration
	Logger *slog.Logger
}

// NewIdempotency returns the idempotency store of one hub process, with an
// owner id of its own. Call Run to keep its claims alive.
func (s *Store) NewIdempotency(opts IdempotencyOptions) *Idempotency {
	if opts.Lease <= 0 {
		opts.Lease = DefaultIdempotencyLease
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Idempotency{s: s, owner: newID("hub_"), lease: opts.Lease, log: opts.Logger, held: map[string]int{}}
}

// idempotencyKey names the record of an Idempotency-Key: the key is hashed
// so that its length and characters never reach the key space.
func (s *Store) idempotencyKey(scope core.Scope, key string) string {
	sum := sha256.Sum256([]byte(key))
	return s.scopeKey(scope, "idem", hex.EncodeToString(sum[:]))
}

// BeginIdempotent claims key in scope for a request whose parameters hash to
// fingerprint. The claim lasts while this hub runs Run (or for the lease).
// A claim held by a hub that stopped renewing it, or released after a
// failure, is taken over, and the seed of the first claim comes with it.
// Returns EIDEMPOTENCY if the key was used with another fingerprint and
// ECONFLICT if a request with the key is still in flight on a live hub.
func (d *Idempotency) BeginIdempotent(ctx context.Context, scope core.Scope, key, fingerprint string) (core.IdempotentClaim, error) {
	record := d.s.idempotencyKey(scope, key)
	keyedEvent := core.KeyedEventID(scope, key)
	res, err := beginIdempotentScript.Run(ctx, d.s.hot, []string{record, d.s.eventIndexKey(scope, keyedEvent), d.s.eventIndexHash(scope, keyedEvent)},
		fingerprint, d.lease.Milliseconds(), d.owner, core.RandomBase62(24), IdempotencyTTL.Milliseconds(), keyedEvent).Slice()
	if err != nil {
		return core.IdempotentClaim{}, storeErr("begin idempotent request", err)
	}
	switch res[0].(int64) {
	case 1:
		d.hold(record, 1)
		seed, _ := res[1].(string)
		return core.IdempotentClaim{Seed: seed}, nil
	case 2:
		return core.IdempotentClaim{}, core.ErrKeyReused()
	case 3:
		return core.IdempotentClaim{}, &core.Error{Code: core.ECONFLICT, Reason: "idempotency_key_in_use", Param: "Idempotency-Key",
			Message: "A request with this Idempotency-Key is still in progress. Retry later."}
	}
	status, _ := res[1].(string)
	body, _ := res[2].(string)
	ref, _ := res[3].(string)
	code, err := strconv.Atoi(status)
	if err != nil {
		return core.IdempotentClaim{}, storeErr("begin idempotent request", err)
	}
	saved := &core.SavedResponse{Status: code, Ref: ref}
	if ref == "" {
		saved.Body = []byte(body)
	}
	return core.IdempotentClaim{Saved: saved}, nil
}

// FinishIdempotent saves the response for the key claimed by BeginIdempotent,
// for IdempotencyTTL. If the claim has lapsed and another hub took it over,
// there is nothing to save and it returns nil. If it fails, the claim is
// still held (and renewed): the caller releases it.
func (d *Idempotency) FinishIdempotent(ctx context.Context, scope core.Scope, key string, resp core.SavedResponse) error {
	record := d.s.idempotencyKey(scope, key)
	err := finishIdempotentScript.Run(ctx, d.s.hot, []string{record},
		d.owner, resp.Status, resp.Body, IdempotencyTTL.Milliseconds(), resp.Ref).Err()
	if err != nil {
		return storeErr("finish idempotent request", err)
	}
	d.hold(record, -1)
	return nil
}

// ReleaseIdempotent gives up a claim without saving, so that a request that
// failed for reasons outside the caller's control may be retried at once. A
// retry with the same parameters gets the same seed; a saved response is
// left alone.
func (d *Idempotency) ReleaseIdempotent(ctx context.Context, scope core.Scope, key string) error {
	record := d.s.idempotencyKey(scope, key)
	defer d.hold(record, -1)
	err := releaseIdempotentScript.Run(ctx, d.s.rdb, []string{record}, d.owner).Err()
	return storeErr("release idempotent request", err)
}

// hold counts a claim in (n 1) or out (n -1) of the set Run renews.
func (d *Idempotency) hold(record string, n int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.held[record] += n; d.held[record] <= 0 {
		delete(d.held, record)
	}
}

// Run renews the lease of every claim this hub holds, three times per
// lease, until ctx ends. A failed renewal is logged and tried again on the
// next tick; a claim that lapses meanwhile may be taken over by a retry,
// whose seed is the same, so it names what it creates as this one would.
func (d *Idempotency) Run(ctx context.Context) error {
	tick := time.NewTicker(d.lease / 3)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		if err := d.renew(ctx); err != nil && ctx.Err() == nil {
			d.log.WarnContext(ctx, "cannot renew idempotency claims", "err", err)
		}
	}
}

// renew extends every held claim in one pipelined round trip.
func (d *Idempotency) renew(ctx context.Context) error {
	d.mu.Lock()
	records := make([]string, 0, len(d.held))
	for r := range d.held {
		records = append(records, r)
	}
	d.mu.Unlock()
	if len(records) == 0 {
		return nil
	}
	pipe := d.s.rdb.Pipeline()
	for _, r := range records {
		// Eval, not EvalSha: a pipeline cannot fall back on NOSCRIPT.
		renewIdempotentScript.Eval(ctx, pipe, []string{r}, d.owner, d.lease.Milliseconds())
	}
	_, err := pipe.Exec(ctx)
	return storeErr("renew idempotent requests", err)
}
