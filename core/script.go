package core

import (
	"context"
	"encoding/json"
	"time"
)

// TransformResult is what one run of a transform script produced.
type TransformResult struct {
	Output     json.RawMessage   // the body to send (webhook) or the connector's input (connection)
	Skip       bool              // the script returned null or undefined: skip this event for this target
	SkipReason string            // why, as given to bellhop.skip(reason), or a default sentence
	Headers    map[string]string // context.headers set by the script (webhooks only)
	Logs       []string          // console output, capped
	Version    int               // the script version that ran
	Duration   time.Duration
	// Failure says what stopped a failed run (TransformTimeout,
	// TransformMemoryLimit, TransformScriptError), as the Reason of the
	// run's EINVALID error does; "" when it did not fail.
	Failure string
}

// What stopped a failed transform run: a developer (and a metric) can tell
// a script that is too slow or too big from one with a bug, and the engine
// retries the first two (they are measured on the wall clock and on the
// process's allocations, which other tenants' load moves) but not a bug.
const (
	TransformTimeout     = "timeout"      // over the time limit
	TransformMemoryLimit = "memory_limit" // over the memory budget
	TransformScriptError = "script_error" // threw, overflowed its stack, returned what cannot be sent, or broke a size cap
)

// TransformRunner runs an account's transform scripts on events. The delivery
// engine calls it before every attempt to a target that names a script.
type TransformRunner interface {
	// RunTransform runs script scriptID (its latest version) of scope on ev.
	// A script that throws, times out or exceeds a limit returns an EINVALID
	// error whose message names the line and column; the delivery fails for
	// good (a script bug is fixed and replayed, not retried). The result of
	// such a run comes back with the error, carrying the script's console
	// output and version for the attempt log. Returns ENOTFOUND (and no
	// result) if the script does not exist.
	RunTransform(ctx context.Context, scope Scope, scriptID string, ev *Event, target Target, attempt int) (*TransformResult, error)
}

// Script is a JavaScript transform of an account. Every update makes a new
// version and keeps the old ones, so that a delivery can name the exact code
// it ran long after the script changed.
type Script struct {
	ID          string    `json:"id"` // scr_…
	Object      string    `json:"object"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Source      string    `json:"source"`
	Version     int       `json:"version"` // 1 for the first save, +1 for each update
	Livemode    bool      `json:"livemode"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"` // when this version was saved
}

// ScriptUpdate changes a script; nil fields keep their value. Any update makes
// a new version, even one that changes only the name.
type ScriptUpdate struct {
	Name        *string
	Description *string
	Source      *string
}

// ScriptStore keeps scripts and every version of each.
type ScriptStore interface {
	// CreateScript stores s as version 1, filling in ID, Version and times.
	CreateScript(ctx context.Context, scope Scope, s *Script) error
	// FindScript returns the latest version. Returns ENOTFOUND if it is not in scope.
	FindScript(ctx context.Context, scope Scope, id string) (*Script, error)
	// FindScriptVersion returns one version. Returns ENOTFOUND if either is unknown.
	FindScriptVersion(ctx context.Context, scope Scope, id string, version int) (*Script, error)
	// ListScriptVersions lists a script's versions, newest first (see ScriptService).
	ListScriptVersions(ctx context.Context, scope Scope, id string, page Page) (List[*Script], error)
	// ListScripts lists the latest versions, newest script first.
	ListScripts(ctx context.Context, scope Scope, page Page) (List[*Script], error)
	// UpdateScript saves a new version and returns it. Returns ENOTFOUND.
	UpdateScript(ctx context.Context, scope Scope, id string, upd ScriptUpdate) (*Script, error)
	// DeleteScript deletes the script and its versions. Returns ENOTFOUND,
	// and ECONFLICT listing the users while any target still uses it.
	DeleteScript(ctx context.Context, scope Scope, id string) error
}

// ScriptUsers records which targets use a script, so that a script in use is
// not deleted from under them. The endpoint and connection services call
// AttachScript when a target names a script and DetachScript when it stops
// (or the target is deleted); user is the target's id (whe_…, conn_…).
type ScriptUsers interface {
	AttachScript(ctx context.Context, scope Scope, scriptID, user string) error
	DetachScript(ctx context.Context, scope Scope, scriptID, user string) error
	// ScriptUsers lists the ids of the targets that use the script, sorted.
	ScriptUsers(ctx context.Context, scope Scope, scriptID string) ([]string, error)
}

// ScriptTest asks for a dry run of a script: the saved script ScriptID (its
// latest version) or unsaved Source, on Event or else on the sample of
// EventType, for Target. Nothing is delivered.
type ScriptTest struct {
	ScriptID  string
	Source    string
	Event     *Event
	EventType string
	Target    Target
}

// ScriptTestResult is what a dry run produced. A script error is a result
// too (Error set), not a failed request: the author wants to read it.
type ScriptTestResult struct {
	Object     string            `json:"object"` // "script_test"
	Output     json.RawMessage   `json:"output"` // null when skipped or failed
	Skipped    bool              `json:"skipped"`
	SkipReason string            `json:"skip_reason,omitempty"`
	Headers    map[string]string `json:"headers"`
	Logs       []string          `json:"logs"`
	DurationMS float64           `json:"duration_ms"`
	Error      *string           `json:"error"`                // the message with line and column, or null
	ErrorKind  string            `json:"error_kind,omitempty"` // "timeout", "memory_limit" or "script_error" when Error is set
	Version    int               `json:"version,omitempty"`
	Event      *Event            `json:"event"` // the event the script ran on
}

// ScriptService is what the API serves for /v1/scripts: storage with the
// source checked on every save, and dry runs.
type ScriptService interface {
	// CreateScript compiles and stores a script. Returns EINVALID naming the
	// param at fault; a syntax error names param source, line and column.
	CreateScript(ctx context.Context, scope Scope, s *Script) error
	FindScript(ctx context.Context, scope Scope, id string) (*Script, error)
	ListScripts(ctx context.Context, scope Scope, page Page) (List[*Script], error)
	// FindScriptVersion returns one saved version of a script (versions run
	// from 1 to the latest's Version), for the console's diff. Returns
	// ENOTFOUND if either is unknown.
	FindScriptVersion(ctx context.Context, scope Scope, id string, version int) (*Script, error)
	// ListScriptVersions lists a script's saved versions, newest first; the
	// page's cursors are version numbers. Returns ENOTFOUND for an unknown
	// script and EINVALID for a cursor that is not one of its versions.
	ListScriptVersions(ctx context.Context, scope Scope, id string, page Page) (List[*Script], error)
	// UpdateScript saves a new version. Returns ENOTFOUND and EINVALID.
	UpdateScript(ctx context.Context, scope Scope, id string, upd ScriptUpdate) (*Script, error)
	// DeleteScript returns ECONFLICT listing the targets that use the script.
	DeleteScript(ctx context.Context, scope Scope, id string) error
	// TestScript runs a script without delivering anything. Returns
	// ENOTFOUND for an unknown script or event type and EINVALID for a bad
	// request or a source that does not compile.
	TestScript(ctx context.Context, scope Scope, t ScriptTest) (*ScriptTestResult, error)
}
