package delivery

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/outbound"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/transform"
	"github.com/bellhop/bellhop/plugins"
	"github.com/bellhop/bellhop/scripts"
	"go.opentelemetry.io/otel/attribute"
)

// connectionStore is what Connections keeps in storage: the connections
// (core.ConnectionStore) and the script-users record. Its rate limits,
// parked deliveries and health go through the engine's limits, queue and
// attemptLog.
type connectionStore interface {
	core.ConnectionStore
	scriptUsers
}

// ConnectorHost hands out connector plugins by name. core/pluginhost's
// Manager implements it; tests may pass connectors running in process. A
// host that also implements ConnectorLister feeds GET /v1/connectors.
type ConnectorHost interface {
	// Connector returns ENOTFOUND for an unknown name and EUNAVAILABLE when
	// the plugin cannot run.
	Connector(ctx context.Context, name string) (plugins.Connector, error)
}

// ConnectorLister describes every connector a host knows.
type ConnectorLister interface {
	ListConnectors(ctx context.Context) ([]*core.ConnectorInfo, error)
}

// ConnectionOptions configure Connections. Host is required.
type ConnectionOptions struct {
	Host ConnectorHost
	// Scripts runs the connectors' default scripts from scripts/. Default: an
	// engine of Connections' own, stopped by Close.
	Scripts *transform.Engine
	// AllowedRanges are the operator's exceptions (BELLHOP_ALLOW_RANGES) to
	// the live-mode address guard, passed to connectors with every call and
	// applied to connection URLs at create and update.
	AllowedRanges []netip.Prefix
}

// Connections is the core.ConnectionService and the Sender of
// core.TargetConnection: a connection is a delivery target like an
// endpoint, reached through its connector plugin. Its attempts go through
// the same workers: a connection is capped at Options.DefaultConcurrency
// requests in flight, and they count against its account's budget
// (Options.AccountConcurrency) with its endpoints'. Build it with
// NewConnections before the engine runs. Safe for concurrent use.
type Connections struct {
	engine  *Engine
	store   connectionStore
	host    ConnectorHost
	scripts *transform.Engine
	own     bool // scripts was made here and is stopped by Close
	allowed []netip.Prefix
	targets *targetCache // connections looked up for attempts
	// unlimited holds the names of connectors that do not implement
	// plugins.RateLimited, so that they cost no call on every delivery.
	unlimited sync.Map

	mu    sync.Mutex
	descs map[string]plugins.Description // by connector name
	progs map[string]*transform.Program  // default scripts by path
}

var (
	_ Sender                 = (*Connections)(nil)
	_ core.ConnectionService = (*Connections)(nil)
)

// NewConnections registers connections as a target kind of e: the
// dispatcher fans events out to subscribed connections and workers deliver
// them through the connector plugins of opts.Host. Call it before e.Run.
func NewConnections(e *Engine, opts ConnectionOptions) *Connections {
	c := &Connections{engine: e, store: e.opts.Store, host: opts.Host, scripts: opts.Scripts, allowed: opts.AllowedRanges,
		targets: newTargetCache(e.opts.TargetCacheTTL),
		descs:   map[string]plugins.Description{}, progs: map[string]*transform.Program{}}
	if c.scripts == nil {
		c.scripts, c.own = transform.New(transform.Options{}), true
	}
	e.register(core.TargetConnection, c)
	return c
}

// Match returns the connections subscribed to eventType.
func (c *Connections) Match(ctx context.Context, scope core.Scope, eventType string) ([]Subscription, error) {
	return connectionSubscriptions(c.store.MatchConnections(ctx, scope, eventType))
}

func connectionSubscriptions(found []*core.Connection, err error) ([]Subscription, error) {
	return subscriptions(found, err, func(c *core.Connection) Subscription {
		return Subscription{Target: core.Target{Kind: core.TargetConnection, ID: c.ID}, PropertyIDs: c.PropertyIDs}
	})
}

// Close stops the script engine Connections made for itself, if any.
func (c *Connections) Close() {
	if c.own {
		c.scripts.Close()
	}
}

// connTarget is the sender's view of a connection for one attempt: the
// connection and its whole config, secrets included.
type connTarget struct {
	conn    *core.Connection
	config  plugins.Config
	secrets map[string]string
}

// Forget drops this hub's cached lookup of a connection (Sender.Forget).
func (c *Connections) Forget(scope core.Scope, id string) { c.targets.forget(scope, id) }

