package redisstore

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/tracing"
	"github.com/redis/go-redis/v9"
)

// appendLua begins the scripts that append events (KEYS[1] the stream;
// ARGV[1] the retention in ms, ARGV[2] the cap in events, "0" for none,
// ARGV[3] the scope's event index prefix): the MINID that trims the stream
// to the retention window, stored, the entry an index points to, add,
// forget_aged, which trims the window, and cap_events, the per-account cap
// (event_entry.go has the entry's fields).
const appendLua = appendEntryLua + eventIndexLua + `
local stream, retention_ms, cap, index_prefix = KEYS[1], ARGV[1], tonumber(ARGV[2]), ARGV[3]
local t = redis.call('TIME')
local minid = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - tonumber(retention_ms)
if minid < 0 then minid = 0 end -- a window reaching before 1970: nothing to trim
minid = string.format('%d', minid)

-- stored returns the fields of the entry event id's index points to, or
-- nil, and the fingerprint of the Idempotency-Key kept with it, if any
-- (core.OnceKey.InEvent). bucket is the id's index hash, as the caller
-- was given it.
local function stored(id, bucket)
  local v = index_get(index_prefix, id, bucket, true)
  if not v then return nil end
  local sid = string.match(v, '^[^ ]+') -- then the event's delivery ids (eventIndexKey)
  local e = redis.call('XRANGE', stream, sid, sid)
  if #e == 0 then return nil end -- trimmed: the index outlived its entry
  local f, fp = e[1][2], nil
  for i = 1, #f - 1, 2 do
    if f[i] == 'fp' then fp = f[i + 1] end
  end
  return f, fp
end

-- add appends the event whose entryArgs start after ARGV[a], with fp, a
-- fingerprint to keep (or nil), and tp, the publishing request's
-- traceparent, stored only when tracing made one.
local function add(a, fp, tp)
  local f = entry_fields(a)
  if fp then f[#f + 1], f[#f + 2] = 'fp', fp end
  if tp ~= '' then f[#f + 1], f[#f + 2] = 'tp', tp end
  return redis.call('XADD', stream, '*', unpack(f))
end

-- forget_index deletes the index of entry e's event, unless the id was
-- stored again since.
local function forget_index(e)
  local id = entry_id(e[2])
  if not id then return end
  local v, bucket = index_get(index_prefix, id)
  if not v or string.match(v, '^[^ ]+') ~= e[1] then return end
  if bucket then redis.call('HDEL', bucket, id) else redis.call('DEL', index_prefix .. id) end
end

-- trim_through drops the stream's entries up to and including entry id.
local function trim_through(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  redis.call('XTRIM', stream, 'MINID', ms .. '-' .. string.format('%d', tonumber(seq) + 1))
end

-- forget_aged trims the stream to the retention window, and with each
-- entry it drops the entry's index: an index carries no expiry of its
-- own, which would cost each event 42 bytes more of Redis. At most 100
-- entries go a call, and only the ones whose indexes went with them,
-- so that no index outlives its entry; the trim is exact (an
-- approximate one leaves part of a node behind, read again every call).
local function forget_aged()
  if minid == '0' then return end
  local old = redis.call('XRANGE', stream, '-', '(' .. minid, 'COUNT', 100)
  if #old == 0 then return end
  for _, e in ipairs(old) do forget_index(e) end
  trim_through(old[#old][1])
end

-- reply_field reads a field of a reply Redis gives as a map (XINFO).
local function reply_field(r, name)
  if r[name] ~= nil then return r[name] end
  for i = 1, #r - 1, 2 do
    if r[i] == name then return r[i + 1] end
  end
end

-- cap_events keeps the stream near cap events: once it holds a tenth of
-- the cap more (1 to 100), the oldest go, at most 500 a call, with their
-- index keys. Only entries the dispatch group has read and acked may go,
-- so an acknowledged event is never dropped before it was dispatched: with
-- the dispatcher behind, the stream waits over its cap.
local function cap_events()
  if cap <= 0 then return end
  local over = redis.call('XLEN', stream) - cap
  if over < math.max(1, math.min(100, math.floor(cap / 10))) then return end
  local last, pending
  for _, g in ipairs(redis.call('XINFO', 'GROUPS', stream)) do
    if reply_field(g, 'name') == '` + DispatchGroup + `' then
      last, pending = reply_field(g, 'last-delivered-id'), tonumber(reply_field(g, 'pending'))
    end
  end
  if not last then return end -- no dispatcher has read the stream yet
  local upto = last
  if pending > 0 then upto = '(' .. redis.call('XPENDING', stream, '` + DispatchGroup + `')[2] end
  local old = redis.call('XRANGE', stream, '-', upto, 'COUNT', math.min(over, 500))
  if #old == 0 then return end
  for _, e in ipairs(old) do forget_index(e) end
  trim_through(old[#old][1])
end
`

