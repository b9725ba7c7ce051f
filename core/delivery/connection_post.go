package delivery

import (
	"context"
	"encoding/json"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/plugins"
)

// Post sends input, as is, to a connection through its connector now: the
// path an attempt takes (the connection's config and credentials, the
// connector's shared rate limits, the plugin's Deliver), without a delivery
// or the attempt log. The hub's alerts go to Slack this way. Its errors
// never hold a credential.
//
// Returns ENOTFOUND for an unknown connection, EINVALID for a disabled one,
// and EUNAVAILABLE when the connector held it back, failed or cannot be
// reached.
func (c *Connections) Post(ctx context.Context, scope core.Scope, id string, input json.RawMessage) error {
	t, err := c.loadTarget(ctx, scope, id)
	if err != nil {
		return err
	}
	if t.conn.Disabled {
		return core.Errorf(core.EINVALID, "The connection %s is disabled: %s", id, t.conn.DisabledReason)
	}
	r, held, err := c.deliver(ctx, scope, t, input)
	switch {
	case err != nil:
		return core.Errorf(core.EUNAVAILABLE, "The connector %s did not answer: %s", t.conn.Connector, redact(core.ErrorMessage(err), t.secrets))
	case held > 0:
		return core.Errorf(core.EUNAVAILABLE, "The connector's rate limit holds it back for %s.", held)
	case r.Outcome != plugins.Delivered:
		return core.Errorf(core.EUNAVAILABLE, "The connector %s answered %s: %s", t.conn.Connector, r.Outcome, redact(r.Summary, t.secrets))
	}
	return nil
}
