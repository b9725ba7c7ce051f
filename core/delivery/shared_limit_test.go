package delivery

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/bellhop/bellhop/connectors/slack"
	"github.com/bellhop/bellhop/connectors/slack/slackfake"
	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/plugins"
)

// countingConnector counts the deliveries one hub made.
type countingConnector struct {
	plugins.Connector
	n atomic.Int64
}

func (c *countingConnector) Limits(ctx context.Context, cfg plugins.Config, in json.RawMessage) ([]plugins.Limit, error) {
	return plugins.Limits(ctx, c.Connector, cfg, in)
}

func (c *countingConnector) Deliver(ctx context.Context, cfg plugins.Config, in json.RawMessage) (plugins.Result, error) {
	c.n.Add(1)
	return c.Connector.Deliver(ctx, cfg, in)
}

// Three hubs, each with its own Redis client and its own Slack connector
// (as three `bellhop serve` with three plugin processes would have),
// deliver to one channel of a Slack fake that answers 429 past its pace.
// The pace is kept once for all three, so the fake never refuses one, and
// every event is delivered at its first attempt.
func TestSharedLimitAcrossHubs(t *testing.T) {
	if testing.Short() {
		t.Skip("paces 30 messages over about 3 s")
	}
	h := newHarness(t)
	fake := slackfake.New(t)
	// The fake's pace is Slack's shape, ten times faster to keep the test
	// short: 10 a second in bursts of 3. The connector declares a little
	// under it (a burst of 2), the margin a real deployment leaves for the
	// time between the hub's grant and the request reaching Slack.
	fake.PerChannel, fake.Burst = new(rate.Every(100*time.Millisecond)), 3
	const n = 30
	var hubs []*countingConnector
	var first *Connections
	for i := range 3 {
		store, rdb := h.crashableStore() // a client of its own, as a hub of its own has
		t.Cleanup(func() { rdb.Close() })
		opts := h.options()
		opts.Store, opts.Workers = store, 4
		// Now and then a stream read's reply is lost between go-redis and
		// Redis ("Conn has unread data" in the log, on the base branch too):
		// the entries wait in the group's pending list until a hub claims
		// them after ClaimIdle, which the harness's 10 s would push past
		// the wait for the deliveries to end.
		opts.ClaimIdle = 2 * time.Second
		hub := &countingConnector{Connector: slack.NewWithLimit(nil, 100*time.Millisecond, 2)}
		_, conns := h.startWithConnections(opts, fakeHost{"slack": hub})
		hubs = append(hubs, hub)
		if i == 0 {
			first = conns
		}
	}
	c := h.connection(first, "slack", map[string]any{"token": fake.Token, "channel": "C0GENERAL", "api_base_url": fake.APIURL()})
	for i := range n {
		h.publish(h.scope, "reservation.created", i)
	}
	for _, d := range h.finished(first, c.ID, n) {
		if d.Status != core.StatusSucceeded || len(d.Attempts) != 1 {
			t.Errorf("delivery %s: %s after %d attempts, want succeeded at the first", d.ID, d.Status, len(d.Attempts))
		}
	}
	if got := fake.RateLimited(); got != 0 {
		t.Errorf("the fake refused %d messages over its pace, want 0", got)
	}
	if got := len(fake.Messages()); got != n {
		t.Errorf("the fake got %d messages, want %d", got, n)
	}
	busy := 0
	for i, hub := range hubs {
		t.Logf("hub %d delivered %d", i, hub.n.Load())
		if hub.n.Load() > 0 {
			busy++
		}
	}
	if busy < 2 {
		t.Errorf("%d hub(s) delivered, want the work shared by several", busy)
	}
}

// An endpoint's rate_limit is GCRA in Redis too: a burst of rate_limit,
// then one every 1/rate_limit, each held delivery deferred with no attempt
// spent.
func TestEndpointRateLimitPaces(t *testing.T) {
	h := newHarness(t)
	e := h.start(h.options())
	rc := newReceiver(t, nil)
	const perSecond, n = 10, 20
	h.endpoint(e, rc.URL, func(in *core.EndpointInput) { in.RateLimit = new(perSecond) })
	for i := range n {
		h.publish(h.scope, "reservation.created", i)
	}
	eventually(t, "every delivery", func() bool { return rc.count() >= n })
	got := rc.received()
	// A lower bound only: after the burst of 10, the other 10 come 100 ms
	// apart, so the last comes at least about a second after the first.
	if span := got[len(got)-1].at.Sub(got[0].at); span < (n-perSecond)*time.Second/perSecond-100*time.Millisecond {
		t.Errorf("%d deliveries within %v at rate_limit %d, want them paced", n, span, perSecond)
	}
	if len(got) != n {
		t.Errorf("receiver got %d requests, want %d (a held delivery is not an attempt)", len(got), n)
	}
}