// appendEventsScript adds events to a scope's stream, in order, each unless
// its id is already indexed, in one atomic step: two publishes of the same
// id racing each other store one event, and a later event of the batch with
// the id of an earlier one finds it. One script for a batch is one round
// trip however many events it holds (POST /v1/events/batch); a single
// publish is a batch of one, so both take the same path. The stream is
// trimmed on every write to the retention window (now-retention by Redis's
// own clock, the clock that stamps stream ids), and the index keys of what
// it drops go with it (forget_aged), so no sweeping job is needed.
//
// KEYS[1] stream, KEYS[1+i] the index hash of event i (eventIndexHash);
// ARGV[1..3] as appendLua says, ARGV[4] the publishing request's traceparent ("" without tracing),
// then the entryArgs of each event. Returns, for each event, 1 when it was
// added or the stored entry's fields when its id existed.
var appendEventsScript = redis.NewScript(appendLua + `
forget_aged()
local out, tp = {}, ARGV[4]
for n = 1, #KEYS - 1 do
  local a = 4 + ` + strconv.Itoa(entryArgCount) + ` * (n - 1)
  local id, bucket = ARGV[a + 2], KEYS[n + 1] -- entryArgs: type, then id
  local old = stored(id, bucket)
  if old then
    out[n] = old
  else
    redis.call('HSET', bucket, id, add(a, nil, tp))
    out[n] = 1
  end
end
cap_events()
return out
`)

// appendEventOnceScript is appendEventsScript for one event that settles
// an Idempotency-Key in the same step (core.OnceKey): unless the key's
// record exists, it appends the event (or finds the stored one with its
// id). For an event named after the key (in_event) it keeps the request's
// fingerprint in the event's stream entry (field fp) and writes no record;
// for any other it writes the record as done, naming the event, in the
// format Idempotency reads: status 201 for an added event, 200 for a found
// one, as the general path answers.
//
// KEYS[1] stream, KEYS[2] the event's index hash, KEYS[3] the key's record;
// ARGV[1..3] as appendLua says, ARGV[4] the request's fingerprint (for an
// in_event, the part of it the entry keeps: keptFingerprint), ARGV[5]
// the record's TTL in ms, ARGV[6] its traceparent, ARGV[7] "1" for
// in_event, then the event's entryArgs. Returns nil when the record
// exists, else 1 (added) or the stored entry's fields and, in_event, the
// fingerprint stored with it ("" if none).
var appendEventOnceScript = redis.NewScript(appendLua + `
local index, record = KEYS[2], KEYS[3]
local fp, ttl_ms, tp, in_event = ARGV[4], ARGV[5], ARGV[6], ARGV[7] == '1'
local event_id = ARGV[9]
if redis.call('EXISTS', record) == 1 then return false end
forget_aged()
local old, old_fp = stored(event_id, index)
if in_event then
  if old then return {old, old_fp or ''} end
  redis.call('HSET', index, event_id, add(7, fp, tp)) -- fp is keptFingerprint's
  cap_events()
  return 1
end
if not old then
  redis.call('HSET', index, event_id, add(7, nil, tp))
  cap_events()
end
redis.call('HSET', record, 'state', 'done', 'fp', fp, 'status', old and '200' or '201', 'ref', 'event:' .. event_id)
redis.call('PEXPIRE', record, ttl_ms)
return old or 1
`)

// findEventScript returns the fields of an event's entry by id, or nil.
// KEYS[1] stream, KEYS[2] its index hash; ARGV[1] the scope's index
// prefix, ARGV[2] the id.
var findEventScript = redis.NewScript(eventIndexLua + `
local v = index_get(ARGV[1], ARGV[2], KEYS[2], true)
if not v then return false end
local sid = string.match(v, '^[^ ]+')
local e = redis.call('XRANGE', KEYS[1], sid, sid)
if #e == 0 then return false end
return e[1][2]
`)

