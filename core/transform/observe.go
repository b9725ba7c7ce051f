package transform

import (
	"time"

	"github.com/bellhop/bellhop/core"
)

// Observer hears of every run, for an operator's metrics (the hub wires
// core/prom's). It is called once per run, on the delivery path: an
// implementation must be cheap and must not block.
type Observer interface {
	// TransformRan reports one run that took took and ended in result:
	// RunOK, RunSkipped, one of the failure kinds (core.TransformTimeout,
	// core.TransformMemoryLimit, core.TransformScriptError) or RunCanceled.
	TransformRan(result string, took time.Duration)
}

// The results of a run an Observer hears of, beside the failure kinds.
const (
	RunOK       = "ok"       // returned a payload
	RunSkipped  = "skipped"  // returned null: the event is not sent
	RunCanceled = "canceled" // the caller's context ended: not the script's fault
)

// runResult names how a run ended, for the Observer.
func runResult(res *core.TransformResult, err error) string {
	switch {
	case err == nil && res.Skip:
		return RunSkipped
	case err == nil:
		return RunOK
	case core.ErrorCode(err) == core.EINVALID && core.ErrorReason(err) != "":
		return core.ErrorReason(err)
	}
	return RunCanceled
}

// nopObserver is the Observer of an engine given none.
type nopObserver struct{}

func (nopObserver) TransformRan(string, time.Duration) {}
