package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

// Attempt bookkeeping keys, per scope and target:
//
//	t:<target>:health     HASH  consec = consecutive failed attempts
//	t:<target>:w:<minute> HASH  n, e5: attempts and 5xx answers in that minute (TTL 6m)
//	t:<target>:st:<5min>  HASH  n, ok, fail, c:<code>, l:<latency bucket> (TTL 25h)
//
// A target's rate_limit is in ratelimit_shared.go.

// AttemptRecord is what the engine learnt from one attempt, for FinishAttempt.
type AttemptRecord struct {
	EntryID    string        // the deliveries stream entry to ack; "" for none
	Attempt    *core.Attempt // appended to the attempt log
	Status     string        // the delivery's new status
	Reason     string
	NextAt     *time.Time // when to try again; nil for none
	Counted    bool       // whether the attempt counts for stats and the breaker (not for skips)
	Succeeded  bool
	Is5xx      bool
	FailCode   string // "500", "timeout", …: the failures-by-code label when not Succeeded
	Retention  time.Duration
	LatencyBkt int
}

// Health is a target's recent record after an attempt: what the circuit
// breaker decides on. The breaker only looks after a failed attempt, so the
// 5-minute window is summed only then (Window and Window5xx are 0 after a
// success or a skip): reading five hashes on every attempt was a sizeable
// share of the hot path.
type Health struct {
	Stale       bool // another worker recorded this attempt first; nothing was written
	Consecutive int  // failed attempts in a row
	Window      int  // attempts over the last 5 minutes (failed attempts only)
	Window5xx   int  // of which answered 5xx (failed attempts only)
}

var finishAttempt = redis.NewScript(`
local cur = tonumber(redis.call('HGET', KEYS[1], 'attempts') or '-1')
if cur ~= tonumber(ARGV[3]) then
  if ARGV[2] ~= '' then
    redis.call('XACK', KEYS[3], ARGV[1], ARGV[2])
    redis.call('XDEL', KEYS[3], ARGV[2])
  end
  return {-1, 0, 0}
end
redis.call('RPUSH', KEYS[2], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[10])
redis.call('HSET', KEYS[1], 'attempts', cur + 1, 'status', ARGV[5], 'reason', ARGV[6],
  'last_status', ARGV[7], 'next_at', ARGV[8], 'updated', ARGV[9])
if ARGV[5] ~= 'pending' then redis.call('HDEL', KEYS[1], 'payload') end
redis.call('PEXPIRE', KEYS[1], ARGV[10])
if ARGV[8] ~= '' then redis.call('ZADD', KEYS[4], ARGV[8], ARGV[11]) end
if ARGV[2] ~= '' then
  redis.call('XACK', KEYS[3], ARGV[1], ARGV[2])
  redis.call('XDEL', KEYS[3], ARGV[2])
end
local consec = tonumber(redis.call('HGET', KEYS[5], 'consec') or '0')
if ARGV[12] == 'ok' then
  consec = 0
  redis.call('HSET', KEYS[5], 'consec', 0)
elseif ARGV[12] == 'fail' then
  consec = redis.call('HINCRBY', KEYS[5], 'consec', 1)
end
if ARGV[12] ~= 'none' then
  redis.call('HINCRBY', KEYS[6], 'n', 1)
  redis.call('HINCRBY', KEYS[6], ARGV[12], 1)
  redis.call('HINCRBY', KEYS[6], 'l:' .. ARGV[15], 1)
  if ARGV[12] == 'fail' then redis.call('HINCRBY', KEYS[6], 'c:' .. ARGV[14], 1) end
  redis.call('PEXPIRE', KEYS[6], ARGV[16])
  redis.call('HINCRBY', KEYS[7], 'n', 1)
  if ARGV[13] == '1' then redis.call('HINCRBY', KEYS[7], 'e5', 1) end
  redis.call('PEXPIRE', KEYS[7], 360000)
end
if ARGV[12] ~= 'fail' then return {consec, 0, 0} end
local n, e = 0, 0
for i = 7, 11 do
  local v = redis.call('HMGET', KEYS[i], 'n', 'e5')
  n = n + tonumber(v[1] or 0)
  e = e + tonumber(v[2] or 0)
end
return {consec, n, e}
`)

// FinishAttempt records attempt number d.AttemptCount+1 of d: appends it to
// the attempt log, updates the delivery, schedules the retry, counts it for
// stats and the breaker and acks the stream entry, in one script. When
// another worker already recorded that attempt (a claimed entry), it only
// acks and returns Health.Stale.
func (s *Store) FinishAttempt(ctx context.Context, scope core.Scope, d *core.Delivery, r AttemptRecord) (Health, error) {
	now := time.Now()
	b, err := json.Marshal(r.Attempt)
	if err != nil {
		return Health{}, fmt.Errorf("encode attempt: %w", err)
	}
	tid := d.Target.ID
	minute := now.Unix() / 60
	keys := []string{
		s.deliveryKey(scope, d.ID), s.attemptsKey(scope, d.ID), s.DeliveriesStreamKey(scope), s.retryKey(scope),
		s.targetKey(scope, tid, "health"), s.targetKey(scope, tid, "st", strconv.FormatInt(now.Unix()/300, 10)),
	}
	for i := int64(0); i < 5; i++ {
		keys = append(keys, s.targetKey(scope, tid, "w", strconv.FormatInt(minute-i, 10)))
	}
	outcome := "none"
	if r.Counted && r.Succeeded {
		outcome = "ok"
	} else if r.Counted {
		outcome = "fail"
	}
	next := ""
	if r.NextAt != nil {
		next = strconv.FormatInt(r.NextAt.UnixMilli(), 10)
	}
	status := 0
	if r.Attempt != nil {
		status = r.Attempt.ResponseStatus
	}
	args := []any{WorkerGroup, r.EntryID, d.AttemptCount, b, r.Status, r.Reason, status, next,
		now.UnixMilli(), r.Retention.Milliseconds(), d.ID, outcome, boolArg(r.Is5xx), r.FailCode, r.LatencyBkt,
		(25 * time.Hour).Milliseconds()}
	res, err := finishAttempt.Run(ctx, s.hot, keys, args...).Int64Slice()
	if err != nil {
		return Health{}, storeErr("finish attempt", err)
	}
	if res[0] < 0 {
		return Health{Stale: true}, nil
	}
	return Health{Consecutive: int(res[0]), Window: int(res[1]), Window5xx: int(res[2])}, nil
}

