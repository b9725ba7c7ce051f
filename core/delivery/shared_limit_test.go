package delivery

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/bellhop/bellhop/connectors/sheets"
	"github.com/bellhop/bellhop/connectors/sheets/sheetsfake"
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

// Three hubs, each with its own Redis client and its own Sheets connector
// (three plugin processes, each coalescing its own deliveries into
// appends), write to one tab through one service account. Google counts
// write requests, which no hub can count per delivery, so each connector
// takes a token per append from the budget its hub lends with Deliver: one
// GCRA limiter in Redis for all three. The fake's write quota is the pace's
// bound over its window plus a margin for the time between a grant and the
// append reaching it, and three hubs each keeping the pace on its own would
// spend it three times over; the fake refuses none, every event is
// delivered at its first attempt, and appends carry several rows.
func TestSharedSheetsBudgetAcrossHubs(t *testing.T) {
	if testing.Short() {
		t.Skip("paces about 40 writes over a few seconds")
	}
	h := newHarness(t)
	fake := sheetsfake.New(t)
	// The pace is Sheets' shape (a steady rate and a small burst), sixty
	// times faster: one write every 100 ms in bursts of 2 lets through at
	// most 2 + 10 = 12 in any second. The fake allows 16 a second, so a
	// grant may take up to 400 ms to reach it; three hubs pacing alone
	// would send up to 36.
	const every, burst = 100 * time.Millisecond, 2
	fake.WritesPerWindow, fake.Window = 16, time.Second
	const n = 150
	var hubs []*countingConnector
	var first *Connections
	for i := range 3 {
		store, rdb := h.crashableStore()
		t.Cleanup(func() { rdb.Close() })
		opts := h.options()
		// Eight deliveries in flight per hub (a target gets half its
		// account's share), for the connector to coalesce.
		opts.Store, opts.Workers, opts.AccountConcurrency = store, 16, 16
		opts.ClaimIdle = 2 * time.Second // see TestSharedLimitAcrossHubs
		hub := &countingConnector{Connector: sheets.NewWithLimit(nil, every, burst)}
		_, conns := h.startWithConnections(opts, fakeHost{"sheets": hub})
		hubs = append(hubs, hub)
		if i == 0 {
			first = conns
		}
	}
	c := h.connection(first, "sheets", map[string]any{
		"credentials_json": string(fake.CredentialsJSON()), "spreadsheet_id": fake.SpreadsheetID,
		"sheet": "Bookings", "api_base_url": fake.URL + "/",
	})
	start := time.Now()
	for i := range n {
		h.publish(h.scope, "reservation.created", i)
	}
	for _, d := range h.finished(first, c.ID, n) {
		if d.Status != core.StatusSucceeded || len(d.Attempts) != 1 {
			t.Errorf("delivery %s: %s after %d attempts, want succeeded at the first", d.ID, d.Status, len(d.Attempts))
		}
	}
	elapsed := time.Since(start)
	if got := fake.RateLimited(); got != 0 {
		t.Errorf("the fake refused %d appends over its quota of %d a second, want 0", got, fake.WritesPerWindow)
	}
	appends := fake.Appends()
	t.Logf("%d deliveries in %d appends over %v", n, appends, elapsed)
	if appends >= n {
		t.Errorf("%d appends for %d deliveries, want them coalesced", appends, n)
	}
	// The whole run is a window too: no more appends than the pace allows
	// over it, with a second's margin.
	if limit := burst + int((elapsed+time.Second)/every); appends > limit {
		t.Errorf("%d appends in %v, want at most %d at one every %v", appends, elapsed, limit, every)
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
