package delivery

import (
	"context"
	"encoding/json"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/plugins"
)

// takeLimits asks the connector which of its service's rate limits
// delivering input spends (plugins.RateLimited) and takes each from the
// limiter in Redis that every hub shares, in the connection's account. It
// returns 0 when the delivery may go now, else how long it must wait: the
// worker defers it that long, with no attempt spent, instead of letting
// the service answer 429 or a plugin sleep in a worker.
//
// Limits are taken one after another, so a delivery held by its second
// limit has spent a token of its first: it errs toward sending less, never
// more. A connector that declares no limits is asked once, not per
// delivery; one that cannot say (an error) delivers unlimited, as before;
// a Redis error holds the delivery back for Options.DeferDelay.
func (c *Connections) takeLimits(ctx context.Context, scope core.Scope, t *connTarget, conn plugins.Connector, input json.RawMessage) time.Duration {
	name := t.conn.Connector
	if _, old := c.unlimited.Load(name); old {
		return 0
	}
	limits, err := plugins.Limits(c.egress(ctx, t.conn.Livemode), conn, t.config, input)
	if plugins.IsNotSupported(err) {
		c.unlimited.Store(name, true) // asked once per connector, not per delivery
		return 0
	} else if err != nil {
		c.engine.opts.Logger.Warn("connector limits", "connector", name, "err", redact(err.Error(), t.secrets))
		return 0
	}
	for _, l := range limits {
		wait, err := c.takeLimit(ctx, scope, name, l)
		if err != nil {
			c.engine.opts.Logger.Warn("take connector limit", "connector", name, "limit", l.Name, "err", err)
			return c.engine.opts.DeferDelay
		}
		if wait > 0 {
			return wait
		}
	}
	return 0
}

// takeLimit takes one of a connector's limits from the limiter in Redis
// that every hub shares, in scope's account: the one path for the limits
// the hub takes before Deliver (takeLimits) and those a connector takes
// while it delivers (budget).
func (c *Connections) takeLimit(ctx context.Context, scope core.Scope, connector string, l plugins.Limit) (time.Duration, error) {
	r := redisstore.Rate{Rate: l.Rate, Period: l.Period, Burst: l.Burst}
	return c.engine.limits.TakeConnectorRate(ctx, scope, connector, l.Name, l.Key, r, l.Cost)
}

// budget is the plugins.Budget the hub lends each Deliver: a connector
// whose service counts requests, not deliveries (Sheets' writes, one of
// which carries many deliveries' rows), takes a token from it when it makes
// a request, from the same shared limiter as takeLimits, scoped to the
// delivering connection's account and connector.
type budget struct {
	c         *Connections
	scope     core.Scope
	connector string
}

var _ plugins.Budget = budget{}

// Take implements plugins.Budget.
func (b budget) Take(ctx context.Context, l plugins.Limit) (time.Duration, error) {
	wait, err := b.c.takeLimit(ctx, b.scope, b.connector, l)
	if err != nil {
		b.c.engine.opts.Logger.Warn("take connector budget", "connector", b.connector, "limit", l.Name, "err", err)
	}
	return wait, err
}
