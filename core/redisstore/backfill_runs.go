package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

func (s *Store) backfillRunKey(scope core.Scope, id string) string {
	return s.scopeKey(scope, "bf", id, "run")
}

func (s *Store) backfillRunsKey(scope core.Scope) string { return s.scopeKey(scope, "bfrun") }

// BackfillProgress is where a backfill's runner is: the last events-stream
// entry it queued, that entry's delivery (the next one waits for its first
// attempt, to keep the order) and how many it queued.
type BackfillProgress struct {
	Cursor string
	Prev   string
	Queued int
}

// QueueBackfill saves a new backfill and makes it claimable at once by
// any hub's ClaimBackfill.
func (s *Store) QueueBackfill(ctx context.Context, scope core.Scope, b *core.Backfill, retention time.Duration) error {
	raw, err := json.Marshal(b)
	if err != nil {
		return fmt.Errorf("encode backfill: %w", err)
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, s.backfillKey(scope, b.ID), raw, retention)
		p.HSet(ctx, s.backfillRunKey(scope, b.ID), "owner", "", "cursor", "", "prev", "", "queued", 0)
		p.PExpire(ctx, s.backfillRunKey(scope, b.ID), retention)
		p.ZAdd(ctx, s.backfillRunsKey(scope), redis.Z{Score: 0, Member: b.ID})
		return nil
	})
	return storeErr("queue backfill", err)
}

var claimBackfill = redis.NewScript(`
local runs = KEYS[1]
local now_ms, lease_until_ms, owner, backfill_prefix = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local ids = redis.call('ZRANGEBYSCORE', runs, '-inf', now_ms, 'LIMIT', 0, 1)
if #ids == 0 then return false end
local id = ids[1]
local run = backfill_prefix .. id .. ':run' -- the scope's hash tag: same slot
if redis.call('EXISTS', run) == 0 then
  redis.call('ZREM', runs, id)
  return {id, '', '', '-1'}
end
redis.call('ZADD', runs, lease_until_ms, id)
redis.call('HSET', run, 'owner', owner)
local v = redis.call('HMGET', run, 'cursor', 'prev', 'queued')
return {id, v[1] or '', v[2] or '', v[3] or '0'}
`)

// ClaimBackfill takes the lease, until leaseUntil, of one backfill of
// scope whose lease expired at now (or that was never run), for owner, and
// returns its id and progress. ok is false when there is none.
func (s *Store) ClaimBackfill(ctx context.Context, scope core.Scope, owner string, now, leaseUntil time.Time) (id string, p BackfillProgress, ok bool, err error) {
	for {
		res, err := claimBackfill.Run(ctx, s.rdb, []string{s.backfillRunsKey(scope)},
			now.UnixMilli(), leaseUntil.UnixMilli(), owner, s.scopeKey(scope, "bf")+":").StringSlice()
		if errors.Is(err, redis.Nil) {
			return "", p, false, nil
		} else if err != nil {
			return "", p, false, storeErr("claim backfill", err)
		}
		if res[3] == "-1" { // its runner state expired: dropped, look again
			continue
		}
		p.Cursor, p.Prev = res[1], res[2]
		p.Queued, _ = strconv.Atoi(res[3])
		return res[0], p, true, nil
	}
}

var saveBackfillProgress = redis.NewScript(`
local run, runs = KEYS[1], KEYS[2]
local owner, cursor, prev, queued, lease_until_ms, backfill_id = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
if redis.call('HGET', run, 'owner') ~= owner then return 0 end
if cursor ~= '' then
  redis.call('HSET', run, 'cursor', cursor, 'prev', prev, 'queued', queued)
end
redis.call('ZADD', runs, 'XX', lease_until_ms, backfill_id)
return 1
`)

// SaveBackfillProgress records the runner's progress (skipped when
// p.Cursor is empty) and renews owner's lease until leaseUntil. It reports
// false, writing nothing, when owner no longer holds the lease: another hub
// took the backfill over and this runner must stop.
func (s *Store) SaveBackfillProgress(ctx context.Context, scope core.Scope, id, owner string, p BackfillProgress, leaseUntil time.Time) (bool, error) {
	keys := []string{s.backfillRunKey(scope, id), s.backfillRunsKey(scope)}
	n, err := saveBackfillProgress.Run(ctx, s.rdb, keys, owner, p.Cursor, p.Prev, p.Queued, leaseUntil.UnixMilli(), id).Int()
	if err != nil {
		return false, storeErr("save backfill progress", err)
	}
	return n == 1, nil
}

var finishBackfill = redis.NewScript(`
local run, backfill, runs = KEYS[1], KEYS[2], KEYS[3]
local owner, backfill_json, retention_ms, backfill_id = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if redis.call('HGET', run, 'owner') ~= owner then return 0 end
redis.call('SET', backfill, backfill_json, 'PX', retention_ms)
redis.call('DEL', run)
redis.call('ZREM', runs, backfill_id)
return 1
`)

// FinishBackfill saves b in its final state and ends its run, if owner
// still holds its lease; it reports whether it did.
func (s *Store) FinishBackfill(ctx context.Context, scope core.Scope, b *core.Backfill, owner string, retention time.Duration) (bool, error) {
	raw, err := json.Marshal(b)
	if err != nil {
		return false, fmt.Errorf("encode backfill: %w", err)
	}
	keys := []string{s.backfillRunKey(scope, b.ID), s.backfillKey(scope, b.ID), s.backfillRunsKey(scope)}
	n, err := finishBackfill.Run(ctx, s.rdb, keys, owner, raw, retention.Milliseconds(), b.ID).Int()
	if err != nil {
		return false, storeErr("finish backfill", err)
	}
	return n == 1, nil
}
