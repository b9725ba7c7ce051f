package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/plugins"
)

// limitedConnector is a fakeConnector that declares rate limits and
// records when each Deliver came.
type limitedConnector struct {
	*fakeConnector
	limits func(plugins.Config) ([]plugins.Limit, error)
	mu     sync.Mutex
	times  []time.Time
}

func (l *limitedConnector) Limits(_ context.Context, cfg plugins.Config, _ json.RawMessage) ([]plugins.Limit, error) {
	return l.limits(cfg)
}

func (l *limitedConnector) Deliver(ctx context.Context, cfg plugins.Config, in json.RawMessage) (plugins.Result, error) {
	l.mu.Lock()
	l.times = append(l.times, time.Now())
	l.mu.Unlock()
	return l.fakeConnector.Deliver(ctx, cfg, in)
}

func delivered(int) (plugins.Result, error) {
	return plugins.Result{Outcome: plugins.Delivered}, nil
}

// A spent limit defers a delivery to when the shared limiter says, with no
// attempt spent and Deliver not called, and every delivery still goes out.
func TestConnectionLimitDefers(t *testing.T) {
	h := newHarness(t)
	const period, n = 200 * time.Millisecond, 4
	conn := &limitedConnector{fakeConnector: &fakeConnector{deliver: delivered},
		limits: func(cfg plugins.Config) ([]plugins.Limit, error) {
			return []plugins.Limit{{Name: "channel", Key: cfg["token"].(string) + cfg["channel"].(string), Rate: 1, Period: period, Burst: 1}}, nil
		}}
	_, conns := h.startWithConnections(h.options(), fakeHost{"fake": conn})
	c := h.connection(conns, "fake", map[string]any{"channel": "#general", "token": fakeToken})
	for i := range n {
		h.publish(h.scope, "reservation.created", i)
	}
	for _, d := range h.finished(conns, c.ID, n) {
		if d.Status != core.StatusSucceeded || len(d.Attempts) != 1 {
			t.Errorf("delivery %s: %s after %d attempts, want succeeded at the first (a deferral is no attempt)", d.ID, d.Status, len(d.Attempts))
		}
	}
	conn.mu.Lock()
	first, last := conn.times[0], conn.times[len(conn.times)-1]
	calls := len(conn.times)
	conn.mu.Unlock()
	if calls != n {
		t.Errorf("Deliver called %d times, want %d: a held delivery must not reach the connector", calls, n)
	}
	// A lower bound only: a slow machine spreads them further, never closer.
	if span := last.Sub(first); span < (n-1)*period-period/2 {
		t.Errorf("%d deliveries went out within %v, want them paced %v apart", n, span, period)
	}

	// The limit lives in the account's slot, under the hash of its key.
	key := "rate:" + h.store.ConnectorRateKey(h.scope, "fake", "channel", fakeToken+"#general")
	if !strings.Contains(key, "{"+h.scope.AccountID+"}") {
		t.Errorf("key %q lacks the account's hash tag", key)
	}
	keys, err := h.r.Client.Keys(context.Background(), "rate:"+h.r.Prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if strings.Contains(k, fakeToken) {
			t.Errorf("Redis key %q holds the token", k)
		}
	}
}

// A connector that cannot say what it spends delivers unlimited rather than
// not at all.
func TestConnectionLimitErrorDelivers(t *testing.T) {
	h := newHarness(t)
	conn := &limitedConnector{fakeConnector: &fakeConnector{deliver: delivered},
		limits: func(plugins.Config) ([]plugins.Limit, error) { return nil, errors.New("cannot tell") }}
	_, conns := h.startWithConnections(h.options(), fakeHost{"fake": conn})
	c := h.connection(conns, "fake", map[string]any{"channel": "#general", "token": fakeToken})
	h.publish(h.scope, "reservation.created", 1)
	if d := h.finished(conns, c.ID, 1)[0]; d.Status != core.StatusSucceeded {
		t.Errorf("delivery = %s, want succeeded", d.Status)
	}
}