// EventsStreamKey names the stream that holds scope's events, for the
// delivery dispatcher, which reads it with a consumer group. Each entry
// holds an event's envelope in parts (event_entry.go; earlier releases'
// entries, the envelope JSON); EventOfEntry and DecodeEvent read one.
func (s *Store) EventsStreamKey(scope core.Scope) string { return s.scopeKey(scope, "events") }

// An event's index maps its id to its stream entry id, for dedupe, lookup
// and cursors, followed by the ids of the event's deliveries, space
// separated, as the dispatcher creates them (ListEventDeliveries), where a
// sorted set of its deliveries cost another ~170 bytes. It goes with its
// entry. indexEntryID reads the entry id.
//
// The index of every event is a field of one of eventIndexBuckets hashes
// per scope, evt:idx:<n>, chosen by a hash of its id (eventIndexBucket):
// a key of its own cost an event ~170 bytes of Redis (its name, object
// and keyspace entry beside the value), a field of a hash ~60 less, and
// one of a hash Redis packs in a listpack (under 128 fields, values under
// 64 bytes: a scope under ~500,000 events, each to one target) ~80 less.
// 4,096 hashes rather than fewer: a listpack is scanned whole for an id
// it lacks, every publish, and 1,024 fuller ones cost Redis 2 µs an event
// more under batch publishing for ~20 bytes an event less. Events stored
// before keep their key, evt:<event id> (eventIndexKey), which every read
// still looks in after the hash.
const eventIndexBuckets = 4096

// eventIndexBucket is the hash of id's index: the first 12 bits of the
// id's SHA-1, modulo eventIndexBuckets, which eventIndexLua's index_bucket
// computes alike with Redis's own redis.sha1hex (a byte loop in Lua cost
// Redis ~3 µs an event).
func eventIndexBucket(id string) int {
	sum := sha1.Sum([]byte(id))
	return (int(sum[0])<<4 | int(sum[1])>>4) % eventIndexBuckets
}

// eventIndexHash names the hash holding the index of event id.
func (s *Store) eventIndexHash(scope core.Scope, id string) string {
	return s.scopeKey(scope, "evt", "idx", strconv.Itoa(eventIndexBucket(id)))
}

// eventIndexKey names the key that held the index of event id before the
// hashes did (and the prefix of every such key, for id "").
func (s *Store) eventIndexKey(scope core.Scope, id string) string {
	return s.scopeKey(scope, "evt", id)
}

// eventIndexLua defines, for scripts given the scope's eventIndexKey
// prefix: index_bucket, the hash of an event's index (eventIndexBucket;
// event ids are evt_ and [A-Za-z0-9_], so idx: names no event), and
// index_get, an event's index value and the hash holding it, or the value
// of its key of an earlier release and nil, or nil; given the hash
// (bucket) when the caller has it. A caller that looks for an event a
// publish may repeat (hashed_only) reads the key only while the scope's
// legacyIndexKey says it may hold such keys: a new event's id is in
// neither, and its publish spares that read.
const eventIndexLua = `
local function index_bucket(prefix, id)
  local n = tonumber(string.sub(redis.sha1hex(id), 1, 3), 16) % 4096 -- eventIndexBuckets
  return prefix .. 'idx:' .. string.format('%d', n)
end
local legacy_index -- nil until index_get has asked (legacyIndexKey)
local function index_get(prefix, id, bucket, hashed_only)
  bucket = bucket or index_bucket(prefix, id)
  local v = redis.call('HGET', bucket, id)
  if v then return v, bucket end
  if hashed_only then
    if legacy_index == nil then legacy_index = redis.call('EXISTS', prefix .. 'idx:legacy') == 1 end
    if not legacy_index then return false, nil end
  end
  return redis.call('GET', prefix .. id), nil
end
`

// legacyIndexKey marks a scope that may still hold index keys of releases
// before event indexes were kept in hashes (evt:<id>, c813375 and
// earlier): MarkLegacyEventIndexes writes it once for every scope a store
// had when a hub of this release first started on it, to expire one event
// retention later, when every event those keys name has aged out. While
// it exists, a publish looks for its event's id in those keys too.
func (s *Store) legacyIndexKey(scope core.Scope) string { return s.eventIndexKey(scope, "idx:legacy") }

