package delivery

import (
	"context"
	"strings"

	"github.com/bellhop/bellhop/core"
)

// checkEvents validates the enabled_events of an endpoint or a connection
// against the catalog (Options.EventTypes), or for form when there is none.
func (e *Engine) checkEvents(ctx context.Context, scope core.Scope, types []string) error {
	if len(types) == 0 || len(types) > maxEnabledEvents {
		return core.ParamError("enabled_events", "enabled_events must list between 1 and %d event types, or [\"*\"].", maxEnabledEvents)
	}
	for _, t := range types {
		if t == "*" {
			continue
		}
		if e.opts.EventTypes == nil {
			if t == "" || strings.ContainsAny(t, " :{}*") {
				return core.ParamError("enabled_events", "Invalid event type %q.", t)
			}
			continue
		}
		if _, err := e.opts.EventTypes.FindEventType(ctx, scope, t); core.ErrorCode(err) == core.ENOTFOUND {
			return core.ParamError("enabled_events", "Unknown event type %q.", t)
		} else if err != nil {
			return err
		}
	}
	return nil
}
