package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

// Delivery keys, per scope (one account+mode, so one Cluster slot: every Lua
// script below touches the keys of a single scope only):
//
//	dq                 STREAM  deliveries to attempt now; field d = delivery id
//	dq:retry           ZSET    delivery ids by due time (ms): retries, deferrals
//	dlv:<id>           HASH    a delivery that may still be attempted (releases
//	                           before issue 12 also kept its payload here)
//	                   STRING  once it ended: its fields and attempts in one
//	                           record (delivery_record.go)
//	dlv:h:<hour>       HASH    the ended records of deliveries that ended within
//	                           the hour their id names (endedBucket): field =
//	                           the bytes of the id's hex digits after that hour
//	                           (the digits themselves before +e6), value = the
//	                           record
//	dlv:<id>:att       LIST    a pending delivery's attempts, oldest first
//	                           (attempt_format.go: version 2, or 1 of old)
//	dlv:<id>:p         STRING  a pending delivery's payload, the event JSON
//	                           (events age out of the events stream before the
//	                           last retry is due)
//	t:<target>:log     STREAM  a target's deliveries, oldest first: field d =
//	                           delivery ref (delivery_refs.go), entry id = its
//	                           creation (ms)-seq
//	t:<target>:dlv     ZSET    the same as releases before the log kept it (ids
//	                           by creation ms): read after the log, never written
//	t:<target>:parked  ZSET    deliveries waiting for a disabled target
//	parked             ZSET    the same, every target of the scope, for a count at scrape time
//	evt:<event>:dlv    ZSET    an event's delivery ids, every target, by creation time (ms),
//	                           as releases before issue 12 kept them (and still for an
//	                           event whose index expired); now they follow the event's
//	                           index, evt:<event> (events.go)
//	dfail              ZSET    delivery ids by the time of their latest failed
//	                           attempt, newest 1,000 (the console's home page)
//	am:<minute>        HASH    n, ok, fail: the scope's attempts in that minute (TTL 2h)
//
// An ended delivery is found at dlv:<id> and then in its hour's hash; a
// record read from neither is gone.
//
// The deliveries stream is one per scope, not a fixed set of shards, so that
// creating a delivery, queueing it and acking the event that caused it is one
// atomic script even on Redis Cluster. Delivery records, attempt lists and
// payloads expire the delivery retention after their last attempt; target
// logs are trimmed by creation time (whole stream nodes at a time) on every
// write, to the retention plus the longest their target retries (logKeep),
// and to Options.DeliveriesPerTarget when set. Nothing is swept.
//
// A target's log is a stream rather than a sorted set because it is the one
// index every delivery has: a stream entry costs Redis ~41 bytes where a
// sorted set's member costs ~128 (its skiplist node and dict entry), and the
// log is only ever appended to in creation order and read newest first.

// logKeep is how long, from its creation, d's entry stays in its target's
// log: the retention after d's last attempt, which its target's retry
// schedule may put up to d.RetryWindow after its creation. A log trimmed
// to the retention alone would drop a delivery still being retried (the
// default schedule retries for ~100 h) and never list the ones that failed
// for good after it, the very deliveries a user opens the log to find.
func logKeep(d *core.Delivery, retention time.Duration) time.Duration {
	return retention + d.RetryWindow
}

// Consumer groups of the delivery engine.
const (
	DispatchGroup = "bellhop-dispatch" // on each events stream
	WorkerGroup   = "bellhop-workers"  // on each deliveries stream
)

// The default retention, chosen so that a property group publishing 20
// events/s to three targets fits in 16 GB of Redis (README, "Sizing
// Redis"; the events' own 72 h is the replay window and the minimum):
// a delivery is kept 48 h after its last attempt (its record's expiry is
// renewed at every attempt, so a delivery retried for three days stays
// while it is retried), the activity log a week. A month of attempt
// history would take about 15 times the memory: that needs a tier on disk,
// which Bellhop does not have.
const (
	DeliveryRetention        = 48 * time.Hour
	DefaultActivityRetention = 7 * 24 * time.Hour
)

// DeliveriesStreamKey names the deliveries stream of a scope.
func (s *Store) DeliveriesStreamKey(scope core.Scope) string { return s.scopeKey(scope, "dq") }

func (s *Store) retryKey(scope core.Scope) string { return s.scopeKey(scope, "dq", "retry") }

func (s *Store) deliveryKey(scope core.Scope, id string) string {
	return s.scopeKey(scope, "dlv", id)
}