// ResetHealth forgets a target's failure record, so that a re-enabled target
// is not disabled again at once for failures it had before.
func (s *Store) ResetHealth(ctx context.Context, scope core.Scope, targetID string) error {
	minute := time.Now().Unix() / 60
	keys := []string{s.targetKey(scope, targetID, "health")}
	for i := int64(0); i < 6; i++ {
		keys = append(keys, s.targetKey(scope, targetID, "w", strconv.FormatInt(minute-i, 10)))
	}
	return storeErr("reset health", s.rdb.Del(ctx, keys...).Err())
}

var deferDelivery = redis.NewScript(`
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
if ARGV[2] ~= '' then
  redis.call('XACK', KEYS[2], ARGV[1], ARGV[2])
  redis.call('XDEL', KEYS[2], ARGV[2])
end
return 1
`)

// DeferDelivery puts a delivery back for later without counting an attempt
// (its target is at its concurrency cap or rate limit) and acks the entry.
func (s *Store) DeferDelivery(ctx context.Context, scope core.Scope, entryID, id string, at time.Time) error {
	keys := []string{s.retryKey(scope), s.DeliveriesStreamKey(scope)}
	err := deferDelivery.Run(ctx, s.hot, keys, WorkerGroup, entryID, at.UnixMilli(), id).Err()
	return storeErr("defer delivery", err)
}

var parkDelivery = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'status', 'parked', 'reason', ARGV[5], 'updated', ARGV[4])
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
end
if ARGV[2] ~= '' then
  redis.call('XACK', KEYS[3], ARGV[1], ARGV[2])
  redis.call('XDEL', KEYS[3], ARGV[2])
end
return 1
`)

// ParkDelivery sets a delivery aside while its target is disabled, without
// counting an attempt, and acks the entry. ReleaseParked queues it again.
func (s *Store) ParkDelivery(ctx context.Context, scope core.Scope, entryID string, d *core.Delivery, reason string) error {
	keys := []string{s.deliveryKey(scope, d.ID), s.targetKey(scope, d.Target.ID, "parked"), s.DeliveriesStreamKey(scope)}
	err := parkDelivery.Run(ctx, s.rdb, keys, WorkerGroup, entryID, d.ID, time.Now().UnixMilli(), reason).Err()
	return storeErr("park delivery", err)
}

// releaseParked builds each delivery key from ARGV[1] (the scope's key
// prefix): the keys share the scope's hash tag, so they live in its slot.
var releaseParked = redis.NewScript(`
local ids = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  local hk = ARGV[1] .. id
  if redis.call('EXISTS', hk) == 1 then
    redis.call('HSET', hk, 'status', 'pending', 'reason', '')
    redis.call('XADD', KEYS[2], '*', 'd', id)
  end
end
return #ids
`)

// ReleaseParked queues again every delivery parked for targetID, oldest
// first, and returns how many.
func (s *Store) ReleaseParked(ctx context.Context, scope core.Scope, targetID string) (int, error) {
	keys := []string{s.targetKey(scope, targetID, "parked"), s.DeliveriesStreamKey(scope)}
	prefix := s.scopeKey(scope, "dlv") + ":"
	total := 0
	for {
		n, err := releaseParked.Run(ctx, s.rdb, keys, prefix, 500).Int()
		if err != nil {
			return total, storeErr("release parked deliveries", err)
		}
		total += n
		if n < 500 {
			return total, nil
		}
	}
}

var moveDue = redis.NewScript(`
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('XADD', KEYS[2], '*', 'd', id)
end
local nx = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {#ids, nx[2] or '-1'}
`)

// MoveDueRetries queues the scope's deliveries whose retry is due at now
// (up to limit) and returns how many moved and when the next one is due
// (zero time when none is scheduled).
func (s *Store) MoveDueRetries(ctx context.Context, scope core.Scope, now time.Time, limit int) (int, time.Time, error) {
	keys := []string{s.retryKey(scope), s.DeliveriesStreamKey(scope)}
	res, err := moveDue.Run(ctx, s.rdb, keys, now.UnixMilli(), limit).Slice()
	if err != nil {
		return 0, time.Time{}, storeErr("move due retries", err)
	}
	n, _ := res[0].(int64)
	var next time.Time
	if str, _ := res[1].(string); str != "-1" {
		ms, _ := strconv.ParseFloat(str, 64)
		next = time.UnixMilli(int64(ms))
	}
	return int(n), next, nil
}
