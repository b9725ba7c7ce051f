package redisstore

import (
	"context"
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
// and per scope, for the console's home page (deliveries.go lists them):
//
//	am:<minute>  HASH  n, ok, fail: the scope's attempts in that minute (TTL 2h)
//	dfail        ZSET  delivery ids by their latest failed attempt (newest 1,000)
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
local delivery, stream, retries, health, stats = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local minute, scope_minute, failures = KEYS[6], KEYS[7], KEYS[8]
-- KEYS[9..12], given for a failed attempt only: the target's four minutes
-- before this one, which the breaker's window sums with it. A delivery's
-- attempt list and payload are named after it (attemptsKey, payloadKey),
-- in its hash tag's slot.
local attempts, payload = delivery .. ':att', delivery .. ':p'
local group, entry, attempt_count, attempt_json = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local status, reason, last_status, next_at, now_ms = ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9]
local retention_ms, delivery_id, outcome, is_5xx = ARGV[10], ARGV[11], ARGV[12], ARGV[13]
local fail_code, latency_bucket, stats_ttl_ms = ARGV[14], ARGV[15], ARGV[16]
local failures_kept, ended_head, ended_packed, packed_lines = tonumber(ARGV[17]), ARGV[18], ARGV[19], tonumber(ARGV[20])
-- An ended record kept by the hour (endedBucket): the hour's hash, the
-- field and when the hash expires; '' keeps it in a key of its own.
local bucket, bucket_field, bucket_expire = ARGV[21], ARGV[22], tonumber(ARGV[23])

local function ack()
  if entry ~= '' then
    redis.call('XACK', stream, group, entry)
    redis.call('XDEL', stream, entry)
  end
end
-- An ended delivery is a string (delivery_record.go), on which HGET fails:
-- one command where TYPE and HGET were two.
local recorded = redis.pcall('HGET', delivery, 'attempts')
local cur = type(recorded) == 'string' and tonumber(recorded) or -1
if cur ~= attempt_count then
  ack()
  return {-1, 0, 0}
