package pluginhost

import (
	"context"
	"encoding/json"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/plugins"
)

// pingTimeout bounds the check that follows a timed-out call.
const pingTimeout = time.Second

// managed is the Connector the Manager hands out: every call goes to the
// entry's current process, restarting it first if it crashed, under the
// per-call timeout.
type managed struct {
	e       *entry
	timeout time.Duration
}

var (
	_ plugins.Connector    = (*managed)(nil)
	_ plugins.OptionLister = (*managed)(nil)
	_ plugins.RateLimited  = (*managed)(nil)
)

// Describe implements plugins.Connector.
func (c *managed) Describe(ctx context.Context) (d plugins.Description, err error) {
	err = c.do(ctx, "describe", func(ctx context.Context, p *plugins.Plugin) error {
		d, err = p.Describe(ctx)
		return err
	})
	return d, err
}

// Validate implements plugins.Connector.
func (c *managed) Validate(ctx context.Context, config plugins.Config) (errs []plugins.FieldError, err error) {
	err = c.do(ctx, "validate", func(ctx context.Context, p *plugins.Plugin) error {
		errs, err = p.Validate(ctx, config)
		return err
	})
	return errs, err
}

// Check implements plugins.Connector.
func (c *managed) Check(ctx context.Context, config plugins.Config) (plugins.CheckResult, error) {
	var res plugins.CheckResult
	err := c.do(ctx, "check", func(ctx context.Context, p *plugins.Plugin) error {
		var err error
		res, err = p.Check(ctx, config)
		return err
	})
	return res, err
}

// Deliver implements plugins.Connector. A crashed or hung plugin makes it
// return an EUNAVAILABLE error: the delivery engine retries it, and the next
// call runs on a fresh process.
func (c *managed) Deliver(ctx context.Context, config plugins.Config, input json.RawMessage) (r plugins.Result, err error) {
	err = c.do(ctx, "deliver", func(ctx context.Context, p *plugins.Plugin) error {
		r, err = p.Deliver(ctx, config, input)
		return err
	})
	return r, err
}

// Options implements plugins.OptionLister.
func (c *managed) Options(ctx context.Context, config plugins.Config, field string) (opts []plugins.Option, err error) {
	err = c.do(ctx, "options", func(ctx context.Context, p *plugins.Plugin) error {
		opts, err = p.Options(ctx, config, field)
		return err
	})
	return opts, err
}

// Limits implements plugins.RateLimited.
func (c *managed) Limits(ctx context.Context, config plugins.Config, input json.RawMessage) (limits []plugins.Limit, err error) {
	err = c.do(ctx, "limits", func(ctx context.Context, p *plugins.Plugin) error {
		limits, err = p.Limits(ctx, config, input)
		return err
	})
	return limits, err
}

// do makes one call, named method for the Observer, to the current
// process.
func (c *managed) do(ctx context.Context, method string, call func(context.Context, *plugins.Plugin) error) error {
	p, err := c.e.ensure(ctx)
	if err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	start := time.Now()
	err = call(cctx, p)
	c.e.m.cfg.Observer.PluginCalled(c.e.name, method, time.Since(start), err)
	if core.ErrorCode(err) == core.EUNAVAILABLE && ctx.Err() == nil {
		c.checkAfterFailure(p, err)
	}
	return err
}

// checkAfterFailure kills a plugin that no longer answers a ping, so that a
// wedged process is replaced instead of timing out every call. A plugin that
// merely took too long on one call, and still answers, is kept.
func (c *managed) checkAfterFailure(p *plugins.Plugin, why error) {
	if p.Exited() {
		return // ensure restarts it on next use
	}
	ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
	defer cancel()
	if p.Ping(ctx) != nil {
		c.e.kill(p, why)
	}
}