// DeliveryIDHour names the hour of t in four base62 characters, the first
// four of a delivery id after its prefix ("whd_"): the engine names each
// delivery after its event's hour, so that the store can keep it by the
// hour once it ended (endedBucket).
func DeliveryIDHour(t time.Time) string {
	h := t.Unix() / 3600 % (62 * 62 * 62 * 62)
	b := []byte("0000")
	for i := 3; i >= 0 && h > 0; i-- {
		b[i] = base62Alphabet[h%62]
		h /= 62
	}
	return string(b)
}

// endedBucket says where the record of delivery id, ending now, is kept:
// when id names this very hour (DeliveryIDHour), as a field of the hour's
// hash, which expires the retention after the hour ends, so never before
// the retention after this end; otherwise ok is false and it keeps a key
// of its own, expiring the retention after now. Nearly every delivery
// ends in its event's hour, answered at once, and a hash field costs
// Redis ~100 bytes less than a key: no key name, object, keyspace entry
// or expiry of its own. Its field is the id after the hour: the bytes of
// its hex digits (its ref's, delivery_refs.go), which Redis keeps in 16
// bytes where the digits took 24; the release before wrote the digits,
// which readers look for after the bytes.
func (s *Store) endedBucket(scope core.Scope, id string, now time.Time, retention time.Duration) (key, field string, expireAt int64, ok bool) {
	if len(id) <= 8 || id[3] != '_' || id[4:8] != DeliveryIDHour(now) {
		return "", "", 0, false
	}
	field = id[8:]
	if ref := deliveryRef(id); len(ref) == deliveryRefLen {
		field = ref[4:]
	}
	hourEnd := (now.Unix()/3600 + 1) * 3600 * 1000
	return s.scopeKey(scope, "dlv", "h", id[4:8]), field, hourEnd + retention.Milliseconds(), true
}

// endedBucketLua finds, in a script, the hour's hash and the field
// endedBucket would have kept an ended delivery in, given the scope's
// delivery key prefix (…:dlv:) and the id, and the field the release
// before would have (nil when the same): nil for an id too short to name
// an hour; given the id's ref when the caller has it. It defines
// deliveryRefLua's functions too.
const endedBucketLua = deliveryRefLua + `
local function ended_bucket(delivery_prefix, id, ref)
  if #id <= 8 or string.sub(id, 4, 4) ~= '_' then return nil end
  ref = ref or delivery_ref(id)
  local bucket, digits = delivery_prefix .. 'h:' .. string.sub(id, 5, 8), string.sub(id, 9)
  if #ref == 14 then return bucket, string.sub(ref, 5), digits end
  return bucket, digits, nil
end
`

// payloadKey holds what a pending delivery sends, apart from its hash: a
// value over 64 bytes would turn the whole hash into Redis's hashtable
// encoding, which kept about 700 bytes more for every retained delivery
// long after the payload was gone.
func (s *Store) payloadKey(scope core.Scope, id string) string {
	return s.scopeKey(scope, "dlv", id, "p")
}

func (s *Store) attemptsKey(scope core.Scope, id string) string {
	return s.scopeKey(scope, "dlv", id, "att")
}

func (s *Store) eventDeliveriesKey(scope core.Scope, eventID string) string {
	return s.scopeKey(scope, "evt", eventID, "dlv")
}

func (s *Store) targetKey(scope core.Scope, targetID string, parts ...string) string {
	return s.scopeKey(scope, append([]string{"t", targetID}, parts...)...)
}

// targetLogKey is a target's delivery log; targetLegacyIndexKey the sorted
// set that held it before, which only ListDeliveries still reads.
func (s *Store) targetLogKey(scope core.Scope, targetID string) string {
	return s.targetKey(scope, targetID, "log")
}

func (s *Store) targetLegacyIndexKey(scope core.Scope, targetID string) string {
	return s.targetKey(scope, targetID, "dlv")
}

