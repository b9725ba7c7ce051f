package delivery

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/plugins"
)

// maxConnectionName bounds a connection's name.
const maxConnectionName = 200

// ListConnectors describes every connector the host knows, or none when
// the host cannot list them.
func (c *Connections) ListConnectors(ctx context.Context) ([]*core.ConnectorInfo, error) {
	l, ok := c.host.(ConnectorLister)
	if !ok {
		return []*core.ConnectorInfo{}, nil
	}
	return l.ListConnectors(ctx)
}

// CreateConnection validates input and stores a new connection. Returns
// EINVALID naming the param at fault ("config.<field>" for the config).
func (c *Connections) CreateConnection(ctx context.Context, scope core.Scope, in core.ConnectionInput) (*core.Connection, error) {
	if in.Connector == nil || *in.Connector == "" {
		return nil, &core.Error{Code: core.EINVALID, Reason: "parameter_missing", Param: "connector", Message: "Missing required param: connector."}
	}
	if in.EnabledEvents == nil {
		return nil, &core.Error{Code: core.EINVALID, Reason: "parameter_missing", Param: "enabled_events", Message: "Missing required param: enabled_events."}
	}
	if in.Config == nil {
		in.Config = map[string]any{}
	}
	desc, err := c.describe(ctx, *in.Connector, true)
	if core.ErrorCode(err) == core.ENOTFOUND {
		return nil, core.ParamError("connector", "Unknown connector %q: see GET /v1/connectors.", *in.Connector)
	} else if err != nil {
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	conn := &core.Connection{ID: randomID(core.ConnectionIDPrefix), Object: "connection", Connector: desc.Name,
		Name: desc.DisplayName, Livemode: scope.Livemode, CreatedAt: now, UpdatedAt: now, PropertyIDs: []string{}}
	secrets, err := c.apply(ctx, scope, conn, nil, desc, in)
	if err != nil {
		return nil, err
	}
	if conn.Disabled {
		conn.DisabledReason, conn.DisabledAt = "disabled at creation", &now
	}
	if err := attachScript(ctx, c.store, scope, conn.ID, "", conn.TransformScriptID); err != nil {
		return nil, err
	}
	if err := c.save(ctx, scope, conn, secrets); err != nil {
		return nil, err
	}
	if conn.Disabled {
		c.engine.markDisabled(ctx, scope, core.TargetConnection, conn.ID, redisstore.DisabledByRequest)
	}
	if err := c.engine.AddScope(ctx, scope); err != nil {
		c.engine.opts.Logger.Warn("serve new scope", "err", err)
	}
	return conn, nil
}

// FindConnection returns ENOTFOUND if the connection is not in scope.
func (c *Connections) FindConnection(ctx context.Context, scope core.Scope, id string) (*core.Connection, error) {
	return c.store.FindConnection(ctx, scope, id)
}

// ListConnections lists connections newest first.
func (c *Connections) ListConnections(ctx context.Context, scope core.Scope, page core.Page) (core.List[*core.Connection], error) {
	return c.store.ListConnections(ctx, scope, page)
}

// UpdateConnection changes the given fields. Returns ENOTFOUND or EINVALID.
func (c *Connections) UpdateConnection(ctx context.Context, scope core.Scope, id string, in core.ConnectionInput) (*core.Connection, error) {
	t, err := c.loadTarget(ctx, scope, id)
	if err != nil {
		return nil, err
	}
	conn := t.conn
	if in.Connector != nil && *in.Connector != conn.Connector {
		return nil, core.ParamError("connector", "A connection's connector cannot change; create a new connection.")
	}
	desc, err := c.describe(ctx, conn.Connector, true)
	if err != nil {
		return nil, err
	}
	wasDisabled, oldScript := conn.Disabled, conn.TransformScriptID
	secrets, err := c.apply(ctx, scope, conn, t.secrets, desc, in)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	conn.UpdatedAt = now
	if err := attachScript(ctx, c.store, scope, id, oldScript, conn.TransformScriptID); err != nil {
		return nil, err
	}
	if conn.Disabled && !wasDisabled {
		conn.DisabledReason, conn.DisabledAt = "disabled by request", &now
	} else if !conn.Disabled && wasDisabled {
		conn.Disabled = true // enable saves it enabled, then releases parked deliveries
		if err := c.save(ctx, scope, conn, secrets); err != nil {
			return nil, err
		}
		return c.enable(ctx, scope, conn)
	}
	if err := c.save(ctx, scope, conn, secrets); err != nil {
		return nil, err
	}
	if conn.Disabled && !wasDisabled {
		c.engine.markDisabled(ctx, scope, core.TargetConnection, conn.ID, redisstore.DisabledByRequest)
	}
	return conn, nil
}

// DeleteConnection removes a connection; its pending deliveries fail as
// their entries come up. Returns ENOTFOUND.
func (c *Connections) DeleteConnection(ctx context.Context, scope core.Scope, id string) error {
	conn, err := c.store.FindConnection(ctx, scope, id)
	if err != nil {
		return err
	}
	if err := c.store.DeleteConnection(ctx, scope, id); err != nil {
		return err
	}
	c.targets.forget(scope, id)
	c.engine.markDisabled(ctx, scope, core.TargetConnection, id, "")
	if err := attachScript(ctx, c.store, scope, id, conn.TransformScriptID, ""); err != nil {
		return err
	}
	return c.engine.releaseParked(ctx, scope, core.Target{Kind: core.TargetConnection, ID: id}) // so that they end as failed
}

// EnableConnection re-enables a connection, forgets its failure record and
// queues its parked deliveries. Returns ENOTFOUND.
func (c *Connections) EnableConnection(ctx context.Context, scope core.Scope, id string) (*core.Connection, error) {
	conn, err := c.store.FindConnection(ctx, scope, id)
	if err != nil {
		return nil, err
	}
	return c.enable(ctx, scope, conn)
}

func (c *Connections) enable(ctx context.Context, scope core.Scope, conn *core.Connection) (*core.Connection, error) {
	conn.Disabled, conn.DisabledReason, conn.DisabledAt = false, "", nil
	conn.UpdatedAt = time.Now().UTC().Truncate(time.Second)
	if err := c.save(ctx, scope, conn, nil); err != nil {
		return nil, err
	}
	if err := c.engine.attempts.ResetHealth(ctx, scope, conn.ID); err != nil {
		return nil, err
	}
	if err := c.engine.releaseParked(ctx, scope, core.Target{Kind: core.TargetConnection, ID: conn.ID}); err != nil {
		return nil, err
	}
	c.engine.markDisabled(ctx, scope, core.TargetConnection, conn.ID, "")
	return conn, nil
}

// DisableConnection stops deliveries to a connection; they wait, parked.
// Returns ENOTFOUND.
func (c *Connections) DisableConnection(ctx context.Context, scope core.Scope, id, reason string) (*core.Connection, error) {
	if reason == "" {
		reason = "disabled by request"
	}
	conn, _, err := c.disable(ctx, scope, id, reason, redisstore.DisabledByRequest)
	return conn, err
}

// disable turns a connection off and reports whether this call flipped it.
func (c *Connections) disable(ctx context.Context, scope core.Scope, id, reason, cause string) (*core.Connection, bool, error) {
	conn, err := c.store.FindConnection(ctx, scope, id)
	if err != nil || conn.Disabled {
		return conn, false, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	conn.Disabled, conn.DisabledReason, conn.DisabledAt, conn.UpdatedAt = true, reason, &now, now
	if err := c.save(ctx, scope, conn, nil); err != nil {
		return nil, false, err
	}
	c.engine.markDisabled(ctx, scope, core.TargetConnection, conn.ID, cause)
	return conn, true, nil
}

// apply validates the given fields of in and sets them on conn. stored are
// the current secret values (nil at creation). It returns the secret values
// to store: the fields the connector marks secret.
func (c *Connections) apply(ctx context.Context, scope core.Scope, conn *core.Connection, stored map[string]string, desc plugins.Description, in core.ConnectionInput) (map[string]string, error) {
	if in.Name != nil {
		if *in.Name == "" || len(*in.Name) > maxConnectionName {
			return nil, core.ParamError("name", "name must be between 1 and %d characters.", maxConnectionName)
		}
		conn.Name = *in.Name
	}
	if in.EnabledEvents != nil {
		if err := checkEvents(ctx, c.engine.opts.EventTypes, scope, in.EnabledEvents); err != nil {
			return nil, err
		}
		conn.EnabledEvents = dedupe(in.EnabledEvents)
	}
	if in.PropertyIDs != nil {
		if len(in.PropertyIDs) > maxPropertyIDs {
			return nil, core.ParamError("property_ids", "property_ids may list at most %d properties.", maxPropertyIDs)
		}
		conn.PropertyIDs = dedupe(in.PropertyIDs)
	}
	if in.TransformScriptID != nil {
		conn.TransformScriptID = *in.TransformScriptID
	}
	if in.Disabled != nil {
		conn.Disabled = *in.Disabled
	}
	if in.Config == nil && stored != nil {
		return nil, nil // config unchanged: keep the stored secrets
	}
	full := mergeSecrets(in.Config, stored, desc.Fields)
	if err := c.validateConfig(c.egress(ctx, scope.Livemode), desc, full); err != nil {
		return nil, err
	}
	if scope.Livemode {
		if err := checkLiveURLs(desc.Fields, full, c.allowed); err != nil {
			return nil, err
		}
	}
	public, secrets := splitSecrets(full, desc.Fields)
	conn.Config = public
	return secrets, nil
}

// mergeSecrets returns the config to validate: given, with each secret
// field left out or sent back masked (core.IsSecretMask) taking its stored
// value.
func mergeSecrets(given map[string]any, stored map[string]string, fields []plugins.Field) plugins.Config {
	full := make(plugins.Config, len(given))
	for k, v := range given {
		full[k] = v
	}
	for _, f := range fields {
		old, ok := stored[f.Name]
		if !f.Secret || !ok {
			continue
		}
		if v, given := full[f.Name]; !given || core.IsSecretMask(fmt.Sprint(v), old) {
			full[f.Name] = old
		}
	}
	return full
}

// splitSecrets separates the secret fields' values from the rest.
func splitSecrets(full plugins.Config, fields []plugins.Field) (map[string]any, map[string]string) {
	public, secrets := map[string]any{}, map[string]string{}
	for k, v := range full {
		public[k] = v
	}
	for _, f := range fields {
		if v, ok := full[f.Name]; ok && f.Secret {
			delete(public, f.Name)
			if s := fmt.Sprint(v); s != "" {
				secrets[f.Name] = s
			}
		}
	}
	return public, secrets
}

// validateConfig checks config against the connector's schema, then with
// its own Validate. The first error names config.<field>; the message lists
// every problem.
func (c *Connections) validateConfig(ctx context.Context, desc plugins.Description, config plugins.Config) error {
	errs := plugins.ValidateFields(desc.Fields, config)
	if len(errs) == 0 {
		conn, err := c.host.Connector(ctx, desc.Name)
		if err != nil {
			return err
		}
		if errs, err = conn.Validate(ctx, config); err != nil {
			return err
		}
	}
	if len(errs) == 0 {
		return nil
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = fmt.Sprintf("config.%s %s", e.Field, e.Message)
	}
	return core.ParamError("config."+errs[0].Field, "Invalid configuration: %s.", strings.Join(msgs, "; "))
}