end
if status ~= 'pending' then
  -- It ended: one string, its head line and its attempts one a line,
  -- replaces the hash, list and payload (delivery_record.go). The caller
  -- packed it (delivery_pack.go) with the earlier attempts it read, which
  -- are these unless it could not read them; then it is joined here,
  -- from the head and last attempt, which a caller that packed the record
  -- leaves out: it is asked for them (-2) and runs this again.
  local lines = {} -- a first attempt has none before it
  if cur > 0 then lines = redis.call('LRANGE', attempts, 0, -1) end
  local record = ended_packed
  if record == '' or #lines ~= packed_lines then
    if ended_head == '' then return {-2, 0, 0} end
    lines[#lines + 1] = attempt_json
    record = ended_head .. '\n' .. table.concat(lines, '\n')
  end
  if bucket ~= '' then
    redis.call('DEL', attempts, payload, delivery)
    redis.call('HSET', bucket, bucket_field, record)
    if redis.call('PEXPIRETIME', bucket) < bucket_expire then redis.call('PEXPIREAT', bucket, bucket_expire) end
  else
    redis.call('DEL', attempts, payload)
    redis.call('SET', delivery, record, 'PX', retention_ms)
  end
else
  redis.call('RPUSH', attempts, attempt_json)
  redis.call('PEXPIRE', attempts, retention_ms)
  redis.call('HSET', delivery, 'attempts', cur + 1, 'status', status, 'last_status', last_status, 'updated', now_ms)
  -- Empty fields are left out (a field costs memory in every retained delivery).
  if reason ~= '' then redis.call('HSET', delivery, 'reason', reason) else redis.call('HDEL', delivery, 'reason') end
  if next_at ~= '' then redis.call('HSET', delivery, 'next_at', next_at) else redis.call('HDEL', delivery, 'next_at') end
  redis.call('PEXPIRE', delivery, retention_ms)
  redis.call('PEXPIRE', payload, retention_ms) -- a retry may come after the retention the payload was stored with
end
if next_at ~= '' then redis.call('ZADD', retries, next_at, delivery_id) end
ack()
local consec = tonumber(redis.call('HGET', health, 'consec') or '0')
if outcome == 'ok' then
  if consec ~= 0 then redis.call('HSET', health, 'consec', 0) end
  consec = 0
elseif outcome == 'fail' then
  consec = redis.call('HINCRBY', health, 'consec', 1)
end
if outcome ~= 'none' then
  -- Each counter hash gets its expiry when its first attempt makes it (n
  -- is 1): the script is atomic, so no hash is left without one.
  if redis.call('HINCRBY', stats, 'n', 1) == 1 then redis.call('PEXPIRE', stats, stats_ttl_ms) end
  redis.call('HINCRBY', stats, outcome, 1)
  redis.call('HINCRBY', stats, 'l:' .. latency_bucket, 1)
  if outcome == 'fail' then redis.call('HINCRBY', stats, 'c:' .. fail_code, 1) end
  if redis.call('HINCRBY', minute, 'n', 1) == 1 then redis.call('PEXPIRE', minute, 360000) end
  if is_5xx == '1' then redis.call('HINCRBY', minute, 'e5', 1) end
  if redis.call('HINCRBY', scope_minute, 'n', 1) == 1 then redis.call('PEXPIRE', scope_minute, 7200000) end
  redis.call('HINCRBY', scope_minute, outcome, 1)
end
if outcome == 'fail' or status == 'failed' then
  redis.call('ZADD', failures, now_ms, delivery_id)
  redis.call('ZREMRANGEBYRANK', failures, 0, -1 - failures_kept)
  redis.call('PEXPIRE', failures, retention_ms)
end
if outcome ~= 'fail' then return {consec, 0, 0} end
local n, e = 0, 0
local window = {minute, unpack(KEYS, 9)}
for _, key in ipairs(window) do
  local v = redis.call('HMGET', key, 'n', 'e5')
  n = n + tonumber(v[1] or 0)
  e = e + tonumber(v[2] or 0)
end
return {consec, n, e}
`)

// finishNeedsParts is the finish script's answer when it must join an
// ended record itself and was sent it packed only.
const finishNeedsParts = -2

// FinishAttempt records attempt number d.AttemptCount+1 of d: appends it to
// the attempt log, updates the delivery, schedules the retry, counts it for
// stats and the breaker and acks the stream entry, in one script. When
// another worker already recorded that attempt (a claimed entry), it only
// acks and returns Health.Stale.
func (s *Store) FinishAttempt(ctx context.Context, scope core.Scope, d *core.Delivery, r AttemptRecord) (Health, error) {
	return s.finishAttemptPacking(ctx, scope, d, r, s.packEndedRecord)
}

// packFunc packs an ended record: packEndedRecord, or a test's.
type packFunc func(ctx context.Context, scope core.Scope, d *core.Delivery, head, last []byte) ([]byte, []string)

// finishAttemptPacking is FinishAttempt with the ended record packed by pack.
func (s *Store) finishAttemptPacking(ctx context.Context, scope core.Scope, d *core.Delivery, r AttemptRecord, pack packFunc) (Health, error) {
	now := time.Now()
	b, err := encodeAttempt(r.Attempt, d.EventID)
	if err != nil {
		return Health{}, err
	}
	tid := d.Target.ID
	minute := now.Unix() / 60
	outcome := "none"
	if r.Counted && r.Succeeded {
		outcome = "ok"
	} else if r.Counted {
		outcome = "fail"
	}
	keys := make([]string, 0, 12)
	keys = append(keys, s.deliveryKey(scope, d.ID), s.DeliveriesStreamKey(scope), s.retryKey(scope),
		s.targetKey(scope, tid, "health"), s.targetKey(scope, tid, "st", strconv.FormatInt(now.Unix()/300, 10)),
		s.targetKey(scope, tid, "w", strconv.FormatInt(minute, 10)), s.scopeMinuteKey(scope, minute), s.failuresKey(scope))
	if outcome == "fail" { // the breaker's window: only a failure sums it
		for i := int64(1); i < 5; i++ {
			keys = append(keys, s.targetKey(scope, tid, "w", strconv.FormatInt(minute-i, 10)))
		}
	}
	next := ""
	if r.NextAt != nil {
		next = strconv.FormatInt(r.NextAt.UnixMilli(), 10)
	}
	status := 0
	if r.Attempt != nil {
		status = r.Attempt.ResponseStatus
	}
	var head, packed []byte
	var earlier []string
	if r.Status != core.StatusPending {
		if head, err = endedHeadOf(d, r, status, now); err != nil {
			return Health{}, err
		}
		packed, earlier = pack(ctx, scope, d, head, b)
	}
	// A packed record holds the head and the last attempt: they go along
	// only when the script must join the record itself (~550 bytes a
	// delivery less for Redis to read).
	sentAttempt, sentHead := b, head
	if packed != nil {
		sentAttempt, sentHead = nil, nil
	}
	bucket, field, expireAt, _ := s.endedBucket(scope, d.ID, now, r.Retention)
	args := []any{WorkerGroup, r.EntryID, d.AttemptCount, sentAttempt, r.Status, r.Reason, status, next,
		now.UnixMilli(), r.Retention.Milliseconds(), d.ID, outcome, boolArg(r.Is5xx), r.FailCode, r.LatencyBkt,
		(25 * time.Hour).Milliseconds(), failuresKept, sentHead, packed, len(earlier), bucket, field, expireAt}
	res, err := finishAttempt.Run(ctx, s.hot, keys, args...).Int64Slice()
	if err == nil && res[0] == finishNeedsParts { // its attempts changed since pack read them
		args[3], args[17] = b, head // the attempt and head arguments, left empty above
		res, err = finishAttempt.Run(ctx, s.hot, keys, args...).Int64Slice()
	}
	if err != nil {
		return Health{}, storeErr("finish attempt", err)
	}
	if res[0] < 0 {
		return Health{Stale: true}, nil
	}
	return Health{Consecutive: int(res[0]), Window: int(res[1]), Window5xx: int(res[2])}, nil
}

// packEndedRecord packs the ended record of d (delivery_pack.go): head,
// the earlier attempts of a retried delivery, read from its list, and the
// last attempt. It returns the earlier attempts it packed with, or a nil
// record when it could not read them: the script then joins the record
// itself, unpacked, as it does whenever its list differs from them.
func (s *Store) packEndedRecord(ctx context.Context, scope core.Scope, d *core.Delivery, head, last []byte) ([]byte, []string) {
	var earlier []string
	if d.AttemptCount > 0 { // one more round trip, for deliveries that were retried only
		var err error
		if earlier, err = s.rdb.LRange(ctx, s.attemptsKey(scope, d.ID), 0, -1).Result(); err != nil {
			return nil, nil
		}
	}
	record := append(append(make([]byte, 0, len(head)+len(last)+400*len(earlier)+1), head...), '\n')
	for _, line := range earlier {
		record = append(append(record, line...), '\n')
	}
	return packEnded(append(record, last...)), earlier
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
local retries, stream = KEYS[1], KEYS[2]
local group, entry, at_ms, delivery_id = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
redis.call('ZADD', retries, at_ms, delivery_id)
if entry ~= '' then
  redis.call('XACK', stream, group, entry)
  redis.call('XDEL', stream, entry)
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

// parkDelivery parks a delivery only if its target is still disabled: the
// worker read the target's state before, and an enable in between (which
// saves the target, then releases what is parked) would otherwise find
// nothing to release and leave this delivery parked for good. An enabled
// target's delivery is queued again instead. A target whose record is gone
// or unknown (a kind the store does not keep) is parked as before.
var parkDelivery = redis.NewScript(`
local delivery, parked, stream, target, all_parked = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local group, entry, delivery_id, now_ms, reason = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local park = true
local rec = redis.call('GET', target)
if rec then
  local ok, t = pcall(cjson.decode, rec)
  local target_obj = ok and type(t) == 'table' and (t.endpoint or t.connection)
  if type(target_obj) == 'table' and target_obj.disabled == false then park = false end
end
if redis.call('TYPE', delivery).ok == 'hash' then -- not gone, not ended
  if park then
    redis.call('HSET', delivery, 'status', 'parked', 'reason', reason, 'updated', now_ms)
    redis.call('ZADD', parked, now_ms, delivery_id)
    redis.call('ZADD', all_parked, now_ms, delivery_id)
  else
    redis.call('XADD', stream, '*', 'd', delivery_id)
  end
end
if entry ~= '' then
  redis.call('XACK', stream, group, entry)
  redis.call('XDEL', stream, entry)
end
return park and 1 or 0
`)

// ParkDelivery sets a delivery aside while its target is disabled, without
// counting an attempt, and acks the entry; ReleaseParked queues it again.
// It reports false when the target was enabled since the caller looked:
// the delivery is then queued again rather than parked.
func (s *Store) ParkDelivery(ctx context.Context, scope core.Scope, entryID string, d *core.Delivery, reason string) (bool, error) {
	target := s.targetKey(scope, d.Target.ID, "none") // a key in the scope's slot that is never set
	switch d.Target.Kind {
	case core.TargetEndpoint:
		target = s.endpointKey(scope, d.Target.ID)
	case core.TargetConnection:
		target = s.connectionKey(scope, d.Target.ID)
	}
	keys := []string{s.deliveryKey(scope, d.ID), s.targetKey(scope, d.Target.ID, "parked"), s.DeliveriesStreamKey(scope), target, s.parkedKey(scope)}
	parked, err := parkDelivery.Run(ctx, s.rdb, keys, WorkerGroup, entryID, d.ID, time.Now().UnixMilli(), reason).Int()
	return parked == 1, storeErr("park delivery", err)
}

// parkedKey indexes every delivery parked in scope, whatever its target,
// so that metrics count them with one ZCARD (QueueStats). Deliveries parked
// by a release before it are not in it until released.
func (s *Store) parkedKey(scope core.Scope) string { return s.scopeKey(scope, "parked") }

// releaseParked builds each delivery key from delivery_prefix (the scope's
// key prefix): the keys share the scope's hash tag, so they live in its slot.
// Returns {ids taken from the parked set, deliveries queued}: a delivery
// parked past its record's expiry is gone and only counted.
var releaseParked = redis.NewScript(`
local parked, stream, all_parked = KEYS[1], KEYS[2], KEYS[3]
local delivery_prefix, batch = ARGV[1], tonumber(ARGV[2])
local ids = redis.call('ZRANGE', parked, 0, batch - 1)
local queued = 0
for _, id in ipairs(ids) do
  redis.call('ZREM', parked, id)
  redis.call('ZREM', all_parked, id)
  local delivery = delivery_prefix .. id
  if redis.call('TYPE', delivery).ok == 'hash' then -- not gone, not ended
    redis.call('HSET', delivery, 'status', 'pending')
    redis.call('HDEL', delivery, 'reason')
    redis.call('XADD', stream, '*', 'd', id)
    queued = queued + 1
  end
end
return {#ids, queued}
`)

// ReleaseParked queues again every delivery parked for targetID, oldest
// first, and returns how many it queued and how many had expired while
// parked (a parked delivery keeps the expiry every delivery has, the
// retention after its creation or last attempt).
func (s *Store) ReleaseParked(ctx context.Context, scope core.Scope, targetID string) (queued, expired int, err error) {
	keys := []string{s.targetKey(scope, targetID, "parked"), s.DeliveriesStreamKey(scope), s.parkedKey(scope)}
	prefix := s.scopeKey(scope, "dlv") + ":"
	const batch = 500
	for {
		res, err := releaseParked.Run(ctx, s.rdb, keys, prefix, batch).Int64Slice()
		if err != nil {
			return queued, expired, storeErr("release parked deliveries", err)
		}
		if len(res) != 2 {
			return queued, expired, fmt.Errorf("release parked deliveries: %d results, want 2", len(res))
		}
		queued, expired = queued+int(res[1]), expired+int(res[0]-res[1])
		if res[0] < batch {
			return queued, expired, nil
		}
	}
}

var moveDue = redis.NewScript(`
local retries, stream = KEYS[1], KEYS[2]
local now_ms, limit = ARGV[1], ARGV[2]
local ids = redis.call('ZRANGEBYSCORE', retries, '-inf', now_ms, 'LIMIT', 0, limit)
for _, id in ipairs(ids) do
  redis.call('ZREM', retries, id)
  redis.call('XADD', stream, '*', 'd', id)
end
local nx = redis.call('ZRANGE', retries, 0, 0, 'WITHSCORES')
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