// createDeliveries creates each delivery that does not exist yet, queues it
// on the deliveries stream, and then acks the event entries (when given), all
// at once. A dispatcher that crashed before the ack dispatches the events
// again and creates nothing twice.
//
// KEYS: deliveries stream, events stream, then hash, target log and event
// index per delivery; its payload key and the event's deliveries of
// earlier releases are named after the hash and the index (payloadKey,
// eventDeliveriesKey), in the same slot. ARGV: group, now, retention, the
// per-target cap, the scope's delivery key prefix, P, P payloads, E, E entry
// ids, then 12 fields per delivery, the ninth the index of its payload, the
// tenth its traceparent ("" without tracing), the eleventh how long its
// target's log keeps it (ms: logKeep) and the twelfth its ref (deliveryRef,
// which Lua would spend a few µs a delivery making), and
// last the subscriptions version matched at ("" unchecked) and the worker
// group, consumer and count of a Take; the last key is the scope's
// subscriptionsKey. Returns {created, {entry id, delivery id, 1 if queued
// by this call, …}}, or {-1, {}} having written nothing when the version
// moved on.
var createDeliveries = redis.NewScript(endedBucketLua + eventIndexLua + `
local deliveries_stream, events_stream = KEYS[1], KEYS[2]
local group, now, retention_ms, cap, delivery_prefix = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local payloads = tonumber(ARGV[6])             -- ARGV[7 .. 6+payloads]: the events' JSON
local entries = tonumber(ARGV[7 + payloads])   -- then the events-stream entries to ack
local first_entry = 8 + payloads
local first_delivery = first_entry + entries   -- then 12 fields per delivery
-- and last: the subscriptions version the deliveries were matched at
-- (KEYS[#KEYS] holds the scope's), then the Take.
local matched = ARGV[#ARGV - 3]
if matched ~= '' and (redis.call('GET', KEYS[#KEYS]) or '0') ~= matched then return {-1, {}} end
local created = 0
-- drop_oldest keeps a target's log within cap: it removes the oldest ended
-- deliveries (a string; a hash may still be attempted and stays, as does
-- its log entry), at most 256 a call, more than a script creates.
local function drop_oldest(log)
  local over = redis.call('XLEN', log) - cap
  if over <= 0 then return end
  for _, en in ipairs(redis.call('XRANGE', log, '-', '+', 'COUNT', math.min(over, 256))) do
    local id = delivery_id_of_ref(en[2][2])
    local key = delivery_prefix .. id -- the scope's hash tag: the same slot
    if redis.call('TYPE', key).ok ~= 'hash' then
      redis.call('DEL', key)
      local bucket, field, before = ended_bucket(delivery_prefix, id)
      if bucket then redis.call('HDEL', bucket, field, before or field) end
      redis.call('XDEL', log, en[1])
    end
  end
end
-- Logs are trimmed and given their expiry once per script, not once per
-- delivery: a read of many events mostly feeds the same few targets. Each
-- keeps its entries as long as the longest its deliveries ask (logKeep).
local logs, by_events, added = {}, {}, {}
for i = 0, (#KEYS - 3) / 3 - 1 do
  local delivery, log, event_index = KEYS[3 + 3*i], KEYS[4 + 3*i], KEYS[5 + 3*i]
  local payload_key, by_event = delivery .. ':p', event_index .. ':dlv'
  local b = first_delivery + 12*i
  local id, payload, ref = ARGV[b], ARGV[6 + tonumber(ARGV[b+8])], ARGV[b+11]
  local bucket, field, before = ended_bucket(delivery_prefix, id, ref)
  if redis.call('EXISTS', delivery) == 0 and not (bucket and (redis.call('HEXISTS', bucket, field) == 1 or
      before and redis.call('HEXISTS', bucket, before) == 1)) then
    -- Fields at their default (no replay, no backfill, test mode) are left out.
    redis.call('HSET', delivery, 'id', id, 'event_id', ARGV[b+1], 'event_type', ARGV[b+2],
      'kind', ARGV[b+3], 'target', ARGV[b+4], 'status', 'pending', 'attempts', 0, 'created', now, 'updated', now)
    if ARGV[b+5] == '1' then redis.call('HSET', delivery, 'replay', 1) end
    if ARGV[b+6] ~= '' then redis.call('HSET', delivery, 'backfill', ARGV[b+6]) end
    if ARGV[b+7] == '1' then redis.call('HSET', delivery, 'live', 1) end
    if ARGV[b+9] ~= '' then redis.call('HSET', delivery, 'tp', ARGV[b+9]) end
    redis.call('PEXPIRE', delivery, retention_ms)
    redis.call('SET', payload_key, payload, 'PX', retention_ms)
    -- The entry id is the creation time, so created filters and cursors
    -- find it; a log whose last entry is later (another hub's clock ahead)
    -- takes Redis's next id instead, which is never smaller.
    local logged = redis.pcall('XADD', log, now .. '-*', 'd', ref)
    if type(logged) == 'table' and logged.err then redis.call('XADD', log, '*', 'd', ref) end
    -- The event's deliveries follow its index's entry id (events.go),
    -- in its hash or in its key of an earlier release; SET, not APPEND,
    -- which would leave the string room to grow in.
    local event_id = ARGV[b+1]
    local ev, bucket = index_get(string.sub(event_index, 1, #event_index - #event_id), event_id)
    if ev and bucket then
      redis.call('HSET', bucket, event_id, ev .. ' ' .. ref)
    elseif ev then
      redis.call('SET', event_index, ev .. ' ' .. ref, 'KEEPTTL')
    else -- the event aged out of its index (a delivery made from a copy)
      redis.call('ZADD', by_event, now, id)
      by_events[by_event] = true
    end
    logs[log] = math.max(logs[log] or 0, tonumber(ARGV[b+10]))
    added[redis.call('XADD', deliveries_stream, '*', 'd', id)] = true
    created = created + 1
  end
end
for log, keep_ms in pairs(logs) do
  redis.call('XTRIM', log, 'MINID', '~', math.max(tonumber(now) - keep_ms, 0))
  redis.call('PEXPIRE', log, keep_ms)
  if cap > 0 then drop_oldest(log) end
end
for by_event in pairs(by_events) do redis.call('PEXPIRE', by_event, retention_ms) end
if entries > 0 then redis.call('XACK', events_stream, group, unpack(ARGV, first_entry, first_delivery - 1)) end
-- Take: up to take_count new entries of the deliveries stream for the
-- caller's workers, as XREADGROUP would hand them, each with whether this
-- script queued it (a pcall: a stream without its group takes nothing).
local taken = {}
local take_count = tonumber(ARGV[#ARGV])
if take_count > 0 then
  local r = redis.pcall('XREADGROUP', 'GROUP', ARGV[#ARGV - 2], ARGV[#ARGV - 1], 'COUNT', take_count, 'STREAMS', deliveries_stream, '>')
  if type(r) == 'table' and not r.err and r[1] then
    for _, en in ipairs(r[1][2]) do
      local f = en[2]
      taken[#taken + 1] = en[1]
      taken[#taken + 1] = f[2] or '' -- the entry's only field: d, the delivery id
      taken[#taken + 1] = added[en[1]] and 1 or 0
    end
  end
end
return {created, taken}
`)

