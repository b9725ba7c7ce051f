package pluginhost

import (
	"context"

	"github.com/bellhop/bellhop/core"
)

// ListConnectors describes every connector plugin in the core vocabulary,
// for GET /v1/connectors: List's descriptions with each configuration
// form's JSON Schema and the names of its secret fields. It never fails: a
// plugin that will not start is listed with its state and error instead;
// the error result is there to satisfy core.ConnectionService.
func (m *Manager) ListConnectors(ctx context.Context) ([]*core.ConnectorInfo, error) {
	infos := m.List(ctx)
	out := make([]*core.ConnectorInfo, len(infos))
	for i, in := range infos {
		d := in.Description
		secret := []string{}
		for _, f := range d.Fields {
			if f.Secret {
				secret = append(secret, f.Name)
			}
		}
		suggested := d.SuggestedEvents
		if suggested == nil {
			suggested = []string{}
		}
		out[i] = &core.ConnectorInfo{Name: in.Name, Object: "connector", DisplayName: d.DisplayName, Version: d.Version,
			Description: d.Description, ConfigSchema: d.ConfigSchema(), SecretFields: secret,
			SuggestedEvents: suggested, DefaultScript: d.DefaultScript, State: string(in.State), Error: in.Error}
	}
	return out, nil
}
