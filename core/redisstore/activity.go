package redisstore

import (
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

// An activity entry is one stream entry with short fields and compact
// values, about 80 bytes of stream node a request (374 bytes with the JSON
// and index of earlier versions; see BENCHMARKS.md). The field names are the same
// in every entry, so Redis stores them once per stream node (each entry
// only flags that its fields match the node's first). The entry sits at its
// request id's millisecond (see core.NewRequestID), which is what makes the
// per-day index of earlier versions unneeded:
//
//	r   the random part of the request id, as an integer (Redis keeps it
//	    in 9 bytes)
//	d   milliseconds the entry sits after its request id's, when a later
//	    entry was already in the stream (a slow request, another hub); an
//	    entry that sits at its request's millisecond, nearly every one, has
//	    no d (it is 0), and its fields still match its stream node's first
//	m   method and path, "POST /v1/events", or for the requests made
//	    most, its number in activityRoutes (one byte in Redis for ~16)
//	s   status
//	by  who made the request, as its number in the account's actors hash
//	    (one or two bytes in Redis for the 28 of a key id, see
//	    recordActivityScript); entries of earlier versions hold the key id
//	    (key_…) or the console user's id (user_…) itself. A request no key
//	    or user made has "".
//	l   latency in microseconds
//	ip  client IP: an IPv4 address as its 32-bit integer (6 bytes in Redis
//	    instead of up to 17), any other address as text
//
// Entries of earlier versions have one field, a, the core.Activity JSON,
// and an index hash per day; both are still read until they age out.
const activityFields = 7 // with d

// recordActivityScript appends requests of one account to its activity
// stream, each at its request id's millisecond, trimmed by Redis's clock
// to the retention window: one call for a whole batch, which spares Redis
// a script run per request. A stream only grows, so a request whose
// millisecond is already behind the stream's newest entry (it took longer
// than the ones after it, or another hub wrote first) goes in at that
// entry's millisecond with d saying how far it was moved. The caller sorts
// the batch by millisecond, so only its first entry may need to look at
// the stream's newest. Returns how many entries were written.
//
// Who made a request is stored as a number: the account's actors hash
// gives each key or user id the next number the first time it makes a
// request (field "#" counts them) and keeps both ways, id → number and
// "#<number>" → id, for as long as the account exists. A number is never
// given twice, so an entry reads the same however late it is read.
//
// KEYS[1] stream, KEYS[2] actors; ARGV[1] retention ms, then per request:
// request ms, r, m, s, by, l, ip.
var recordActivityScript = redis.NewScript(`
local stream, actors = KEYS[1], KEYS[2]
local retention_ms = tonumber(ARGV[1])
local numbers = {}
local function actor(by)
  if by == '' then return '' end
  local n = numbers[by] or redis.call('HGET', actors, by)
  if not n then
    n = redis.call('HINCRBY', actors, '#', 1)
    redis.call('HSET', actors, by, n, '#' .. n, by)
  end
  numbers[by] = n
  return n
end
local t = redis.call('TIME')
local minid = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - retention_ms
if minid < 0 then minid = 0 end -- a window reaching before 1970: XADD refuses a negative MINID
minid = string.format('%d', minid)
local last = nil -- the millisecond of the entry written last
local function add(i, request_ms, at)
  local f = {'r', ARGV[i+1], 'm', ARGV[i+2], 's', ARGV[i+3], 'by', actor(ARGV[i+4]), 'l', ARGV[i+5], 'ip', ARGV[i+6]}
  if at ~= request_ms then table.insert(f, 3, 'd'); table.insert(f, 4, at - request_ms) end
  return redis.pcall('XADD', stream, 'MINID', '~', minid, string.format('%d-*', at), unpack(f))
end
local n = 0
for i = 2, #ARGV, 7 do
  local request_ms = tonumber(ARGV[i])
  local at = math.max(request_ms, last or 0)
  local sid = add(i, request_ms, at)
  if type(sid) == 'table' and sid.err and string.find(sid.err, 'equal or smaller', 1, true) then
    local top = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)[1]
    if top then
      at = tonumber(string.match(top[1], '^%d+'))
      sid = add(i, request_ms, at)
    end
  end
  if type(sid) == 'table' and sid.err then return redis.error_reply(sid.err) end
  -- The embedded Redis (miniredis) moves such an id past the newest
  -- instead of refusing it: file it again where it went, with its d.
  local went = tonumber(string.match(sid, '^%d+'))
  if went ~= at then
    redis.call('XDEL', stream, sid)
    at = went
    sid = add(i, request_ms, at)
    if type(sid) == 'table' and sid.err then return redis.error_reply(sid.err) end
  end
  last, n = at, n + 1
end
return n
`)

// Bounds of the search for a request id in the stream (see findActivity):
// its entry sits at most activityDrift after the id's millisecond, and the
// search reads at most activityScanMax entries, activityScanPage at a time.
const (
	activityDrift    = time.Minute
	activityScanMax  = 5000
	activityScanPage = 200
)

const day = 24 * time.Hour

func (s *Store) activityKey(scope core.Scope) string { return s.scopeKey(scope, "activity") }

// actorsKey is the hash numbering who made scope's requests.
func (s *Store) actorsKey(scope core.Scope) string { return s.scopeKey(scope, "actors") }

// activityKeys are recordActivityScript's KEYS for scope.
func (s *Store) activityKeys(scope core.Scope) []string {
	return []string{s.activityKey(scope), s.actorsKey(scope)}
}

// activityIndexKey names the hash in which earlier versions mapped the
// request ids of one UTC day to their stream entry ids. Nothing writes it
// any more; it is read until it expires, so that the cursors of requests
// recorded before the upgrade keep working.
func (s *Store) activityIndexKey(scope core.Scope, t time.Time) string {
	return s.scopeKey(scope, "activity", "idx", t.UTC().Format("20060102"))
}

// activityFieldsOf returns a's request millisecond and the script's
// ARGV for it, or EINVALID if a's id was not made by core.NewRequestID (it
// could not be found again).
func activityFieldsOf(a *core.Activity) (int64, []any, error) {
	ms, random, ok := core.ParseRequestID(a.ID)
	if !ok {
		return 0, nil, core.Errorf(core.EINVALID, "activity id %q is not a request id made by core.NewRequestID", a.ID)
	}
	by := a.KeyID
	if by == "" {
		by = a.UserID
	}
	return ms, []any{ms, random, packRoute(a.Method + " " + a.Path), a.Status, by,
		int64(math.Round(a.LatencyMS * 1000)), packIP(a.ClientIP)}, nil
}

// activityRoutes are the requests made most, the routes without an id in
// their path, which an entry stores as their number in this list (from
// 1). A method and path always holds a space, so a number is never one.
// Append only: an entry must read as it was written.
var activityRoutes = []string{
	"POST /v1/events", "POST /v1/events/batch", "GET /v1/events", "GET /v1/event_types", "POST /v1/event_types",
	"GET /v1/webhook_endpoints", "POST /v1/webhook_endpoints", "GET /v1/connections", "POST /v1/connections",
	"GET /v1/scripts", "POST /v1/scripts", "POST /v1/scripts/test", "GET /v1/connectors", "GET /v1/activity",
	"GET /v1/api_keys", "POST /v1/api_keys",
}

// activityRouteCodes maps a route of activityRoutes to its number.
var activityRouteCodes = func() map[string]int {
	m := make(map[string]int, len(activityRoutes))
	for i, r := range activityRoutes {
		m[r] = i + 1
	}
	return m
}()

// packRoute returns route's number in activityRoutes, or route itself.
func packRoute(route string) any {
	if n, ok := activityRouteCodes[route]; ok {
		return n
	}
	return route
}

// unpackRoute reverses packRoute: a number names a route of
// activityRoutes (one this release does not know reads as "? #<n>").
func unpackRoute(m string) string {
	n, err := strconv.Atoi(m)
	switch {
	case err != nil:
		return m
	case n >= 1 && n <= len(activityRoutes):
		return activityRoutes[n-1]
	}
	return "? #" + m
}

// activityArgs returns the script's ARGV for requests of one account, in
// the order of their milliseconds; as activityFieldsOf, it fails on an id
// not made by core.NewRequestID.
func (s *Store) activityArgs(as []*core.Activity) ([]any, error) {
	type entry struct {
		ms     int64
		fields []any
	}
	entries := make([]entry, 0, len(as))
	for _, a := range as {
		ms, fields, err := activityFieldsOf(a)
		if err != nil {
			return nil, err
		}
		entries = append(entries, entry{ms, fields})
	}
	slices.SortStableFunc(entries, func(a, b entry) int { return cmp.Compare(a.ms, b.ms) })
	args := make([]any, 0, 1+len(entries)*7)
	args = append(args, s.opts.ActivityRetention.Milliseconds())
	for _, e := range entries {
		args = append(args, e.fields...)
	}
	return args, nil
}

// RecordActivity appends one API request to scope's activity log. Entries
// older than ActivityRetention are trimmed on write. Returns EINVALID if
// a.ID was not made by core.NewRequestID.
func (s *Store) RecordActivity(ctx context.Context, scope core.Scope, a *core.Activity) error {
	args, err := s.activityArgs([]*core.Activity{a})
	if err != nil {
		return err
	}
	err = recordActivityScript.Run(ctx, s.rdb, s.activityKeys(scope), args...).Err()
	return storeErr("record activity", err)
}

// ListActivity lists scope's requests newest first. Cursors are request ids;
// an unknown cursor is EINVALID naming its param.
func (s *Store) ListActivity(ctx context.Context, scope core.Scope, page core.Page) (core.List[*core.Activity], error) {
	var out core.List[*core.Activity]
	limit := int64(page.Limit)
	if limit <= 0 {
		limit = core.DefaultPageLimit
	}
	msgs, err := s.readActivity(ctx, scope, page, limit+1)
	if err != nil {
		return out, storeErr("list activity", err)
	}
	if int64(len(msgs)) > limit {
		msgs, out.HasMore = msgs[:limit], true
	}
	if page.StartingAfter == "" && page.EndingBefore != "" {
		slices.Reverse(msgs)
	}
	actors, err := s.actorsOf(ctx, scope, msgs)
	if err != nil {
		return out, storeErr("list activity", err)
	}
	for _, m := range msgs {
		a, err := decodeActivity(m, actors)
		if err != nil {
			return out, err
		}
		out.Data = append(out.Data, a)
	}
	return out, nil
}

// actorsOf returns the ids behind the actor numbers msgs hold, read in one
// HMGET from the account's actors hash (see recordActivityScript).
func (s *Store) actorsOf(ctx context.Context, scope core.Scope, msgs []redis.XMessage) (map[string]string, error) {
	var fields []string
	for _, m := range msgs {
		if by, _ := m.Values["by"].(string); isActorNumber(by) && !slices.Contains(fields, "#"+by) {
			fields = append(fields, "#"+by)
		}
	}
	if len(fields) == 0 {
		return nil, nil
	}
	ids, err := s.rdb.HMGet(ctx, s.actorsKey(scope), fields...).Result()
	if err != nil {
		return nil, err
	}
	actors := make(map[string]string, len(fields))
	for i, f := range fields {
		if id, ok := ids[i].(string); ok {
			actors[f[1:]] = id
		}
	}
	return actors, nil
}

// isActorNumber tells an actor number from the key or user id entries of
// earlier versions hold (key_…, user_…).
func isActorNumber(by string) bool {
	_, err := strconv.ParseUint(by, 10, 64)
	return err == nil
}

// decodeActivity reads a stream entry of either format, its actor number
// named by actors (see actorsOf).
func decodeActivity(m redis.XMessage, actors map[string]string) (*core.Activity, error) {
	if raw, ok := m.Values["a"].(string); ok { // written by an earlier version
		var a core.Activity
		if err := json.Unmarshal([]byte(raw), &a); err != nil {
			return nil, fmt.Errorf("decode activity %s: %w", m.ID, err)
		}
		return &a, nil
	}
	field := func(name string) string { v, _ := m.Values[name].(string); return v }
	entryMS, err := streamIDMillis(m.ID)
	if err != nil {
		return nil, fmt.Errorf("decode activity %s: %w", m.ID, err)
	}
	random, err1 := strconv.ParseInt(field("r"), 10, 64)
	d, err2 := strconv.ParseInt(activityDelay(m), 10, 64)
	status, err3 := strconv.Atoi(field("s"))
	latency, err4 := strconv.ParseInt(field("l"), 10, 64)
	fields := activityFields
	if _, ok := m.Values["d"]; !ok {
		fields--
	}
	if err := errors.Join(err1, err2, err3, err4); err != nil || len(m.Values) != fields {
		return nil, fmt.Errorf("decode activity %s: malformed entry %v", m.ID, m.Values)
	}
	ms := entryMS - d
	method, path, _ := strings.Cut(unpackRoute(field("m")), " ")
	a := &core.Activity{
		ID: core.FormatRequestID(ms, random), Method: method, Path: path, Status: status,
		LatencyMS: float64(latency) / 1000, ClientIP: unpackIP(field("ip")), CreatedAt: time.UnixMilli(ms).UTC(),
	}
	by := field("by")
	if isActorNumber(by) {
		if by = actors[by]; by == "" {
			return nil, fmt.Errorf("decode activity %s: actor #%s is not in the account's actors", m.ID, field("by"))
		}
	}
	if strings.HasPrefix(by, "user_") {
		a.UserID = by
	} else {
		a.KeyID = by
	}
	return a, nil
}

// activityDelay is an entry's d, "0" when it has none.
func activityDelay(m redis.XMessage) string {
	if d, ok := m.Values["d"].(string); ok {
		return d
	}
	return "0"
}

// packIP returns an IPv4 address as its integer, anything else unchanged.
func packIP(ip string) any {
	if a, err := netip.ParseAddr(ip); err == nil && a.Is4() {
		return binary.BigEndian.Uint32(a.AsSlice())
	}
	return ip
}

// unpackIP is the inverse of packIP.
func unpackIP(v string) string {
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil {
		return v
	}
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], uint32(n))
	return netip.AddrFrom4(b).String()
}

