package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

// recordActivityScript appends a request to the activity stream, trimmed by
// Redis's clock to the retention window, and indexes its request id in the
// day's index hash so that it can serve as a cursor.
//
// KEYS[1] stream, KEYS[2] today's index; ARGV request id, JSON, retention
// ms, index TTL ms.
var recordActivityScript = redis.NewScript(`
local stream, index = KEYS[1], KEYS[2]
local request_id, entry_json, retention_ms, index_ttl_ms = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local t = redis.call('TIME')
local minid = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - retention_ms
if minid < 0 then minid = 0 end -- a window reaching before 1970: XADD refuses a negative MINID
local sid = redis.call('XADD', stream, 'MINID', '~', string.format('%d', minid), '*', 'a', entry_json)
redis.call('HSET', index, request_id, sid)
redis.call('PEXPIRE', index, index_ttl_ms)
return sid
`)

const day = 24 * time.Hour

func (s *Store) activityKey(scope core.Scope) string { return s.scopeKey(scope, "activity") }

// activityIndexKey names the hash that maps the request ids recorded on one
// UTC day (by the hub's clock) to their stream entry ids. A hash per day,
// not a key per request: it expires as a whole once its day has left the
// retention window.
func (s *Store) activityIndexKey(scope core.Scope, t time.Time) string {
	return s.scopeKey(scope, "activity", "idx", t.UTC().Format("20060102"))
}

// RecordActivity appends one API request to scope's activity log. Entries
// older than ActivityRetention are trimmed on write.
func (s *Store) RecordActivity(ctx context.Context, scope core.Scope, a *core.Activity) error {
	b, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("record activity: %w", err)
	}
	keys := []string{s.activityKey(scope), s.activityIndexKey(scope, time.Now())}
	ret := s.opts.ActivityRetention
	err = recordActivityScript.Run(ctx, s.rdb, keys, a.ID, b, ret.Milliseconds(), (ret + 2*day).Milliseconds()).Err()
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
	for _, m := range msgs {
		var a core.Activity
		raw, _ := m.Values["a"].(string)
		if err := json.Unmarshal([]byte(raw), &a); err != nil {
			return out, fmt.Errorf("decode activity %s: %w", m.ID, err)
		}
		out.Data = append(out.Data, &a)
	}
	return out, nil
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

// findActivity returns the stream entry id of request id, looking in every
// day index that may still hold it (one pipelined HGET per day).
func (s *Store) findActivity(ctx context.Context, scope core.Scope, id, param string) (string, error) {
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
	return "", core.ParamError(param, "No such request: '%s'", id)
}
