package transform

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/catalog"
)

// MaxSourceBytes bounds a script's source.
const MaxSourceBytes = 64 << 10

// Service is the core.ScriptService the API serves: it checks names and
// compiles every source before the store keeps it, and runs dry runs.
type Service struct {
	store  core.ScriptStore
	runner *Runner
	types  core.EventTypeService
}

var _ core.ScriptService = (*Service)(nil)

// NewService returns a Service storing in store, running on runner, and
// taking sample events from types.
func NewService(store core.ScriptStore, runner *Runner, types core.EventTypeService) *Service {
	return &Service{store: store, runner: runner, types: types}
}

// CreateScript checks and compiles sc, then stores it as version 1, so a
// script that cannot run is refused when it is saved, not at its first
// delivery. Returns EINVALID naming the field (name, description, source;
// a syntax error with its line and column).
func (s *Service) CreateScript(ctx context.Context, scope core.Scope, sc *core.Script) error {
	if err := checkScript(sc.Name, sc.Description, sc.Source); err != nil {
		return err
	}
	return s.store.CreateScript(ctx, scope, sc)
}

// FindScript returns the latest version. Returns ENOTFOUND.
func (s *Service) FindScript(ctx context.Context, scope core.Scope, id string) (*core.Script, error) {
	return s.store.FindScript(ctx, scope, id)
}

// ListScripts lists scripts newest first. Returns EINVALID for a page
// cursor that names no script.
func (s *Service) ListScripts(ctx context.Context, scope core.Scope, page core.Page) (core.List[*core.Script], error) {
	return s.store.ListScripts(ctx, scope, page)
}

// FindScriptVersion returns one saved version. Returns ENOTFOUND.
func (s *Service) FindScriptVersion(ctx context.Context, scope core.Scope, id string, version int) (*core.Script, error) {
	return s.store.FindScriptVersion(ctx, scope, id, version)
}

// ListScriptVersions lists a script's saved versions, newest first.
// Returns ENOTFOUND, or EINVALID for a cursor that is not a version.
func (s *Service) ListScriptVersions(ctx context.Context, scope core.Scope, id string, page core.Page) (core.List[*core.Script], error) {
	return s.store.ListScriptVersions(ctx, scope, id, page)
}

// UpdateScript checks the script as it would be after the change, then
// saves it as a new version, so the saved versions all compile. Returns
// ENOTFOUND, or EINVALID naming the field at fault.
func (s *Service) UpdateScript(ctx context.Context, scope core.Scope, id string, upd core.ScriptUpdate) (*core.Script, error) {
	cur, err := s.store.FindScript(ctx, scope, id)
	if err != nil {
		return nil, err
	}
	name, desc, src := cur.Name, cur.Description, cur.Source
	if upd.Name != nil {
		name = *upd.Name
	}
	if upd.Description != nil {
		desc = *upd.Description
	}
	if upd.Source != nil {
		src = *upd.Source
	}
	if err := checkScript(name, desc, src); err != nil {
		return nil, err
	}
	return s.store.UpdateScript(ctx, scope, id, upd)
}

// DeleteScript deletes a script no target uses. Returns ENOTFOUND or ECONFLICT.
func (s *Service) DeleteScript(ctx context.Context, scope core.Scope, id string) error {
	return s.store.DeleteScript(ctx, scope, id)
}

func checkScript(name, desc, src string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return core.ParamError("name", "A script needs a name.")
	case utf8.RuneCountInString(name) > 100:
		return core.ParamError("name", "The name is over 100 characters.")
	case utf8.RuneCountInString(desc) > 1000:
		return core.ParamError("description", "The description is over 1000 characters.")
	case strings.TrimSpace(src) == "":
		return core.ParamError("source", "A script needs source defining function transform(event, context).")
	case len(src) > MaxSourceBytes:
		return core.ParamError("source", "The source is %d bytes, over the limit of %d.", len(src), MaxSourceBytes)
	}
	_, err := Compile("script.js", src)
	return err
}

// TestScript runs a saved script or unsaved source on an event or a type's
// sample. A script's own error (a throw, a timeout) comes back in the
// result, not as an error, since that is what the author is testing.
// Returns ENOTFOUND for an unknown script, and EINVALID for missing or
// oversized source, a syntax error, or an event or event_type it cannot use.
func (s *Service) TestScript(ctx context.Context, scope core.Scope, t core.ScriptTest) (*core.ScriptTestResult, error) {
	p, version, err := s.testProgram(ctx, scope, t)
	if err != nil {
		return nil, err
	}
	ev, err := s.testEvent(ctx, scope, t)
	if err != nil {
		return nil, err
	}
	if t.Target.Kind == "" {
		t.Target.Kind = core.TargetEndpoint
	}
	res, runErr := s.runner.Engine().Run(ctx, p, Input{Event: ev, Target: t.Target, Attempt: 1})
	if runErr != nil && core.ErrorCode(runErr) != core.EINVALID {
		return nil, runErr
	}
	out := &core.ScriptTestResult{Object: "script_test", Version: version, Event: ev, Logs: []string{}, Headers: map[string]string{}}
	if res != nil {
		out.Logs = append(out.Logs, res.Logs...)
		out.DurationMS = float64(res.Duration.Microseconds()) / 1000
	}
	if runErr != nil {
		msg := core.ErrorMessage(runErr)
		out.Error, out.ErrorKind = &msg, core.ErrorReason(runErr)
		return out, nil
	}
	out.Output, out.Skipped, out.SkipReason = res.Output, res.Skip, res.SkipReason
	for k, v := range res.Headers {
		out.Headers[k] = v
	}
	return out, nil
}

func (s *Service) testProgram(ctx context.Context, scope core.Scope, t core.ScriptTest) (*Program, int, error) {
	if t.ScriptID != "" {
		sc, err := s.store.FindScript(ctx, scope, t.ScriptID)
		if err != nil {
			return nil, 0, err
		}
		p, err := s.runner.Program(scope, sc)
		return p, sc.Version, err
	}
	if strings.TrimSpace(t.Source) == "" {
		return nil, 0, core.ParamError("source", "Give the source to test.")
	}
	if len(t.Source) > MaxSourceBytes {
		return nil, 0, core.ParamError("source", "The source is %d bytes, over the limit of %d.", len(t.Source), MaxSourceBytes)
	}
	p, err := Compile("script.js", t.Source)
	return p, 0, err
}

func (s *Service) testEvent(ctx context.Context, scope core.Scope, t core.ScriptTest) (*core.Event, error) {
	if t.Event != nil {
		ev := *t.Event
		if ev.Type == "" {
			return nil, core.ParamError("event.type", "The event needs a type.")
		}
		if ev.ID == "" {
			ev.ID = "evt_test"
		}
		if ev.APIVersion == "" {
			ev.APIVersion = core.APIVersion
		}
		if ev.CreatedAt.IsZero() {
			ev.CreatedAt = time.Now().UTC().Truncate(time.Second)
		}
		ev.Livemode = scope.Livemode
		return &ev, nil
	}
	if t.EventType == "" {
		return nil, core.ParamError("event_type", "Give an event or an event_type whose sample to use.")
	}
	et, err := s.types.FindEventType(ctx, scope, t.EventType)
	if core.ErrorCode(err) == core.ENOTFOUND {
		return nil, core.ParamError("event_type", "No such event type: '%s'", t.EventType)
	} else if err != nil {
		return nil, err
	}
	return catalog.SampleEvent(et, scope, time.Now()), nil
}