// streamIDMillis returns the millisecond part of a stream entry id.
func streamIDMillis(id string) (int64, error) {
	ms, _, _ := strings.Cut(id, "-")
	return strconv.ParseInt(ms, 10, 64)
}

// readActivity reads up to n entries from the page's cursor: older ones for
// starting_after (newest first), newer ones for ending_before (oldest first).
func (s *Store) readActivity(ctx context.Context, scope core.Scope, page core.Page, n int64) ([]redis.XMessage, error) {
	key := s.activityKey(scope)
	if page.StartingAfter != "" {
		sid, err := s.findActivity(ctx, scope, page.StartingAfter, "starting_after")
		if err != nil {
			return nil, err
		}
		return s.rdb.XRevRangeN(ctx, key, "("+sid, "-", n).Result()
	} else if page.EndingBefore != "" {
		sid, err := s.findActivity(ctx, scope, page.EndingBefore, "ending_before")
		if err != nil {
			return nil, err
		}
		return s.rdb.XRangeN(ctx, key, "("+sid, "+", n).Result()
	}
	return s.rdb.XRevRangeN(ctx, key, "+", "-", n).Result()
}

// findActivity returns the stream entry id of request id: read forward from
// its millisecond, else (an id of an earlier version) looked up in the day
// indexes that may still hold it. Returns EINVALID naming param if neither
// has it.
func (s *Store) findActivity(ctx context.Context, scope core.Scope, id, param string) (string, error) {
	if sid, err := s.scanActivity(ctx, scope, id); sid != "" || err != nil {
		return sid, err
	}
	if sid, err := s.findIndexedActivity(ctx, scope, id); sid != "" || err != nil {
		return sid, err
	}
	return "", core.ParamError(param, "No such request: '%s'", id)
}

