package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"github.com/bellhop/bellhop/core"
)

// Rate is a limit shared by every hub through Redis, kept with the generic
// cell rate algorithm (GCRA): Rate events per Period, evenly spaced, with
// bursts of up to Burst after a quiet spell. Over any window W at most
// Burst + Rate·W/Period events pass.
type Rate struct {
	Rate   int
	Period time.Duration
	Burst  int // below 1: 1
}

// valid reports whether r limits anything: a rate or period below one lets
// everything through rather than nothing, so that a connector that declares
// a malformed limit still delivers.
func (r Rate) valid() bool { return r.Rate > 0 && r.Period > 0 }

// Shared rate limit keys, per scope (the account's hash tag, so Redis
// Cluster keeps them in the account's slot). redis_rate puts its own
// "rate:" in front of each: rate:<prefix>{<account>}:<mode>:…
//
//	t:<target>:rate                       STRING GCRA TAT of an endpoint's rate_limit (EX until the burst is full again)
//	lim:<connector>:<limit>:<sha256/16>  STRING GCRA TAT of a connector's declared limit, per hashed key
//
// redis_rate's script reads Redis's clock (TIME), so every hub shares one
// clock, and a denied request takes nothing.

// TakeTargetRate takes one attempt from a target's rate_limit of perSecond
// attempts a second (bursts of perSecond, as the per-second window it
// replaced allowed), shared by every hub. It returns 0 when the attempt
// may go now, else how long until it may.
func (s *Store) TakeTargetRate(ctx context.Context, scope core.Scope, targetID string, perSecond int) (time.Duration, error) {
	r := Rate{Rate: perSecond, Period: time.Second, Burst: perSecond}
	return s.take(ctx, s.targetKey(scope, targetID, "rate"), r, 1)
}

// TakeConnectorRate takes cost tokens from a connector's declared limit
// (name, e.g. "channel") for key (what the limit is per: a token and a
// channel, a service account). key is hashed before it names a Redis key,
// so a token never appears in Redis. cost is at least 1 and at most the
// burst, which could otherwise never be met. It returns 0 when taken, else
// how long until the tokens would be there.
func (s *Store) TakeConnectorRate(ctx context.Context, scope core.Scope, connector, name, key string, r Rate, cost int) (time.Duration, error) {
	return s.take(ctx, s.ConnectorRateKey(scope, connector, name, key), r, cost)
}

// ConnectorRateKey is the Redis key (before redis_rate's "rate:") of a
// connector's limit for key: the account's hash tag, the connector and
// limit names, and the first 16 bytes of key's SHA-256.
func (s *Store) ConnectorRateKey(scope core.Scope, connector, name, key string) string {
	sum := sha256.Sum256([]byte(key))
	return s.scopeKey(scope, "lim", connector, name, hex.EncodeToString(sum[:16]))
}

func (s *Store) take(ctx context.Context, key string, r Rate, cost int) (time.Duration, error) {
	if !r.valid() {
		return 0, nil
	}
	burst := max(r.Burst, 1)
	cost = min(max(cost, 1), burst)
	res, err := redis_rate.NewLimiter(s.hot).AllowN(ctx, key, redis_rate.Limit{Rate: r.Rate, Period: r.Period, Burst: burst}, cost)
	if err != nil {
		return 0, storeErr("rate limit", err)
	}
	if res.Allowed >= cost {
		return 0, nil
	}
	return max(res.RetryAfter, time.Millisecond), nil
}