// EventDeliveries is one event's share of a CreateDeliveryBatch: its
// deliveries, the event JSON they carry as payload, and the events-stream
// entry to ack ("" for none). An entry with no deliveries is only acked.
type EventDeliveries struct {
	EntryID    string
	Payload    []byte
	Deliveries []*core.Delivery
}

// Take asks CreateDeliveryBatch to hand up to Count new entries of the
// deliveries stream to Consumer of the worker group in the same script:
// the dispatcher's way to give its own workers the deliveries it just
// made without their reading the stream and then each delivery back, two
// round trips per delivery at a low rate. The zero Take takes nothing.
type Take struct {
	Consumer string
	Count    int
}

// CreateDeliveries creates the deliveries of one event (ds, all for the same
// event) with the event JSON as their payload and queues them. When
// eventsStream and entryID are not empty, the event's entry there is acked
// in the same script. It returns how many were new.
func (s *Store) CreateDeliveries(ctx context.Context, scope core.Scope, ds []*core.Delivery, payload []byte, eventsStream, entryID string, retention time.Duration) (int, error) {
	if eventsStream == "" {
		entryID = ""
	}
	n, _, err := s.CreateDeliveryBatch(ctx, scope, eventsStream, []EventDeliveries{{EntryID: entryID, Payload: payload, Deliveries: ds}}, retention, Take{}, "")
	return n, err
}