// scanActivity finds id's entry by reading the stream from the id's
// millisecond: the first entry read, unless a busy moment or another hub
// moved it later (see recordActivityScript). It gives up past
// activityDrift or activityScanMax entries, so an unknown id costs a
// bounded read. Returns "" if the entry was not found.
func (s *Store) scanActivity(ctx context.Context, scope core.Scope, id string) (string, error) {
	ms, random, ok := core.ParseRequestID(id)
	now := time.Now()
	oldest := now.Add(-s.opts.ActivityRetention - day).UnixMilli()
	if !ok || ms < oldest || ms > now.Add(day).UnixMilli() {
		return "", nil // not of this version, or a time no entry can have
	}
	r := strconv.FormatInt(random, 10)
	last := ms + activityDrift.Milliseconds()
	start := strconv.FormatInt(ms, 10) + "-0"
	for read := 0; read < activityScanMax; read += activityScanPage {
		msgs, err := s.rdb.XRangeN(ctx, s.activityKey(scope), start, "+", activityScanPage).Result()
		if err != nil {
			return "", storeErr("find activity", err)
		}
		for _, m := range msgs {
			entryMS, err := streamIDMillis(m.ID)
			if err != nil || entryMS > last {
				return "", nil
			}
			if m.Values["r"] == r && activityDelay(m) == strconv.FormatInt(entryMS-ms, 10) {
				return m.ID, nil
			}
		}
		if len(msgs) < activityScanPage {
			return "", nil
		}
		start = "(" + msgs[len(msgs)-1].ID
	}
	return "", nil
}

// findIndexedActivity looks id up in every day index an earlier version may
// have left (one pipelined HGET per day). Returns "" if none has it.
func (s *Store) findIndexedActivity(ctx context.Context, scope core.Scope, id string) (string, error) {
	days := int(s.opts.ActivityRetention/day) + 2
	now := time.Now()
	cmds := make([]*redis.StringCmd, 0, days+1)
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i := -1; i < days; i++ { // -1: tomorrow, for a clock a little ahead
			cmds = append(cmds, p.HGet(ctx, s.activityIndexKey(scope, now.Add(-time.Duration(i)*day)), id))
		}
		return nil
	})
	if err != nil && err != redis.Nil {
		return "", storeErr("find activity", err)
	}
	for _, c := range cmds {
		if sid, err := c.Result(); err == nil {
			return sid, nil
		}
	}
	return "", nil
}