// legacyMarkedKey says MarkLegacyEventIndexes has marked the store's scopes.
func (s *Store) legacyMarkedKey() string { return s.globalKey("meta", "legacy-index-marked") }

// MarkLegacyEventIndexes marks, once per store, every scope it holds as one
// that may still have event index keys of earlier releases (legacyIndexKey),
// for an event retention from now; scopes made later never have such keys.
// A hub calls it at start-up, before it publishes anything: a store it
// marks late only reads those keys longer.
func (s *Store) MarkLegacyEventIndexes(ctx context.Context) error {
	return s.oncePerStore(ctx, s.legacyMarkedKey(), "mark legacy event indexes", func(scopes []core.Scope) error {
		until := time.Now().Add(s.opts.EventRetention)
		_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, scope := range scopes {
				p.SetArgs(ctx, s.legacyIndexKey(scope), "1", redis.SetArgs{Mode: "NX", ExpireAt: until})
			}
			return nil
		})
		return storeErr("mark legacy event indexes", err)
	})
}

// eventIndexValue reads the index of event id, in its hash or in its key
// of an earlier release, in one round trip; redis.Nil when it has none.
func (s *Store) eventIndexValue(ctx context.Context, scope core.Scope, id string) (string, error) {
	var inHash, inKey *redis.StringCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		inHash = p.HGet(ctx, s.eventIndexHash(scope, id), id)
		inKey = p.Get(ctx, s.eventIndexKey(scope, id))
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return "", err
	}
	if v, err := inHash.Result(); err == nil {
		return v, nil
	}
	return inKey.Result()
}

// DecodeEvent returns the event held by an entry of an events stream.
func DecodeEvent(msg redis.XMessage) (*core.Event, error) {
	ev, _, err := EventOfEntry(msg.Values)
	if err != nil {
		return nil, fmt.Errorf("events stream entry %s: %w", msg.ID, err)
	}
	return ev, nil
}

// storedEvent decodes the fields of an entry a script returned.
func storedEvent(r any) (*core.Event, error) {
	flat, ok := r.([]any)
	if !ok {
		return nil, fmt.Errorf("decode event: a script returned %T, not an entry's fields", r)
	}
	ev, _, err := eventOfFlat(flat)
	return ev, err
}

// AppendEvent adds a complete event to the scope's events stream unless an
// event with its id is still retained, atomically. It returns the stored
// event and whether it was added; once it returns, the event is in Redis.
// Returns EINVALID if the event has no id.
func (s *Store) AppendEvent(ctx context.Context, scope core.Scope, ev *core.Event) (*core.Event, bool, error) {
	stored, created, err := s.AppendEvents(ctx, scope, []*core.Event{ev})
	if err != nil {
		return nil, false, err
	}
	return stored[0], created[0], nil
}

// AppendEventOnce is AppendEvent that settles once, the request's
// Idempotency-Key, in the same script (core.OnceKey says how), unless the
// key already has a record, in which case nothing is stored and it returns
// core.ErrOnceKeyUsed. For an event named after its key (once.InEvent), a
// stored event with the same fingerprint is returned as found, and one
// with another fingerprint is an EIDEMPOTENCY error.
func (s *Store) AppendEventOnce(ctx context.Context, scope core.Scope, ev *core.Event, once core.OnceKey) (*core.Event, bool, error) {
	parts, err := entryArgs(ev)
	if err != nil {
		return nil, false, err
	}
	inEvent, fp := "0", once.Fingerprint
	if once.InEvent {
		inEvent, fp = "1", keptFingerprint(once.Fingerprint)
	}
	keys := []string{s.EventsStreamKey(scope), s.eventIndexHash(scope, ev.ID), s.idempotencyKey(scope, once.Key)}
	args := append([]any{s.opts.EventRetention.Milliseconds(), s.opts.EventsPerScope, s.eventIndexKey(scope, ""),
		fp, IdempotencyTTL.Milliseconds(), tracing.Parent(ctx), inEvent}, parts...)
	res, err := appendEventOnceScript.Run(ctx, s.hot, keys, args...).Result()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, false, core.ErrOnceKeyUsed
	case err != nil:
		return nil, false, storeErr("append event", err)
	}
	if _, added := res.(int64); added {
		return ev, true, nil
	}
	if once.InEvent { // the stored entry's fields and the fingerprint kept with it
		pair, _ := res.([]any)
		if len(pair) != 2 {
			return nil, false, fmt.Errorf("append event: the script returned %v", res)
		}
		if kept, _ := pair[1].(string); !keptFingerprintOf(kept, once.Fingerprint) {
			return nil, false, core.ErrKeyReused()
		}
		res = pair[0]
	}
	stored, err := storedEvent(res)
	return stored, false, err
}

