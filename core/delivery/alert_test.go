package delivery

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/plugins"
)

// fakeAlerter records the alerts the engine raises.
type fakeAlerter struct {
	mu     sync.Mutex
	alerts []core.Alert
}

func (f *fakeAlerter) Alert(_ context.Context, _ core.Scope, a core.Alert) {
	f.mu.Lock()
	f.alerts = append(f.alerts, a)
	f.mu.Unlock()
}

func (f *fakeAlerter) raised() []core.Alert {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]core.Alert(nil), f.alerts...)
}

// The breaker that disables an endpoint raises one alert, with the
// reason; disabling one by hand raises none.
func TestBreakerAlertsWhenItDisablesAnEndpoint(t *testing.T) {
	h := newHarness(t)
	opts := h.options()
	opts.BreakerConsecutive = 3
	alerts := &fakeAlerter{}
	opts.Alerts = alerts
	e := h.start(opts)
	rc := newReceiver(t, func(int, *http.Request) (int, http.Header) { return 500, nil })
	ep, _ := h.endpoint(e, rc.URL, nil)
	for i := range 3 {
		h.publish(h.scope, "reservation.created", i)
	}
	eventually(t, "the alert", func() bool { return len(alerts.raised()) > 0 })
	a := alerts.raised()[0]
	if a.Kind != core.AlertEndpointDisabled || a.Target != (core.Target{Kind: core.TargetEndpoint, ID: ep.ID}) || a.Name != rc.URL ||
		a.Reason != "3 consecutive failed delivery attempts" || a.CreatedAt.IsZero() {
		t.Errorf("alert %+v", a)
	}
	manual, _ := h.endpoint(e, rc.URL, func(in *core.EndpointInput) { in.EnabledEvents = []string{"guest.created"} })
	if _, err := eps(e).DisableEndpoint(context.Background(), h.scope, manual.ID, "maintenance"); err != nil {
		t.Fatal(err)
	}
	if n := len(alerts.raised()); n != 1 {
		t.Errorf("%d alerts, want the breaker's one", n)
	}
}

// The breaker that disables a connection raises connection.disabled.
func TestBreakerAlertsWhenItDisablesAConnection(t *testing.T) {
	h := newHarness(t)
	opts := h.options()
	opts.BreakerConsecutive = 3
	alerts := &fakeAlerter{}
	opts.Alerts = alerts
	conn := h.tripBreaker(opts, plugins.Result{Outcome: plugins.Failed, Summary: "channel_not_found"})
	eventually(t, "the alert", func() bool { return len(alerts.raised()) > 0 })
	a := alerts.raised()[0]
	if a.Kind != core.AlertConnectionDisabled || a.Target.ID != conn.ID || a.Connector != "fake" || a.Reason != conn.DisabledReason {
		t.Errorf("alert %+v", a)
	}
}

// breakingHost is a host whose plugins stop starting when broken is set.
type breakingHost struct {
	fakeHost
	broken atomic.Bool
}

func (b *breakingHost) Connector(ctx context.Context, name string) (plugins.Connector, error) {
	if b.broken.Load() {
		return nil, core.Errorf(core.EUNAVAILABLE, "The connector plugin %q cannot be started: exec format error.", name)
	}
	return b.fakeHost.Connector(ctx, name)
}

// A connection whose plugin cannot be started raises plugin.failed, and
// its deliveries retry as before.
func TestPluginThatCannotStartAlerts(t *testing.T) {
	h := newHarness(t)
	opts := h.options()
	alerts := &fakeAlerter{}
	opts.Alerts = alerts
	fc := &fakeConnector{deliver: func(int) (plugins.Result, error) { return plugins.Result{Outcome: plugins.Delivered}, nil }}
	host := &breakingHost{fakeHost: fakeHost{"fake": fc}}
	_, conns := h.startWithConnections(opts, host)
	c := h.connection(conns, "fake", map[string]any{"channel": "#desk", "token": fakeToken})
	host.broken.Store(true)
	h.publish(h.scope, "reservation.created", 1)
	eventually(t, "the alert", func() bool { return len(alerts.raised()) > 0 })
	a := alerts.raised()[0]
	if a.Kind != core.AlertPluginFailed || a.Target.ID != c.ID || a.Connector != "fake" ||
		a.Reason != `The connector plugin "fake" cannot be started: exec format error.` {
		t.Errorf("alert %+v", a)
	}
	host.broken.Store(false)
	h.finished(conns, c.ID, 1)
}

// A backfill that fails raises backfill.failed, by the hub that held it.
func TestFailedBackfillAlerts(t *testing.T) {
	h := newHarness(t)
	opts := h.options()
	opts.Consumer = "hub-1"
	alerts := &fakeAlerter{}
	opts.Alerts = alerts
	e := newEngine(opts) // not running: the test is the runner
	ep, _ := h.endpoint(e, "https://example.com/hook", nil)
	ctx := context.Background()
	target := core.Target{Kind: core.TargetEndpoint, ID: ep.ID}
	b, err := e.StartBackfill(ctx, h.scope, target, core.BackfillInput{Since: time.Now().Add(-time.Hour), Until: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if _, _, ok, err := e.backfills.ClaimBackfill(ctx, h.scope, "hub-1", now, now.Add(time.Minute)); !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}
	r := &backfillRun{e: e, scope: h.scope, b: b}
	r.finish(core.Errorf(core.EUNAVAILABLE, "The event stream cannot be read."))
	got := alerts.raised()
	if len(got) != 1 || got[0].Kind != core.AlertBackfillFailed || got[0].BackfillID != b.ID || got[0].Target != target ||
		got[0].Reason != "The event stream cannot be read." {
		t.Fatalf("alerts %+v", got)
	}
}
