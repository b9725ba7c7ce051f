package redisstore

import (
	"context"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"github.com/bellhop/bellhop/core"
)

// AllowRequest counts one request against keyID's limit of perMinute
// requests a minute (a burst of perMinute, refilled evenly), with the same
// GCRA limiter (redis_rate, on Redis's clock) as the targets' and
// connectors' shared limits. perMinute is
// at most 60,000,000 (one a microsecond). A denied
// request is not counted. perMinute below 1 is treated as 1.
func (s *Store) AllowRequest(ctx context.Context, keyID string, perMinute int) (core.RateLimit, error) {
	perMinute = min(max(perMinute, 1), 60_000_000)
	limit := redis_rate.Limit{Rate: perMinute, Period: time.Minute, Burst: perMinute}
	res, err := redis_rate.NewLimiter(s.hot).Allow(ctx, s.globalKey("ratelimit", keyID), limit)
	if err != nil {
		return core.RateLimit{}, storeErr("rate limit", err)
	}
	return core.RateLimit{
		Allowed:    res.Allowed > 0,
		Limit:      perMinute,
		Remaining:  res.Remaining,
		RetryAfter: max(res.RetryAfter, 0),
		Reset:      time.Now().Add(res.ResetAfter),
	}, nil
}
