package redisstore

import (
	"context"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

// gcraScript is the generic cell rate algorithm for one key: requests are
// spaced by T = 60 s / limit, and a burst of up to limit is allowed. The only
// state is the theoretical arrival time (TAT), in microseconds of Redis's
// clock, so every hub process shares one clock and miniredis works too.
//
// KEYS[1] the key's TAT; ARGV[1] limit per minute.
// Returns {allowed 0|1, remaining, retry-after ms, reset-in ms, now ms}.
var gcraScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local limit = tonumber(ARGV[1])
local interval = math.floor(60000000 / limit)
local tolerance = interval * limit
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local new_tat = tat + interval
local diff = now - (new_tat - tolerance)
local now_ms = math.floor(now / 1000)
if diff < 0 then
  return {0, 0, math.ceil(-diff / 1000), math.ceil((tat - now) / 1000), now_ms}
end
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.ceil((new_tat - now) / 1000))
return {1, math.floor(diff / interval), 0, math.ceil((new_tat - now) / 1000), now_ms}
`)

// AllowRequest counts one request against keyID's limit of perMinute
// requests a minute (a burst of perMinute, refilled evenly). perMinute is
// at most 60,000,000 (one a microsecond). A denied
// request is not counted. perMinute below 1 is treated as 1.
func (s *Store) AllowRequest(ctx context.Context, keyID string, perMinute int) (core.RateLimit, error) {
	perMinute = min(max(perMinute, 1), 60_000_000)
	res, err := gcraScript.Run(ctx, s.hot, []string{s.globalKey("ratelimit", keyID)}, perMinute).Int64Slice()
	if err != nil {
		return core.RateLimit{}, storeErr("rate limit", err)
	}
	now := time.UnixMilli(res[4])
	return core.RateLimit{
		Allowed:    res[0] == 1,
		Limit:      perMinute,
		Remaining:  int(res[1]),
		RetryAfter: time.Duration(res[2]) * time.Millisecond,
		Reset:      now.Add(time.Duration(res[3]) * time.Millisecond),
	}, nil
}
