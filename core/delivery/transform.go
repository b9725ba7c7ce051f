package delivery

import (
	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/outbound"
)

// transformOutcome turns one transform run into the attempt's final Result
// when there is nothing to send: skipped when the script returned null,
// failed for good on a script error (a bug is fixed and the event replayed,
// not retried on a schedule), retried when the runner itself could not run
// and when the run hit its time limit or memory budget. Those two are
// measured on the wall clock and on the whole process's allocations, which
// other tenants' load moves: a neighbour must not fail a sound script for
// good. A script that truly loops fails after the schedule's attempts, at
// one time limit of CPU each.
// It returns nil when tr carries a body to send. Both webhook and connection
// deliveries go through it, so a script behaves the same for either target.
func transformOutcome(scriptID string, tr *core.TransformResult, err error) *Result {
	a := &core.Attempt{}
	stampScript(a, scriptID, tr)
	if err != nil {
		outcome := outbound.Retry
		if c := core.ErrorCode(err); (c == core.EINVALID || c == core.ENOTFOUND) && !limitHit(err) {
			outcome = outbound.Failed
		}
		a.Error = "transform: " + core.ErrorMessage(err)
		return &Result{Outcome: outcome, Reason: a.Error, FailCode: "transform", Attempt: a}
	}
	if tr.Skip {
		return &Result{Outcome: outbound.Skipped, Reason: tr.SkipReason, Attempt: a}
	}
	return nil
}

// stampScript records in the attempt log which script ran, its version and
// what it printed, so that a developer reading a delivery sees the code
// that shaped it.
func stampScript(a *core.Attempt, scriptID string, tr *core.TransformResult) {
	a.ScriptID = scriptID
	if tr != nil {
		a.ScriptVersion, a.Logs = tr.Version, tr.Logs
	}
}

// limitHit says whether a run was stopped by its time limit or memory
// budget rather than by the script's own error.
func limitHit(err error) bool {
	r := core.ErrorReason(err)
	return r == core.TransformTimeout || r == core.TransformMemoryLimit
}