// keptFingerprint is the part of a request's fingerprint (a SHA-256 in hex)
// an event named after its Idempotency-Key keeps: its first 64 bits, as 8
// bytes. They tell a retry from a reuse of the key with other parameters,
// which is all they are for, but for one pair of requests in 2^64. (A
// fingerprint that is not hex is kept as hexFingerprint cuts it.)
func keptFingerprint(fp string) string {
	raw, err := hex.DecodeString(fp[:min(len(fp), keptFingerprintHex)])
	if err != nil || len(raw) != keptFingerprintHex/2 {
		return hexFingerprint(fp)
	}
	return string(raw)
}

const keptFingerprintHex = 16

// keptFingerprintOf tells whether kept, read from an event's entry, is
// fp's as this release keeps it or as an earlier one did: its first 32 hex
// digits (up to d5e1b19) or their 16 bytes (up to the 8-byte form).
func keptFingerprintOf(kept, fp string) bool {
	if kept == keptFingerprint(fp) || kept == hexFingerprint(fp) {
		return true
	}
	raw, err := hex.DecodeString(hexFingerprint(fp))
	return err == nil && len(raw) == 16 && kept == string(raw)
}

// hexFingerprint is the part of a fingerprint releases up to d5e1b19 kept
// in an event's entry: its first 32 hex digits.
func hexFingerprint(fp string) string { return fp[:min(len(fp), 32)] }

// AppendEvents adds complete events to the scope's events stream in one
// atomic script (one round trip), each unless an event with its id is still
// retained or came earlier in evs. It returns, for each event, the stored
// event and whether it was added; once it returns, every event is in Redis.
// All keys are the scope's, so on a cluster the script runs in one slot.
// Returns EINVALID if an event has no id.
func (s *Store) AppendEvents(ctx context.Context, scope core.Scope, evs []*core.Event) ([]*core.Event, []bool, error) {
	if len(evs) == 0 {
		return nil, nil, nil
	}
	keys := make([]string, 1, 1+len(evs))
	keys[0] = s.EventsStreamKey(scope)
	args := make([]any, 4, 4+entryArgCount*len(evs))
	args[0] = strconv.FormatInt(s.opts.EventRetention.Milliseconds(), 10)
	args[1], args[2], args[3] = s.opts.EventsPerScope, s.eventIndexKey(scope, ""), tracing.Parent(ctx)
	for _, ev := range evs {
		parts, err := entryArgs(ev)
		if err != nil {
			return nil, nil, err
		}
		keys = append(keys, s.eventIndexHash(scope, ev.ID))
		args = append(args, parts...)
	}
	res, err := appendEventsScript.Run(ctx, s.hot, keys, args...).Slice()
	if err != nil {
		return nil, nil, storeErr("append event", err)
	}
	if len(res) != len(evs) {
		return nil, nil, fmt.Errorf("append event: %d results for %d events", len(res), len(evs))
	}
	stored, created := make([]*core.Event, len(evs)), make([]bool, len(evs))
	for i, r := range res {
		if _, added := r.(int64); added {
			stored[i], created[i] = evs[i], true
			continue
		}
		if stored[i], err = storedEvent(r); err != nil {
			return nil, nil, err
		}
	}
	return stored, created, nil
}

// FindEvent returns an event by id. Returns ENOTFOUND if it is not in scope
// or has aged out of retention.
func (s *Store) FindEvent(ctx context.Context, scope core.Scope, id string) (*core.Event, error) {
	keys := []string{s.EventsStreamKey(scope), s.eventIndexHash(scope, id)}
	res, err := findEventScript.Run(ctx, s.rdb, keys, s.eventIndexKey(scope, ""), id).Result()
	if errors.Is(err, redis.Nil) {
		return nil, core.NotFound("event", id)
	} else if err != nil {
		return nil, storeErr("find event", err)
	}
	return storedEvent(res)
}

// indexEntryID is the stream entry id an event index value starts with.
func indexEntryID(v string) string {
	sid, _, _ := strings.Cut(v, " ")
	return sid
}
