package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

// An event's entry in its scope's events stream holds the envelope in
// parts, not as its JSON: the field names and constants of the envelope
// were ~125 of the ~420 bytes an event cost Redis (issue 12). Fields, in
// this order, so that Redis stores the names once per stream node:
//
//	type  the event type (also what ListEvents filters on)
//	i     the event id after its "evt_", which every id the API takes
//	      starts with (4 bytes an event); an id that does not is stored
//	      whole as id, as every release before wrote them all
//	at    created_at: unix seconds, or its RFC 3339 text when it is not a
//	      whole UTC second
//	p     property_id
//	o     data.object, as the publish compacted it
//	v     api_version, only when it is not entryAPIVersion
//	l     "1" in live mode, else absent
//	fp    an Idempotency-Key's fingerprint, for an event named after it
//	tp    the publishing request's traceparent, when traced
//
// core.Event.AppendJSON rebuilds the envelope byte for byte as the publish
// answered it. Entries of earlier releases carry the envelope JSON in a
// field "event" instead (with type, fp and tp as above; the first releases
// also an id); they are read as they are until they age out.
const entryAPIVersion = "2026-01-15" // frozen: entries without v are of this version

// entryArgs are an event's parts as the append scripts take them (ARGV):
// type, id, at, p, o, v ("" for entryAPIVersion), l ("1" or "").
func entryArgs(ev *core.Event) ([]any, error) {
	if ev.ID == "" {
		return nil, core.ParamError("id", "The event has no id.")
	}
	at := ev.CreatedAt.Format(time.RFC3339Nano)
	if ev.CreatedAt.Location() == time.UTC && ev.CreatedAt.Nanosecond() == 0 {
		at = strconv.FormatInt(ev.CreatedAt.Unix(), 10)
	}
	v, live := ev.APIVersion, ""
	if v == entryAPIVersion {
		v = ""
	}
	if ev.Livemode {
		live = "1"
	}
	object := string(ev.Data.Object)
	return []any{ev.Type, ev.ID, at, ev.PropertyID, object, v, live}, nil
}

// entryArgCount is len(entryArgs(ev)).
const entryArgCount = 7

// appendEntryLua defines entry_fields, the field list of a new entry from
// the entryArgs at ARGV[a+1 … a+7] (see the layout above).
const appendEntryLua = `
local function entry_fields(a)
  local id = ARGV[a + 2]
  local f = {'type', ARGV[a + 1], 'id', id, 'at', ARGV[a + 3], 'p', ARGV[a + 4], 'o', ARGV[a + 5]}
  if string.sub(id, 1, 4) == 'evt_' then f[3], f[4] = 'i', string.sub(id, 5) end
  if ARGV[a + 6] ~= '' then f[#f + 1], f[#f + 2] = 'v', ARGV[a + 6] end
  if ARGV[a + 7] ~= '' then f[#f + 1], f[#f + 2] = 'l', ARGV[a + 7] end
  return f
end

-- entry_id is the event id an entry's fields f hold, in either layout.
local function entry_id(f)
  for i = 1, #f - 1, 2 do
    if f[i] == 'i' then return 'evt_' .. f[i + 1] end
    if f[i] == 'id' then return f[i + 1] end
    if f[i] == 'event' then return string.match(f[i + 1], '^{"id":"([^"]+)"') end
  end
end
`

// EventOfEntry returns the event an events-stream entry holds and its
// envelope JSON, in any layout a release wrote.
func EventOfEntry(values map[string]any) (*core.Event, []byte, error) {
	get := func(name string) (string, bool) {
		s, ok := values[name].(string)
		return s, ok
	}
	return eventOf(get)
}

// eventOfFlat is EventOfEntry for the fields a script returns, name and
// value in turn.
func eventOfFlat(flat []any) (*core.Event, []byte, error) {
	get := func(name string) (string, bool) {
		for i := 0; i+1 < len(flat); i += 2 {
			if k, _ := flat[i].(string); k == name {
				s, ok := flat[i+1].(string)
				return s, ok
			}
		}
		return "", false
	}
	return eventOf(get)
}

