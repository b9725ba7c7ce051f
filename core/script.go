package core

import (
	"context"
	"encoding/json"
	"time"
)

// TransformTarget says which target a transform runs for; scripts see it as
// context.target.
type TransformTarget struct {
	Kind string `json:"kind"` // "webhook_endpoint" or "connection"
	ID   string `json:"id"`
}

// TransformResult is what one run of a transform script produced.
type TransformResult struct {
	Output   json.RawMessage   // the body to send (webhook) or the connector's input (connection)
	Skip     bool              // the script returned null or undefined: skip this event for this target
	Headers  map[string]string // context.headers set by the script (webhooks only)
	Logs     []string          // console output, capped
	Version  int               // the script version that ran
	Duration time.Duration
}

// TransformRunner runs an account's transform scripts on events. The delivery
// engine calls it before every attempt to a target that names a script.
type TransformRunner interface {
	// RunTransform runs script scriptID (its latest version) of scope on ev.
	// A script that throws, times out or exceeds a limit returns an EINVALID
	// error whose message names the line and column; the delivery fails for
	// good (a script bug is fixed and replayed, not retried). Returns
	// ENOTFOUND if the script does not exist.
	RunTransform(ctx context.Context, scope Scope, scriptID string, ev *Event, target TransformTarget, attempt int) (*TransformResult, error)
}
