package delivery

import (
	"context"

	"github.com/bellhop/bellhop/core"
)

// scriptUsers is the part of core.ScriptUsers that the target services
// write: they record which targets name a script, and never list them.
type scriptUsers interface {
	AttachScript(ctx context.Context, scope core.Scope, scriptID, user string) error
	DetachScript(ctx context.Context, scope core.Scope, scriptID, user string) error
}

// attachScript keeps the script-users record in step when target id starts
// or stops naming a transform script, so that a script in use cannot be
// deleted from under its users. Returns EINVALID (param
// transform_script_id) for a script that is not in scope.
func attachScript(ctx context.Context, store scriptUsers, scope core.Scope, id, old, new string) error {
	if old == new {
		return nil
	}
	if new != "" {
		err := store.AttachScript(ctx, scope, new, id)
		if core.ErrorCode(err) == core.ENOTFOUND {
			return core.ParamError("transform_script_id", "No such script: '%s'.", new)
		} else if err != nil {
			return err
		}
	}
	if old != "" {
		return store.DetachScript(ctx, scope, old, id)
	}
	return nil
}
