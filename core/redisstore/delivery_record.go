package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

// A delivery is kept in two shapes. While it may still be attempted it is a
// hash (dlv:<id>) with its attempts in a list (dlv:<id>:att) and its payload
// in a string (dlv:<id>:p), so that each attempt updates a field or two.
// When it ends (succeeded or failed) FinishAttempt replaces all three with
// one string under the same key, the ended record: the delivery's fields as
// JSON on the first line (endedHead), then one attempt record per line. An ended
// delivery is read far more rarely than it is kept, and one string costs
// about a third of a hash and a list (each Redis key has its own overhead,
// a list's quicklist node another): 2.2 KB → about 740 bytes for a plain
// webhook delivery, key included; packed (delivery_pack.go) when the first
// attempt ended it, ~370. Deliveries that ended before this format stayed
// hashes and are read as such.

// endedHead is the first line of an ended record: the delivery's fields,
// short names, empty ones left out.
type endedHead struct {
	EventID    string `json:"e"`
	EventType  string `json:"y,omitempty"`
	Kind       string `json:"k"`
	Target     string `json:"t"`
	Status     string `json:"s"`
	Reason     string `json:"r,omitempty"`
	Replay     bool   `json:"p,omitempty"`
	BackfillID string `json:"b,omitempty"`
	Live       bool   `json:"l,omitempty"`
	Attempts   int    `json:"n"`
	LastStatus int    `json:"c,omitempty"`
	Created    int64  `json:"ca"` // Unix ms
	Updated    int64  `json:"u"`  // Unix ms
}

// endedHeadOf is d's head line once attempt r, answered with status, ended
// it at now.
func endedHeadOf(d *core.Delivery, r AttemptRecord, status int, now time.Time) ([]byte, error) {
	h := endedHead{
		EventID: d.EventID, EventType: d.EventType, Kind: d.Target.Kind, Target: d.Target.ID,
		Status: r.Status, Reason: r.Reason, Replay: d.Replay, BackfillID: d.BackfillID, Live: d.Livemode,
		Attempts: d.AttemptCount + 1, LastStatus: status, Created: d.CreatedAt.UnixMilli(), Updated: now.UnixMilli(),
	}
	b, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("encode ended delivery: %w", err)
	}
	return b, nil
}

// delivery is the ended delivery id the head describes, without attempts.
func (h endedHead) delivery(id string) *core.Delivery {
	return &core.Delivery{
		ID: id, Object: DeliveryObject(h.Kind), EventID: h.EventID, EventType: h.EventType,
		Target: core.Target{Kind: h.Kind, ID: h.Target}, Status: h.Status, Reason: h.Reason,
		Replay: h.Replay, BackfillID: h.BackfillID, Livemode: h.Live, AttemptCount: h.Attempts,
		LastStatus: h.LastStatus, CreatedAt: time.UnixMilli(h.Created).UTC(), UpdatedAt: time.UnixMilli(h.Updated).UTC(),
	}
}

// readDeliveries returns, for each key, {'h', hash fields, payload} for a
// delivery that may still be attempted, {'s', ended record} for one that
// ended (in its key, or else in its hour's hash), or false when it is
// gone. ARGV[1] = '1' asks for the pending payload (KEYS[i] .. ':p');
// ARGV[2] is the scope's delivery key prefix, which each key starts with.
var readDeliveries = redis.NewScript(endedBucketLua + `
local prefix = ARGV[2]
local out = {}
for i, key in ipairs(KEYS) do
  local t = redis.call('TYPE', key).ok
  out[i] = false
  if t == 'hash' then
    local payload = false
    if ARGV[1] == '1' then payload = redis.call('GET', key .. ':p') end
    out[i] = {'h', redis.call('HGETALL', key), payload}
  elseif t == 'string' then
    out[i] = {'s', redis.call('GET', key)}
  else
    local bucket, field, before = ended_bucket(prefix, string.sub(key, #prefix + 1))
    local record = bucket and (redis.call('HGET', bucket, field) or before and redis.call('HGET', bucket, before))
    if record then out[i] = {'s', record} end
  end
end
return out
`)

// storedDelivery is one delivery as readDeliveries found it.
type storedDelivery struct {
	delivery *core.Delivery // without attempts
	payload  []byte         // pending only
	attempts []string       // the ended record's attempt lines; nil for a hash
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
			if m["id"] == "" { // a hash left with no fields but a stray one: gone
				continue
			}
			sd := &storedDelivery{delivery: deliveryFromHash(m)}
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

// parseEnded reads an ended record, packed (delivery_pack.go) or not.
func parseEnded(id, raw string) (*storedDelivery, error) {
	text, err := unpackEnded(raw)
	if err != nil {
		return nil, fmt.Errorf("decode delivery %s: %w", id, err)
	}
	line, rest, _ := strings.Cut(text, "\n")
	var head endedHead
	if err := json.Unmarshal([]byte(line), &head); err != nil {
		return nil, fmt.Errorf("decode delivery %s: %w", id, err)
	}
	sd := &storedDelivery{delivery: head.delivery(id), ended: true, attempts: []string{}}
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
	res, err := readDeliveries.Run(ctx, c, keys, boolArg(withPayload), s.scopeKey(scope, "dlv")+":").Slice()
	if err != nil {
		return nil, storeErr("load deliveries", err)
	}
	return parseStoredDeliveries(ids, res)
}