// Lookup loads the connection and opens its secrets. Like an endpoint's,
// a lookup is kept for Options.TargetCacheTTL, so that a burst of
// deliveries reads and unseals the connection once; this hub forgets it
// when it saves or deletes the connection. The cached connTarget is shared
// by concurrent attempts and never written to.
func (c *Connections) Lookup(ctx context.Context, scope core.Scope, id string) (*TargetInfo, error) {
	now := time.Now()
	if info, ok := c.targets.get(scope, id, now); ok {
		return info, nil
	}
	t, err := c.loadTarget(ctx, scope, id)
	if err != nil {
		return nil, err
	}
	info := &TargetInfo{Disabled: t.conn.Disabled, DisabledReason: t.conn.DisabledReason, BackfillRate: c.engine.opts.BackfillRate, Data: t}
	c.targets.put(scope, id, info, now)
	return info, nil
}

// save stores conn and drops this hub's cached copy, so that its next
// attempt sees the change at once. secrets nil keeps the stored ones.
func (c *Connections) save(ctx context.Context, scope core.Scope, conn *core.Connection, secrets map[string]string) error {
	err := c.store.SaveConnection(ctx, scope, conn, secrets)
	c.targets.forget(scope, conn.ID)
	return err
}

func (c *Connections) loadTarget(ctx context.Context, scope core.Scope, id string) (*connTarget, error) {
	conn, secrets, err := c.store.ConnectionSecrets(ctx, scope, id)
	if err != nil {
		return nil, err
	}
	cfg := make(plugins.Config, len(conn.Config))
	for k, v := range conn.Config {
		cfg[k] = v
	}
	for k, v := range secrets {
		cfg[k] = v
	}
	return &connTarget{conn: conn, config: cfg, secrets: secrets}, nil
}

// Disable turns the connection off (the circuit breaker) and publishes
// connection.disabled, once, by the hub that flipped it.
func (c *Connections) Disable(ctx context.Context, scope core.Scope, id, reason string) error {
	conn, flipped, err := c.disable(ctx, scope, id, reason, redisstore.DisabledByBreaker)
	if err == nil && flipped {
		c.engine.publishOperational(ctx, scope, "connection.disabled", conn.ID, map[string]any{
			"id": conn.ID, "connector": conn.Connector, "name": conn.Name, "reason": conn.DisabledReason, "disabled_at": conn.DisabledAt,
		})
		c.engine.alert(ctx, scope, core.Alert{Kind: core.AlertConnectionDisabled, Target: core.Target{Kind: core.TargetConnection, ID: conn.ID},
			Name: conn.Name, Connector: conn.Connector, Reason: conn.DisabledReason, CreatedAt: *conn.DisabledAt})
	}
	return err
}

// Send makes one attempt: transform, then Deliver through the plugin.
func (c *Connections) Send(ctx context.Context, target *TargetInfo, job Job) Result {
	t := target.Data.(*connTarget)
	url := "connector://" + t.conn.Connector
	tr, script, res := c.transform(ctx, job, t.conn)
	if res != nil {
		res.Attempt.URL = url
		return *res
	}
	a := &core.Attempt{ID: randomID("req_"), URL: url}
	stampScript(a, script, tr)
	start := time.Now()
	r, held, err := c.deliver(ctx, job.Scope, t, tr.Output)
	a.LatencyMS = float64(time.Since(start).Microseconds()) / 1000
	if held > 0 {
		return Result{Outcome: outbound.Deferred, RetryAfter: held, Reason: "held back by the connector's rate limit", Attempt: a}
	}
	if err != nil { // a crash, a hang, a plugin that cannot start: retry
		a.Error = redact(core.ErrorMessage(err), t.secrets)
		return Result{Outcome: outbound.Retry, Reason: "connector: " + a.Error, FailCode: pluginFailCode(err), Attempt: a}
	}
	a.ResponseBody, a.ExternalID, a.ResponseStatus = redact(r.Summary, t.secrets), r.ExternalID, r.Status
	out := Result{Outcome: r.Outcome.Hub(), Attempt: a, Reason: a.ResponseBody, Is5xx: outbound.Is5xx(r.Status)}
	switch out.Outcome {
	case outbound.Retry:
		out.RetryAfter, out.FailCode = outbound.ClampRetryAfter(r.RetryAfter), "retry"
	case outbound.Failed:
		out.FailCode = "failed"
	}
	return out
}

// deliver takes the connector's rate limits and calls its Deliver, lending
// it the connection's budget (plugins.Budget) for limits it can only count
// per request. held is how long the delivery must wait when a limit is
// spent; Deliver was not called then.
func (c *Connections) deliver(ctx context.Context, scope core.Scope, t *connTarget, input json.RawMessage) (r plugins.Result, held time.Duration, err error) {
	conn, err := c.host.Connector(ctx, t.conn.Connector)
	if err != nil {
		if ctx.Err() == nil {
			c.engine.alert(ctx, scope, core.Alert{Kind: core.AlertPluginFailed, Target: core.Target{Kind: core.TargetConnection, ID: t.conn.ID},
				Name: t.conn.Name, Connector: t.conn.Connector, Reason: core.ErrorMessage(err)})
		}
		return r, 0, err
	}
	if held = c.takeLimits(ctx, scope, t, conn, input); held > 0 {
		return r, held, nil
	}
	dctx := plugins.WithBudget(c.egress(ctx, t.conn.Livemode), budget{c: c, scope: scope, connector: t.conn.Connector})
	dctx, span := c.engine.childSpan(dctx, "plugin Deliver", attribute.String("bellhop.connector", t.conn.Connector))
	r, err = conn.Deliver(dctx, t.config, input)
	endSpan(span, attribute.String("bellhop.outcome", string(r.Outcome)), err)
	return r, 0, err
}