func eventOf(get func(string) (string, bool)) (*core.Event, []byte, error) {
	if raw, ok := get("event"); ok { // an earlier release's entry
		var ev core.Event
		if err := json.Unmarshal([]byte(raw), &ev); err != nil {
			return nil, nil, fmt.Errorf("decode event: %w", err)
		}
		return &ev, []byte(raw), nil
	}
	id, ok := get("id")
	if short, isShort := get("i"); isShort {
		id, ok = "evt_"+short, true
	}
	if !ok {
		return nil, nil, fmt.Errorf("decode event: the entry has neither an event nor an id")
	}
	ev := &core.Event{ID: id, APIVersion: entryAPIVersion}
	ev.Type, _ = get("type")
	ev.PropertyID, _ = get("p")
	if v, ok := get("v"); ok {
		ev.APIVersion = v
	}
	if l, _ := get("l"); l == "1" {
		ev.Livemode = true
	}
	if o, _ := get("o"); o != "" {
		ev.Data.Object = json.RawMessage(o)
	}
	at, _ := get("at")
	if strings.Contains(at, "T") {
		t, err := time.Parse(time.RFC3339Nano, at)
		if err != nil {
			return nil, nil, fmt.Errorf("decode event %s: created_at: %w", id, err)
		}
		ev.CreatedAt = t
	} else {
		sec, err := strconv.ParseInt(at, 10, 64)
		if err != nil {
			return nil, nil, fmt.Errorf("decode event %s: created_at: %w", id, err)
		}
		ev.CreatedAt = time.Unix(sec, 0).UTC()
	}
	return ev, ev.AppendJSON(nil), nil
}

// LayoutTag ends the consumer name and the health samples' hub id of every
// hub of this store layout, so that a hub can tell when one of an earlier
// layout still runs (OlderDispatchers, OlderHubsSampled) and wait for it
// to stop. "+e2" marked events stored in
// parts, which a dispatcher of before cannot read and drops. "+e3" marked
// ended records packed with S2, which a hub of before answers 500 for, and
// event index keys without an expiry, which a hub of before would leave
// behind forever when it trims the events stream (events.go, forget_aged).
// "+e4" marked targets' delivery logs kept as streams (deliveries.go): a hub
// of before lists a target's deliveries from its sorted set only, missing
// every delivery this layout made, and would add newer ones behind them.
// "+e5" marks ended deliveries kept in their hour's hash (deliveries.go,
// endedBucket) and event indexes kept in hashes (events.go): a hub of
// before answers 404 for both, stores a republished event id again, and
// would leave the indexes of the events it trims behind forever. "+e6"
// marks ended records packed with packedV3 and keyed by their digits'
// bytes in the hour's hash, deliveries named by 14-byte refs in target
// logs and event indexes (delivery_refs.go), events-stream entries
// holding their id after its "evt_" (field i), and activity entries naming
// who made a request by number (activity.go): a hub of before answers 500
// or 404 for those deliveries, misreads the logs and indexes, drops those
// events, and shows a number for the key that made a request.
const LayoutTag = "+e6"

// OlderDispatchers returns the consumers of the scopes' dispatch groups
// that do not carry LayoutTag and were handed entries less than within
// ago: the dispatchers of earlier releases still running on this store. A
// hub killed outright leaves its consumer behind, and it drops out of the
// list once within has passed. Redis 7.0 refreshes a consumer's idle time
// only when it is handed entries, so an older hub that has had nothing to
// dispatch for that long cannot be seen.
func (s *Store) OlderDispatchers(ctx context.Context, scopes []core.Scope, within time.Duration) ([]string, error) {
	cmds := make([]*redis.XInfoConsumersCmd, len(scopes))
	s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error { // each command's error is read below
		for i, sc := range scopes {
			cmds[i] = p.XInfoConsumers(ctx, s.EventsStreamKey(sc), DispatchGroup)
		}
		return nil
	})
	var older []string
	for _, cmd := range cmds {
		consumers, err := cmd.Result()
		var reply redis.Error
		if errors.As(err, &reply) {
			continue // no stream or no group yet: nobody reads it
		} else if err != nil {
			return nil, storeErr("list dispatchers", err)
		}
		for _, c := range consumers {
			// A negative idle time is one the server does not keep (miniredis).
			if !strings.HasSuffix(c.Name, LayoutTag) && c.Idle >= 0 && c.Idle < within && !slices.Contains(older, c.Name) {
				older = append(older, c.Name)
			}
		}
	}
	return older, nil
}