// CreateDeliveryBatch creates the deliveries of several events of one scope
// and acks their entries of eventsStream, in one script and one round trip:
// the dispatcher's way to turn a read of many events into deliveries without
// a round trip per event. It returns how many deliveries were new and the
// entries it took (see Take); one it queued itself carries its delivery
// and payload as the caller made them (StreamEntry.Loaded).
//
// matched, when not empty, is the scope's subscriptions version the
// deliveries were matched at (Targets.Version): if a target was saved or
// deleted since, nothing is written and the error is ErrStaleMatch, so that
// a dispatcher may keep its matches for as long as they are true.
func (s *Store) CreateDeliveryBatch(ctx context.Context, scope core.Scope, eventsStream string, batch []EventDeliveries, retention time.Duration, take Take, matched string) (int, []StreamEntry, error) {
	if eventsStream == "" {
		eventsStream = s.DeliveriesStreamKey(scope)
	}
	keys := []string{s.DeliveriesStreamKey(scope), eventsStream}
	now := time.Now()
	args := []any{DispatchGroup, now.UnixMilli(), retention.Milliseconds(), s.opts.DeliveriesPerTarget, s.scopeKey(scope, "dlv") + ":", len(batch)}
	for _, ev := range batch {
		args = append(args, ev.Payload)
	}
	acks := make([]any, 0, len(batch))
	for _, ev := range batch {
		if ev.EntryID != "" {
			acks = append(acks, ev.EntryID)
		}
	}
	args = append(append(args, len(acks)), acks...)
	live := boolArg(scope.Livemode)
	for i, ev := range batch {
		for _, d := range ev.Deliveries {
			keys = append(keys, s.deliveryKey(scope, d.ID), s.targetLogKey(scope, d.Target.ID), s.eventIndexKey(scope, d.EventID))
			args = append(args, d.ID, d.EventID, d.EventType, d.Target.Kind, d.Target.ID, boolArg(d.Replay), d.BackfillID, live, i+1, d.TraceParent,
				logKeep(d, retention).Milliseconds(), deliveryRef(d.ID))
			d.Status, d.CreatedAt, d.UpdatedAt, d.Livemode = core.StatusPending, now, now, scope.Livemode
		}
	}
	keys = append(keys, s.subscriptionsKey(scope))
	args = append(args, matched, WorkerGroup, take.Consumer, take.Count)
	res, err := createDeliveries.Run(ctx, s.rdb, keys, args...).Slice()
	if err != nil {
		return 0, nil, storeErr("create deliveries", err)
	}
	if len(res) != 2 {
		return 0, nil, fmt.Errorf("create deliveries: %d results, want 2", len(res))
	}
	n, _ := res[0].(int64)
	if n < 0 {
		return 0, nil, ErrStaleMatch
	}
	return int(n), s.takenEntries(scope, batch, res[1]), nil
}

// takenEntries reads the entries a Take got: {entry id, delivery id,
// queued by this call} each.
func (s *Store) takenEntries(scope core.Scope, batch []EventDeliveries, raw any) []StreamEntry {
	flat, _ := raw.([]any)
	if len(flat) == 0 {
		return nil
	}
	made := map[string]*LoadedDelivery{}
	for _, ev := range batch {
		for _, d := range ev.Deliveries {
			made[d.ID] = &LoadedDelivery{Delivery: d, Payload: ev.Payload}
		}
	}
	stream := s.DeliveriesStreamKey(scope)
	out := make([]StreamEntry, 0, len(flat)/3)
	for i := 0; i+2 < len(flat); i += 3 {
		id, _ := flat[i].(string)
		dlv, _ := flat[i+1].(string)
		en := StreamEntry{Stream: stream, ID: id, Values: map[string]any{"d": dlv}}
		if mine, _ := flat[i+2].(int64); mine == 1 {
			en.Loaded = made[dlv]
		}
		out = append(out, en)
	}
	return out
}

// EnsureGroups creates the dispatch group on each events stream and the
// worker group on each deliveries stream of scopes, at id 0 and with
// MKSTREAM, so that nothing published before the first hub started is
// missed. A group that exists already is left alone.
func (s *Store) EnsureGroups(ctx context.Context, eventsStream func(core.Scope) string, scopes []core.Scope) error {
	for _, sc := range scopes {
		for key, group := range map[string]string{eventsStream(sc): DispatchGroup, s.DeliveriesStreamKey(sc): WorkerGroup} {
			if err := s.createGroup(ctx, key, group); err != nil {
				return err
			}
		}
	}
	return nil
}

// createGroup creates group on the stream key at id 0, with MKSTREAM, and
// leaves one that exists already alone.
func (s *Store) createGroup(ctx context.Context, key, group string) error {
	err := s.rdb.XGroupCreateMkStream(ctx, key, group, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return storeErr("create consumer group", err)
	}
	return nil
}

// StreamEntry is one entry read from a consumer group.
type StreamEntry struct {
	Stream string
	ID     string
	Values map[string]any
	// Deliveries is how many times the group has handed the entry to a
	// consumer, this time included; set by ClaimIdle only. An entry claimed
	// again and again is one whose handling keeps stopping its hub.
	Deliveries int
	// Loaded is set on an entry whose delivery its reader already holds,
	// so that nothing reads it back: one CreateDeliveryBatch queued and
	// took in the same script (as the caller made it), or one loaded with
	// the others of its read (LoadDeliveries).
	Loaded *LoadedDelivery
}

