package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

// A delivery is kept in two shapes. While it may still be attempted it is a
// hash (dlv:<id>) with its attempts in a list (dlv:<id>:att) and its payload
// in a string (dlv:<id>:p), so that each attempt updates a field or two.
// When it ends (succeeded or failed) FinishAttempt folds all three into one
// string under the same key, the ended record: the hash's fields as JSON on
// the first line, short names, then one attempt record per line. An ended
// delivery is read far more rarely than it is kept, and one string costs
// about a third of a hash and a list (each Redis key has its own overhead,
// a list's quicklist node another): 2.1 KB → about 500 bytes for a plain
// webhook delivery. Deliveries that ended before this format stayed hashes
// and are read as such.

// endedNames shortens the hash's field names in the ended record; readers
// map them back. The Lua below and endedFields hold the same table.
var endedNames = map[string]string{
	"e": "event_id", "y": "event_type", "k": "kind", "t": "target", "s": "status", "r": "reason",
	"p": "replay", "b": "backfill", "l": "live", "n": "attempts", "c": "last_status",
	"ca": "created", "u": "updated", "x": "next_at",
}

// endDeliveryLua is the part of FinishAttempt that folds an ended
// delivery's hash and attempts into its ended record. It expects delivery,
// attempts, payload and retention_ms in scope.
const endDeliveryLua = `
local short = {event_id='e', event_type='y', kind='k', target='t', status='s', reason='r', replay='p',
  backfill='b', live='l', attempts='n', last_status='c', created='ca', updated='u', next_at='x'}
local h = redis.call('HGETALL', delivery)
local rec = {}
for i = 1, #h, 2 do
  local name = short[h[i]]
  if name then rec[name] = h[i + 1] end
end
local lines = {cjson.encode(rec)}
for _, a in ipairs(redis.call('LRANGE', attempts, 0, -1)) do lines[#lines + 1] = a end
redis.call('DEL', delivery, attempts, payload)
redis.call('SET', delivery, table.concat(lines, '\n'), 'PX', retention_ms)
`

// readDeliveries returns, for each key, {'h', hash fields, payload} for a
// delivery that may still be attempted, {'s', ended record} for one that
// ended, or false when it is gone. ARGV[1] = '1' asks for the pending
// payload (KEYS[i] .. ':p').
var readDeliveries = redis.NewScript(`
local out = {}
for i, key in ipairs(KEYS) do
  local t = redis.call('TYPE', key).ok
  if t == 'hash' then
    local payload = false
    if ARGV[1] == '1' then payload = redis.call('GET', key .. ':p') end
    out[i] = {'h', redis.call('HGETALL', key), payload}
  elseif t == 'string' then
    out[i] = {'s', redis.call('GET', key)}
  else
    out[i] = false
  end
end
return out
`)

// storedDelivery is one delivery as readDeliveries found it.
type storedDelivery struct {
	fields   map[string]string // the hash's fields, long names
	payload  []byte            // pending only
	attempts []string          // the ended record's attempt lines; nil for a hash
	ended    bool
}

// parseStoredDeliveries reads readDeliveries' answer; a gone delivery is nil.
func parseStoredDeliveries(ids []string, res []any) ([]*storedDelivery, error) {
	out := make([]*storedDelivery, len(res))
	for i, r := range res {
		parts, ok := r.([]any)
		if !ok || len(parts) < 2 {
			continue
		}
		switch parts[0] {
		case "h":
			flat, _ := parts[1].([]any)
			m := make(map[string]string, len(flat)/2)
			for j := 0; j+1 < len(flat); j += 2 {
				k, _ := flat[j].(string)
				v, _ := flat[j+1].(string)
				m[k] = v
			}
			sd := &storedDelivery{fields: m}
			if p, ok := m["payload"]; ok { // a delivery created before the payload had its own key
				sd.payload = []byte(p)
			} else if len(parts) > 2 {
				if p, ok := parts[2].(string); ok {
					sd.payload = []byte(p)
				}
			}
			out[i] = sd
		case "s":
			raw, _ := parts[1].(string)
			sd, err := parseEnded(ids[i], raw)
			if err != nil {
				return nil, err
			}
			out[i] = sd
		}
	}
	return out, nil
}

// parseEnded reads an ended record.
func parseEnded(id, raw string) (*storedDelivery, error) {
	head, rest, _ := strings.Cut(raw, "\n")
	var short map[string]string
	if err := json.Unmarshal([]byte(head), &short); err != nil {
		return nil, fmt.Errorf("decode delivery %s: %w", id, err)
	}
	m := make(map[string]string, len(short)+1)
	m["id"] = id
	for k, v := range short {
		if long, ok := endedNames[k]; ok {
			m[long] = v
		}
	}
	sd := &storedDelivery{fields: m, ended: true, attempts: []string{}}
	if rest != "" {
		sd.attempts = strings.Split(rest, "\n")
	}
	return sd, nil
}

// loadStored reads deliveries of one scope in one script, withPayload for
// the worker.
func (s *Store) loadStored(ctx context.Context, c redis.Scripter, scope core.Scope, ids []string, withPayload bool) ([]*storedDelivery, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = s.deliveryKey(scope, id)
	}
	res, err := readDeliveries.Run(ctx, c, keys, boolArg(withPayload)).Slice()
	if err != nil {
		return nil, storeErr("load deliveries", err)
	}
	return parseStoredDeliveries(ids, res)
}