// egress marks a call to a connector as live or test mode, so that a
// live-mode connection's connector refuses internal addresses
// (plugins.WithEgress); every call made for a connection goes through it.
func (c *Connections) egress(ctx context.Context, livemode bool) context.Context {
	return plugins.WithEgress(ctx, plugins.Egress{Livemode: livemode, AllowedRanges: c.allowed})
}

// pluginFailCode labels a plugin error for failures-by-code: a timeout as
// outbound.FailCode reads it, else "plugin".
func pluginFailCode(err error) string {
	if code := outbound.FailCode(0, err); code == "timeout" {
		return code
	}
	return "plugin"
}

// redact removes any secret value from s, so that a connector that echoes a
// credential back never puts it in the attempt log.
func redact(s string, secrets map[string]string) string {
	for _, v := range secrets {
		if len(v) >= 4 {
			s = strings.ReplaceAll(s, v, "[redacted]")
		}
	}
	return s
}

// transform runs the connection's script, or else its connector's default
// script, and returns the connector input, or a final Result (skipped, or
// failed for a script error or an unreadable event). A connector without a
// default script gets the event envelope as stored, as a webhook does: the
// event is decoded only for a script to read.
func (c *Connections) transform(ctx context.Context, job Job, conn *core.Connection) (tr *core.TransformResult, script string, res *Result) {
	script = conn.TransformScriptID
	var err error
	ctx, span := c.engine.childSpan(ctx, "transform")
	defer func() { endSpan(span, attribute.String("bellhop.script", script), err) }()
	custom := script != ""
	switch {
	case custom && c.engine.opts.Transforms == nil:
		err = core.Errorf(core.EUNAVAILABLE, "transform scripts are not enabled on this hub")
		return nil, script, transformOutcome(script, nil, err)
	case !custom:
		var desc plugins.Description
		if desc, err = c.describe(ctx, conn.Connector); err != nil {
			err = fmt.Errorf("describe connector %s: %w", conn.Connector, err)
			return nil, "", transformOutcome("", nil, err)
		}
		if desc.DefaultScript == "" {
			return &core.TransformResult{Output: job.Payload}, "", nil
		}
		script = desc.DefaultScript
	}
	ev, err := job.DecodeEvent()
	if err != nil {
		return nil, script, &Result{Outcome: outbound.Failed, Reason: "the event payload is unreadable", FailCode: "transform",
			Attempt: &core.Attempt{ScriptID: script, Error: err.Error()}}
	}
	tt := core.Target{Kind: core.TargetConnection, ID: conn.ID}
	if custom {
		tr, err = c.engine.opts.Transforms.RunTransform(ctx, job.Scope, script, ev, tt, job.Number)
	} else {
		var p *transform.Program
		if p, err = c.program(script); err == nil {
			tr, err = c.scripts.Run(ctx, p, transform.Input{Event: ev, Target: tt, Attempt: job.Number})
		}
	}
	return tr, script, transformOutcome(script, tr, err)
}

// program compiles a shipped script once.
func (c *Connections) program(path string) (*transform.Program, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.progs[path]; ok {
		return p, nil
	}
	src, err := scripts.Read(path)
	if err != nil {
		return nil, core.Errorf(core.EINVALID, "the connector's default script %s is not shipped with this hub", path)
	}
	p, err := transform.Compile(path, src)
	if err != nil {
		return nil, err
	}
	c.progs[path] = p
	return p, nil
}

// describe returns a connector's description, asked once per connector and
// kept; fresh forces a new ask (a connection is created or tested).
func (c *Connections) describe(ctx context.Context, name string, fresh ...bool) (plugins.Description, error) {
	c.mu.Lock()
	d, ok := c.descs[name]
	c.mu.Unlock()
	if ok && len(fresh) == 0 {
		return d, nil
	}
	conn, err := c.host.Connector(ctx, name)
	if err != nil {
		return d, err
	}
	if d, err = conn.Describe(ctx); err != nil {
		return d, err
	}
	c.mu.Lock()
	c.descs[name] = d
	c.mu.Unlock()
	return d, nil
}
