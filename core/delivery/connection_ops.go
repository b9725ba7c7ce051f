package delivery

import (
	"context"
	"slices"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/outbound"
	"github.com/bellhop/bellhop/plugins"
)

// ConnectionOptions asks the connector for the choices of a form field,
// with the connection's stored config. Returns ENOTFOUND, or EINVALID when
// the connector lists none for field.
func (c *Connections) ConnectionOptions(ctx context.Context, scope core.Scope, id, field string) ([]core.ConnectorOption, error) {
	t, err := c.loadTarget(ctx, scope, id)
	if err != nil {
		return nil, err
	}
	conn, err := c.host.Connector(ctx, t.conn.Connector)
	if err != nil {
		return nil, err
	}
	lister, ok := conn.(plugins.OptionLister)
	if !ok {
		return nil, core.ParamError("field", "The %s connector lists no options.", t.conn.Connector)
	}
	opts, err := lister.Options(c.egress(ctx, t.conn.Livemode), t.config, field)
	if err != nil {
		return nil, &core.Error{Code: core.EINVALID, Param: "field",
			Message: redact("Cannot list options for "+field+": "+core.ErrorMessage(err), t.secrets)}
	}
	out := make([]core.ConnectorOption, len(opts))
	for i, o := range opts {
		out[i] = core.ConnectorOption{Value: o.Value, Label: o.Label}
	}
	return out, nil
}

// TestConnection runs the connector's live check and a dry run of a sample
// event through the connection's transform. Nothing is delivered. Returns
// ENOTFOUND, or EINVALID for an unknown event type.
func (c *Connections) TestConnection(ctx context.Context, scope core.Scope, id, eventType string) (*core.ConnectionTest, error) {
	t, err := c.loadTarget(ctx, scope, id)
	if err != nil {
		return nil, err
	}
	out := &core.ConnectionTest{Object: "connection_test", Logs: []string{}}
	out.Check = c.check(ctx, t)
	desc, _ := c.describe(ctx, t.conn.Connector, true)
	if eventType == "" {
		eventType = sampleType(t.conn.EnabledEvents, desc.SuggestedEvents)
	}
	ev, err := sampleEvent(ctx, c.engine.opts.EventTypes, scope, eventType)
	if err != nil {
		return nil, err
	}
	out.EventType = ev.Type
	tr, _, res := c.transform(ctx, scope, t.conn, ev, 1)
	switch {
	case res != nil && res.Outcome == outbound.Skipped:
		out.Skipped, out.SkipReason, out.Logs = true, res.Reason, nonNil(res.Attempt.Logs)
	case res != nil:
		out.Error, out.Logs = res.Reason, nonNil(res.Attempt.Logs)
	default:
		out.Output, out.Logs = tr.Output, nonNil(tr.Logs)
	}
	out.OK = out.Check.OK && out.Error == ""
	return out, nil
}

// check runs the connector's live check, its message freed of secrets.
func (c *Connections) check(ctx context.Context, t *connTarget) core.CheckResult {
	conn, err := c.host.Connector(ctx, t.conn.Connector)
	var res plugins.CheckResult
	if err == nil {
		res, err = conn.Check(c.egress(ctx, t.conn.Livemode), t.config)
	}
	if err != nil {
		return core.CheckResult{Message: redact(core.ErrorMessage(err), t.secrets)}
	}
	out := core.CheckResult{OK: true, Contacted: !res.NotContacted, Message: redact(res.Message, t.secrets)}
	if out.Message == "" && out.Contacted {
		out.Message = "The connector reached its service with this configuration."
	}
	if out.Message == "" {
		out.Message = "The configuration was checked for form; the connector did not contact its service."
	}
	return out
}

// sampleType picks the event type of a test: the first enabled type, else
// the first suggested one, else a reservation.
func sampleType(enabled, suggested []string) string {
	for _, t := range append(slices.Clone(enabled), suggested...) {
		if t != "*" {
			return t
		}
	}
	return "reservation.created"
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
