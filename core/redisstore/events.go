package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

// appendEventScript adds an event to a scope's stream unless its id is
// already indexed, in one atomic step, so that two publishes of the same id
// racing each other store one event. The stream is trimmed on every write to
// the retention window (MINID ~ now-retention by Redis's own clock, the clock
// that stamps stream ids), so no sweeping job is needed.
//
// KEYS[1] stream, KEYS[2] index; ARGV id, type, event JSON, retention ms.
// Returns {1, stream id} when added, {0, stream id, event JSON} when the id
// existed.
var appendEventScript = redis.NewScript(`
local stream, index = KEYS[1], KEYS[2]
local event_id, event_type, event_json, retention_ms = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local sid = redis.call('GET', index)
if sid then
  local e = redis.call('XRANGE', stream, sid, sid)
  if #e > 0 then
    local f = e[1][2]
    for i = 1, #f, 2 do
      if f[i] == 'event' then return {0, sid, f[i + 1]} end
    end
  end
end
local t = redis.call('TIME')
local minid = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - tonumber(retention_ms)
if minid < 0 then minid = 0 end -- a window reaching before 1970: XADD refuses a negative MINID
sid = redis.call('XADD', stream, 'MINID', '~', string.format('%d', minid), '*',
  'id', event_id, 'type', event_type, 'event', event_json)
redis.call('SET', index, sid, 'PX', retention_ms)
return {1, sid}
`)

// findEventScript returns the envelope JSON of an event by id, or nil.
// KEYS[1] stream, KEYS[2] index.
var findEventScript = redis.NewScript(`
local sid = redis.call('GET', KEYS[2])
if not sid then return false end
local e = redis.call('XRANGE', KEYS[1], sid, sid)
if #e == 0 then return false end
local f = e[1][2]
for i = 1, #f, 2 do
  if f[i] == 'event' then return f[i + 1] end
end
return false
`)

// EventsStreamKey names the stream that holds scope's events, for the
// delivery dispatcher, which reads it with a consumer group. Each entry has
// the fields "id", "type" and "event" (the envelope JSON); DecodeEvent reads
// one.
func (s *Store) EventsStreamKey(scope core.Scope) string { return s.scopeKey(scope, "events") }

// eventIndexKey maps an event id to its stream entry id, for dedupe, lookup
// and cursors. It expires with the retention window.
func (s *Store) eventIndexKey(scope core.Scope, id string) string {
	return s.scopeKey(scope, "evt", id)
}

// DecodeEvent returns the event held by an entry of an events stream.
func DecodeEvent(msg redis.XMessage) (*core.Event, error) {
	raw, ok := msg.Values["event"].(string)
	if !ok {
		return nil, fmt.Errorf("events stream entry %s has no event field", msg.ID)
	}
	return decodeEvent(raw)
}

func decodeEvent(raw string) (*core.Event, error) {
	var ev core.Event
	if err := json.Unmarshal([]byte(raw), &ev); err != nil {
		return nil, fmt.Errorf("decode event: %w", err)
	}
	return &ev, nil
}

// AppendEvent adds a complete event to the scope's events stream unless an
// event with its id is still retained, atomically. It returns the stored
// event and whether it was added; once it returns, the event is in Redis.
// Returns EINVALID if the event has no id.
func (s *Store) AppendEvent(ctx context.Context, scope core.Scope, ev *core.Event) (*core.Event, bool, error) {
	if ev.ID == "" {
		return nil, false, core.ParamError("id", "The event has no id.")
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return nil, false, fmt.Errorf("append event: %w", err)
	}
	keys := []string{s.EventsStreamKey(scope), s.eventIndexKey(scope, ev.ID)}
	retention := strconv.FormatInt(s.opts.EventRetention.Milliseconds(), 10)
	res, err := appendEventScript.Run(ctx, s.hot, keys, ev.ID, ev.Type, body, retention).Slice()
	if err != nil {
		return nil, false, storeErr("append event", err)
	}
	if added, _ := res[0].(int64); added == 1 {
		return ev, true, nil
	}
	raw, _ := res[2].(string)
	stored, err := decodeEvent(raw)
	return stored, false, err
}

// FindEvent returns an event by id. Returns ENOTFOUND if it is not in scope
// or has aged out of retention.
func (s *Store) FindEvent(ctx context.Context, scope core.Scope, id string) (*core.Event, error) {
	keys := []string{s.EventsStreamKey(scope), s.eventIndexKey(scope, id)}
	raw, err := findEventScript.Run(ctx, s.rdb, keys).Text()
	if errors.Is(err, redis.Nil) {
		return nil, core.NotFound("event", id)
	} else if err != nil {
		return nil, storeErr("find event", err)
	}
	return decodeEvent(raw)
}
