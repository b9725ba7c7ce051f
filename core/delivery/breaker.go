package delivery

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
)

// checkBreaker disables a target whose recent record trips either rule: too
// many failed attempts in a row, or too many 5xx answers over 5 minutes
// (counted only from a minimum sample).
func (e *Engine) checkBreaker(ctx context.Context, scope core.Scope, t core.Target, sender Sender, h redisstore.Health) {
	reason := breakerReason(h, e.opts.BreakerConsecutive, e.opts.BreakerMinSample, e.opts.BreakerRatio)
	if reason == "" {
		return
	}
	if err := sender.Disable(ctx, scope, t.ID, reason); err != nil {
		e.opts.Logger.Warn("disable target", "target", t.ID, "err", err)
		return
	}
	rule := BreakerErrorRatio
	if h.Consecutive >= e.opts.BreakerConsecutive {
		rule = BreakerConsecutive
	}
	e.opts.Observer.BreakerTripped(t.Kind, rule)
}

// breakerReason returns why h trips the breaker, or "".
func breakerReason(h redisstore.Health, consecutive, minSample int, ratio float64) string {
	switch {
	case h.Consecutive >= consecutive:
		return fmt.Sprintf("%d consecutive failed delivery attempts", h.Consecutive)
	case h.Window >= minSample && float64(h.Window5xx) > ratio*float64(h.Window):
		return fmt.Sprintf("%d of %d delivery attempts over the last 5 minutes answered 5xx", h.Window5xx, h.Window)
	}
	return ""
}

// publishOperational publishes an operational event (endpoint.disabled,
// connection.disabled) to the account, as a normal event its own
// subscribers may receive; each kind's Sender says what its event holds.
func (e *Engine) publishOperational(ctx context.Context, scope core.Scope, typ, target string, object map[string]any) {
	if e.opts.Events == nil {
		return
	}
	obj, err := json.Marshal(object)
	if err != nil {
		return
	}
	if _, _, err := e.opts.Events.PublishEvent(ctx, scope, core.EventInput{Type: typ, Object: obj}); err != nil {
		e.opts.Logger.Warn("publish "+typ, "target", target, "err", err)
	}
}

// alert hands a to the Alerter, which queues it and returns at once.
func (e *Engine) alert(ctx context.Context, scope core.Scope, a core.Alert) {
	if e.opts.Alerts != nil {
		e.opts.Alerts.Alert(ctx, scope, a)
	}
}

// markDisabled keeps the store's index of disabled targets by cause
// (redisstore.DisabledByBreaker or DisabledByRequest; "" once enabled or
// deleted), which only the bellhop_targets_disabled gauge reads: a failure
// is logged, not returned.
func (e *Engine) markDisabled(ctx context.Context, scope core.Scope, kind, id, cause string) {
	if err := e.opts.Store.MarkTargetDisabled(ctx, scope, kind, id, cause); err != nil {
		e.opts.Logger.Warn("index disabled target", "account", scope.AccountID, "target", id, "err", err)
	}
}

// breakerReasons matches the reasons breakerReason writes.
var breakerReasons = regexp.MustCompile(`^\d+ consecutive failed delivery attempts$|^\d+ of \d+ delivery attempts over the last 5 minutes answered 5xx$`)

// DisabledCause tells from a disabled target's stored reason what disabled
// it (redisstore.DisabledByBreaker or DisabledByRequest), for indexing the
// targets a release before the index disabled
// (redisstore.IndexDisabledTargets).
func DisabledCause(reason string) string {
	if breakerReasons.MatchString(reason) {
		return redisstore.DisabledByBreaker
	}
	return redisstore.DisabledByRequest
}