// LoadedDelivery is a delivery without its attempts and the payload it
// sends (nil once it ended).
type LoadedDelivery struct {
	Delivery *core.Delivery
	Payload  []byte
}

// ClaimIdle takes over entries of stream that another consumer read more
// than minIdle ago without acking (it crashed or hangs), up to count.
func (s *Store) ClaimIdle(ctx context.Context, stream, group, consumer string, minIdle time.Duration, count int) ([]StreamEntry, error) {
	msgs, _, err := s.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{Stream: stream, Group: group, Consumer: consumer, MinIdle: minIdle, Start: "0", Count: int64(count)}).Result()
	if err != nil {
		if strings.HasPrefix(err.Error(), "NOGROUP") {
			return nil, nil
		}
		return nil, storeErr("claim idle entries", err)
	}
	if len(msgs) == 0 {
		return nil, nil
	}
	// The claim's delivery counts, read once for the whole range (which may
	// also hold entries this consumer is working on): claims are rare (a
	// hub stopped), so the extra round trip costs nothing.
	pending, err := s.rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: stream, Group: group, Consumer: consumer, Start: msgs[0].ID, End: msgs[len(msgs)-1].ID, Count: int64(len(msgs)) + maxPendingInRange}).Result()
	if err != nil {
		return nil, storeErr("read claimed entries' counts", err)
	}
	counts := make(map[string]int, len(pending))
	for _, p := range pending {
		counts[p.ID] = int(p.RetryCount)
	}
	out := make([]StreamEntry, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, StreamEntry{Stream: stream, ID: m.ID, Values: m.Values, Deliveries: counts[m.ID]})
	}
	return out, nil
}

// maxPendingInRange bounds the entries of its own a consumer may hold
// between two entries it claims: a hub holds a few hundred at most.
const maxPendingInRange = 4096

var ackDelivery = redis.NewScript(`
local stream, group, entry = KEYS[1], ARGV[1], ARGV[2]
redis.call('XACK', stream, group, entry)
return redis.call('XDEL', stream, entry)
`)

// AckDelivery acks and deletes an entry of a deliveries stream, for entries
// whose delivery needs no attempt (it already ended, or vanished).
func (s *Store) AckDelivery(ctx context.Context, scope core.Scope, entryID string) error {
	err := ackDelivery.Run(ctx, s.hot, []string{s.DeliveriesStreamKey(scope)}, WorkerGroup, entryID).Err()
	return storeErr("ack delivery", err)
}

// LoadDelivery returns a delivery without its attempts, and its pending
// payload (nil once the delivery ended). Returns ENOTFOUND.
func (s *Store) LoadDelivery(ctx context.Context, scope core.Scope, id string) (*core.Delivery, []byte, error) {
	got, err := s.loadStored(ctx, s.hot, scope, []string{id}, true)
	if err != nil {
		return nil, nil, err
	}
	if got[0] == nil {
		return nil, nil, core.NotFound("delivery", id)
	}
	return got[0].delivery, got[0].payload, nil
}

// LoadDeliveries is LoadDelivery for several deliveries of scope in one
// script: the workers' way to read the deliveries of a read of the stream
// without a script and a round trip each. A delivery that is gone is nil.
func (s *Store) LoadDeliveries(ctx context.Context, scope core.Scope, ids []string) ([]*LoadedDelivery, error) {
	got, err := s.loadStored(ctx, s.hot, scope, ids, true)
	if err != nil {
		return nil, err
	}
	out := make([]*LoadedDelivery, len(got))
	for i, g := range got {
		if g != nil {
			out[i] = &LoadedDelivery{Delivery: g.delivery, Payload: g.payload}
		}
	}
	return out, nil
}

// DeliveryObject names the object of a delivery to a target of kind:
// "webhook_delivery" for an endpoint, "connection_delivery" for a
// connection, so that a client can tell them apart in a mixed list.
func DeliveryObject(kind string) string {
	if kind == core.TargetConnection {
		return "connection_delivery"
	}
	return "webhook_delivery"
}

func deliveryFromHash(m map[string]string) *core.Delivery {
	d := &core.Delivery{
		ID: m["id"], Object: DeliveryObject(m["kind"]), EventID: m["event_id"], EventType: m["event_type"],
		Target: core.Target{Kind: m["kind"], ID: m["target"]}, Status: m["status"], Reason: m["reason"],
		Replay: m["replay"] == "1", BackfillID: m["backfill"], Livemode: m["live"] == "1",
	}
	d.TraceParent = m["tp"]
	d.AttemptCount, _ = strconv.Atoi(m["attempts"])
	d.LastStatus, _ = strconv.Atoi(m["last_status"])
	d.CreatedAt = msTime(m["created"])
	d.UpdatedAt = msTime(m["updated"])
	if m["next_at"] != "" {
		t := msTime(m["next_at"])
		d.NextAttemptAt = &t
	}
	return d
}

