package delivery

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/catalog"
)

// checkEvents validates the enabled_events of an endpoint or a connection
// against eventTypes (Options.EventTypes), or for form when it is nil.
func checkEvents(ctx context.Context, eventTypes core.EventTypeService, scope core.Scope, types []string) error {
	if len(types) == 0 || len(types) > maxEnabledEvents {
		return core.ParamError("enabled_events", "enabled_events must list between 1 and %d event types, or [\"*\"].", maxEnabledEvents)
	}
	for _, t := range types {
		if t == "*" {
			continue
		}
		if eventTypes == nil {
			if t == "" || strings.ContainsAny(t, " :{}*") {
				return core.ParamError("enabled_events", "Invalid event type %q.", t)
			}
			continue
		}
		if _, err := eventTypes.FindEventType(ctx, scope, t); core.ErrorCode(err) == core.ENOTFOUND {
			return core.ParamError("enabled_events", "Unknown event type %q.", t)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// sampleEvent makes a catalog sample event of typ. Returns EINVALID (param
// event_type) for an unknown type.
func sampleEvent(ctx context.Context, eventTypes core.EventTypeService, scope core.Scope, typ string) (*core.Event, error) {
	t := &core.EventType{Type: typ, Sample: json.RawMessage(`{}`)}
	if eventTypes != nil {
		var err error
		if t, err = eventTypes.FindEventType(ctx, scope, typ); core.ErrorCode(err) == core.ENOTFOUND {
			return nil, core.ParamError("event_type", "Unknown event type %q.", typ)
		} else if err != nil {
			return nil, err
		}
	}
	return catalog.SampleEvent(t, scope, time.Now()), nil
}
