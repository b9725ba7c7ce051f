package delivery

import (
	"context"
	"encoding/json"
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
	return c.options(ctx, t, field)
}

// options asks t's connector for the choices of field with t's config.
func (c *Connections) options(ctx context.Context, t *connTarget, field string) ([]core.ConnectorOption, error) {
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
	return c.test(ctx, scope, t, eventType)
}

// test runs t's live check and a dry run of a sample of eventType through
// t's transform.
func (c *Connections) test(ctx context.Context, scope core.Scope, t *connTarget, eventType string) (*core.ConnectionTest, error) {
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
	payload, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	tr, _, res := c.transform(ctx, Job{Scope: scope, Event: ev, Payload: payload, Number: 1}, t.conn)
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

// DraftOptions lists the choices of field for a configuration not saved
// yet. Returns ENOTFOUND or EINVALID.
func (c *Connections) DraftOptions(ctx context.Context, scope core.Scope, d core.ConnectionDraft, field string) ([]core.ConnectorOption, error) {
	t, _, err := c.draftTarget(ctx, scope, d)
	if err != nil {
		return nil, err
	}
	return c.options(ctx, t, field)
}

// TestDraft validates a configuration not saved yet as CreateConnection
// would, then tests it as TestConnection does. Returns ENOTFOUND or
// EINVALID.
func (c *Connections) TestDraft(ctx context.Context, scope core.Scope, d core.ConnectionDraft, eventType string) (*core.ConnectionTest, error) {
	t, desc, err := c.draftTarget(ctx, scope, d)
	if err != nil {
		return nil, err
	}
	if err := c.validateConfig(c.egress(ctx, scope.Livemode), desc, t.config); err != nil {
		return nil, err
	}
	return c.test(ctx, scope, t, eventType)
}

// draftTarget builds the connTarget of a draft: its config as typed, with
// the stored connection's secrets where the draft leaves them empty or
// masked. In live mode its URLs pass the same guard as on save, so a draft
// cannot reach an address a saved connection could not.
func (c *Connections) draftTarget(ctx context.Context, scope core.Scope, d core.ConnectionDraft) (*connTarget, plugins.Description, error) {
	conn := &core.Connection{Object: "connection", Livemode: scope.Livemode}
	var stored map[string]string
	if d.ID != "" {
		t, err := c.loadTarget(ctx, scope, d.ID)
		if err != nil {
			return nil, plugins.Description{}, err
		}
		copied := *t.conn
		conn, stored = &copied, t.secrets
		if d.Input.Connector != nil && *d.Input.Connector != conn.Connector {
			return nil, plugins.Description{}, core.ParamError("connector", "A connection's connector cannot change; create a new connection.")
		}
	} else if d.Input.Connector == nil || *d.Input.Connector == "" {
		return nil, plugins.Description{}, &core.Error{Code: core.EINVALID, Reason: "parameter_missing", Param: "connector", Message: "Missing required param: connector."}
	} else {
		conn.Connector = *d.Input.Connector
	}
	desc, err := c.describe(ctx, conn.Connector, true)
	if core.ErrorCode(err) == core.ENOTFOUND {
		return nil, desc, core.ParamError("connector", "Unknown connector %q: see GET /v1/connectors.", conn.Connector)
	} else if err != nil {
		return nil, desc, err
	}
	if d.Input.EnabledEvents != nil {
		conn.EnabledEvents = d.Input.EnabledEvents
	}
	if d.Input.TransformScriptID != nil {
		conn.TransformScriptID = *d.Input.TransformScriptID
	}
	config := d.Input.Config
	if config == nil {
		config = conn.Config
	}
	full := mergeSecrets(withoutBlankSecrets(config, desc.Fields), stored, desc.Fields)
	if scope.Livemode {
		if err := checkLiveURLs(desc.Fields, full, c.allowed); err != nil {
			return nil, desc, err
		}
	}
	_, secrets := splitSecrets(full, desc.Fields)
	return &connTarget{conn: conn, config: full, secrets: secrets}, desc, nil
}

// withoutBlankSecrets drops the secret fields a form left empty, so that a
// stored value fills them ("leave empty to keep").
func withoutBlankSecrets(config map[string]any, fields []plugins.Field) map[string]any {
	out := make(map[string]any, len(config))
	for k, v := range config {
		out[k] = v
	}
	for _, f := range fields {
		if s, ok := out[f.Name].(string); ok && f.Secret && s == "" {
			delete(out, f.Name)
		}
	}
	return out
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