func msTime(s string) time.Time {
	ms, _ := strconv.ParseInt(s, 10, 64)
	return time.UnixMilli(ms).UTC()
}

func boolArg(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// FindDelivery returns a delivery with its attempts. Returns ENOTFOUND if
// it is not in scope or has aged out.
func (s *Store) FindDelivery(ctx context.Context, scope core.Scope, id string) (*core.Delivery, error) {
	got, err := s.loadStored(ctx, s.rdb, scope, []string{id}, false)
	if err != nil {
		return nil, err
	}
	sd := got[0]
	if sd == nil {
		return nil, core.NotFound("delivery", id)
	}
	d := sd.delivery
	raw := sd.attempts
	if !sd.ended {
		if raw, err = s.rdb.LRange(ctx, s.attemptsKey(scope, id), 0, -1).Result(); err != nil {
			return nil, storeErr("load attempts", err)
		}
	}
	d.Attempts = make([]*core.Attempt, 0, len(raw))
	for _, r := range raw {
		a, err := decodeAttempt(r, d.EventID)
		if err != nil {
			return nil, err
		}
		d.Attempts = append(d.Attempts, a)
	}
	return d, nil
}

// ListDeliveries lists a target's deliveries newest first, filtered, after
// filter.Page.StartingAfter. It reads the target's log in chunks and filters
// as it goes, so a selective filter costs more reads, never a full scan at
// once; past the log's oldest entry it goes on in the sorted set releases
// before the log kept (targetLegacyIndexKey), which holds only older ones.
func (s *Store) ListDeliveries(ctx context.Context, scope core.Scope, targetID string, f core.DeliveryFilter) (core.List[*core.Delivery], error) {
	page := deliveryPage{s: s, scope: scope, f: f, list: core.List[*core.Delivery]{Data: []*core.Delivery{}}, limit: f.Page.Limit}
	if page.limit <= 0 {
		page.limit = core.DefaultPageLimit
	}
	logKey := s.targetLogKey(scope, targetID)
	newest, oldest := "+", "-"
	if f.CreatedLTE != nil {
		newest = strconv.FormatInt(f.CreatedLTE.UnixMilli(), 10)
	}
	if f.CreatedGTE != nil {
		oldest = strconv.FormatInt(f.CreatedGTE.UnixMilli(), 10)
	}
	if f.Page.StartingAfter != "" {
		entry, err := s.logEntryOf(ctx, scope, logKey, f.Page.StartingAfter)
		if err != nil {
			return page.list, err
		}
		if entry == "" { // not in the log: a cursor in the older index, or gone
			return page.list, page.fromLegacy(ctx, s.targetLegacyIndexKey(scope, targetID), f.Page.StartingAfter)
		}
		if ms, _ := streamIDMillis(entry); f.CreatedLTE == nil || ms <= f.CreatedLTE.UnixMilli() {
			newest = "(" + entry
		}
	}
	const chunk = 100
	for {
		msgs, err := s.rdb.XRevRangeN(ctx, logKey, newest, oldest, chunk).Result()
		if err != nil {
			return page.list, storeErr("list deliveries", err)
		}
		ids := make([]string, 0, len(msgs))
		for _, m := range msgs {
			if ref, ok := m.Values["d"].(string); ok {
				ids = append(ids, deliveryIDOfRef(ref))
			}
		}
		if full, err := page.add(ctx, ids); full || err != nil {
			return page.list, err
		}
		if len(msgs) < chunk {
			return page.list, page.fromLegacy(ctx, s.targetLegacyIndexKey(scope, targetID), "")
		}
		newest = "(" + msgs[len(msgs)-1].ID
	}
}

// logEntryOf finds a delivery's entry in a target's log: its entry id is
// the delivery's creation time, or later when another hub's clock was
// ahead (the log then takes Redis's next id), by as much as the clocks
// differ. It reads from the creation time in growing chunks until it finds
// the entry or passes maxLogSkew beyond it, and returns "" for a delivery
// not in the log.
func (s *Store) logEntryOf(ctx context.Context, scope core.Scope, logKey, id string) (string, error) {
	ds, err := s.loadDeliveries(ctx, scope, []string{id})
	if err != nil || len(ds) == 0 {
		return "", err
	}
	created := ds[0].CreatedAt.UnixMilli()
	from := strconv.FormatInt(created, 10)
	for count := int64(16); ; count = min(4*count, 4096) {
		msgs, err := s.rdb.XRangeN(ctx, logKey, from, "+", count).Result()
		if err != nil {
			return "", storeErr("list deliveries", err)
		}
		for _, m := range msgs {
			if ref, _ := m.Values["d"].(string); deliveryIDOfRef(ref) == id {
				return m.ID, nil
			}
		}
		if int64(len(msgs)) < count {
			return "", nil
		}
		last := msgs[len(msgs)-1].ID
		if ms, _ := streamIDMillis(last); ms > created+maxLogSkew.Milliseconds() {
			return "", nil
		}
		from = "(" + last
	}
}

// maxLogSkew bounds how far ahead of a delivery's creation logEntryOf
// looks for its entry: hub clocks further apart than this are a fault of
// the deployment, and a cursor logged past it ends its list early.
const maxLogSkew = time.Minute

// deliveryPage is one page of ListDeliveries being filled.
type deliveryPage struct {
	s     *Store
	scope core.Scope
	f     core.DeliveryFilter
	list  core.List[*core.Delivery]
	limit int
}

// add loads ids, newest first, and keeps those the filter takes (by their
// creation time too: a log entry's id may be a little later than it);
// full is true once the page holds its limit and one more matched
// (HasMore).
func (p *deliveryPage) add(ctx context.Context, ids []string) (full bool, err error) {
	ds, err := p.s.loadDeliveries(ctx, p.scope, ids)
	if err != nil {
		return false, err
	}
	for _, d := range ds {
		if !p.f.Matches(d) {
			continue
		}
		if len(p.list.Data) == p.limit {
			p.list.HasMore = true
			return true, nil
		}
		p.list.Data = append(p.list.Data, d)
	}
	return false, nil
}

// fromLegacy goes on filling the page from a target's sorted set of
// releases before the log, after the cursor when one is given (a cursor
// not in the set ends the list). Such a set is never written again and expires the
// delivery retention after its last write; on a store without one this is
// a single read of a missing key.
func (p *deliveryPage) fromLegacy(ctx context.Context, idx, after string) error {
	s, f := p.s, p.f
	maxScore, minScore := "+inf", "-inf"
	if f.CreatedLTE != nil {
		maxScore = strconv.FormatInt(f.CreatedLTE.UnixMilli(), 10)
	}
	if f.CreatedGTE != nil {
		minScore = strconv.FormatInt(f.CreatedGTE.UnixMilli(), 10)
	}
	var offset int64
	if after != "" {
		score, err := s.rdb.ZScore(ctx, idx, after).Result()
		if errors.Is(err, redis.Nil) {
			return nil
		} else if err != nil {
			return storeErr("list deliveries", err)
		}
		maxScore = strconv.FormatInt(min(int64(score), mustInt(maxScore, int64(score))), 10)
		// Skip the members with the cursor's score up to and including it.
		same, err := s.rdb.ZRevRangeByScore(ctx, idx, &redis.ZRangeBy{Min: maxScore, Max: maxScore}).Result()
		if err != nil {
			return storeErr("list deliveries", err)
		}
		for i, id := range same {
			if id == after {
				offset = int64(i + 1)
			}
		}
	}
	const chunk = 100
	for {
		ids, err := s.rdb.ZRevRangeByScore(ctx, idx, &redis.ZRangeBy{Min: minScore, Max: maxScore, Offset: offset, Count: chunk}).Result()
		if err != nil {
			return storeErr("list deliveries", err)
		}
		offset += int64(len(ids))
		if full, err := p.add(ctx, ids); full || err != nil || len(ids) < chunk {
			return err
		}
	}
}

func mustInt(s string, def int64) int64 {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return def
	}
	return v
}

// loadDeliveries reads deliveries (without payload or attempts) in one
// round trip, skipping those that expired.
func (s *Store) loadDeliveries(ctx context.Context, scope core.Scope, ids []string) ([]*core.Delivery, error) {
	got, err := s.loadStored(ctx, s.rdb, scope, ids, false)
	if err != nil {
		return nil, err
	}
	out := make([]*core.Delivery, 0, len(ids))
	for _, sd := range got {
		if sd != nil {
			out = append(out, sd.delivery)
		}
	}
	return out, nil
}
