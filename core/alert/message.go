package alert

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bellhop/bellhop/core"
)

// lastErrorsShown is how many of a target's newest failed attempts an
// alert quotes, and maxErrorText how much of each.
const (
	lastErrorsShown = 3
	maxErrorText    = 300
)

// lastErrors reads the target's newest failed attempts, newest first.
func (n *Notifier) lastErrors(ctx context.Context, scope core.Scope, a core.Alert) []string {
	if n.opts.Attempts == nil || a.Target.ID == "" || a.Kind == core.AlertBackfillFailed {
		return nil
	}
	list, err := n.opts.Attempts.ListDeliveries(ctx, scope, a.Target.ID, core.DeliveryFilter{Page: core.Page{Limit: 10}})
	if err != nil {
		return nil
	}
	var out []string
	for _, d := range list.Data {
		if len(out) == lastErrorsShown {
			break
		}
		full, err := n.opts.Attempts.FindDelivery(ctx, scope, d.ID)
		if err != nil || len(full.Attempts) == 0 {
			continue
		}
		last := full.Attempts[len(full.Attempts)-1]
		if last.Outcome == "succeeded" || last.Outcome == "skipped" {
			continue
		}
		out = append(out, describeAttempt(full, last))
	}
	return out
}

// describeAttempt is one line of the last errors: when, which delivery,
// and what came back.
func describeAttempt(d *core.Delivery, at *core.Attempt) string {
	what := at.Error
	if at.ResponseStatus != 0 {
		what = fmt.Sprintf("HTTP %d", at.ResponseStatus)
		if body := strings.Join(strings.Fields(at.ResponseBody), " "); body != "" {
			what += ": " + body
		}
	}
	if what == "" {
		what = d.Reason
	}
	if len(what) > maxErrorText {
		what = strings.ToValidUTF8(what[:maxErrorText], "") + "…"
	}
	return fmt.Sprintf("%s  %s (%s) attempt %d: %s", at.CreatedAt.UTC().Format(time.RFC3339), d.ID, d.EventType, at.Number, what)
}

// kindText is each kind's words: what to call the subject and what
// happened to it.
var kindText = map[string]struct{ noun, happened, action string }{
	core.AlertEndpointDisabled: {"webhook endpoint", "was disabled",
		"Deliveries to it wait, parked, and none is lost: they go out once it is re-enabled. Fix the receiver, then re-enable the endpoint"},
	core.AlertConnectionDisabled: {"connection", "was disabled",
		"Deliveries to it wait, parked, and none is lost: they go out once it is re-enabled. Fix the cause (credentials, the channel or sheet), then re-enable the connection"},
	core.AlertPluginFailed: {"connection", "cannot deliver: its connector plugin cannot be started",
		"Deliveries to it are retried on their schedule. Ask the hub's operator to check the plugin, then look at the connection"},
	core.AlertBackfillFailed: {"backfill", "failed",
		"Deliveries it queued before it failed go out as usual. Look at it, then start a new backfill for the rest of the window"},
}

// compose writes the email: what happened, why, the last errors, and where
// to act in the console.
// byOwners says the account names no developer contact, so its owners are
// told.
func compose(publicURL string, scope core.Scope, account *core.Account, a *core.Alert, to []string, byOwners bool, every time.Duration) (subject, body string) {
	kt := kindText[a.Kind]
	name := oneLine(a.Name)
	if name == "" {
		name = a.Subject()
	}
	subject = fmt.Sprintf("[Bellhop] %s %s %s", strings.ToUpper(kt.noun[:1])+kt.noun[1:], name, firstWords(kt.happened))
	if !scope.Livemode {
		subject += " (test mode)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "The %s %s (%s) of account %s (%s), %s mode, %s at %s.\n\n",
		kt.noun, name, a.Subject(), account.Name, account.ID, scope.Mode(), kt.happened, a.CreatedAt.UTC().Format(time.RFC3339))
	if a.Connector != "" {
		fmt.Fprintf(&b, "Connector: %s\n", a.Connector)
	}
	if a.BackfillID != "" && a.Target.ID != "" {
		fmt.Fprintf(&b, "Target: %s\n", a.Target.ID)
	}
	fmt.Fprintf(&b, "Why: %s\n\n", a.Reason)
	if len(a.LastErrors) > 0 {
		b.WriteString("Last errors, newest first:\n")
		for _, e := range a.LastErrors {
			fmt.Fprintf(&b, "  - %s\n", e)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%s in the console (in %s mode):\n  %s\n", kt.action, scope.Mode(), publicURL+consolePath(a))
	if api := enablePath(a); api != "" {
		fmt.Fprintf(&b, "or with the API (a %s key): POST %s\n", scope.Mode(), api)
	}
	b.WriteString("\n")
	who := "the developer contact"
	if byOwners {
		who = "an owner, as it names no developer contact,"
	}
	fmt.Fprintf(&b, "You get this email as %s of %s; an owner can name the developer contact in the console's settings. "+
		"Bellhop sends at most one email %s about the same %s.\n", who, account.Name, perEvery(every), kt.noun)
	return subject, b.String()
}

// oneLine keeps a name the account chose on one line, and short, in a
// subject.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "…"
	}
	return s
}

// firstWords shortens what happened for a subject line: up to a colon.
func firstWords(s string) string {
	before, _, _ := strings.Cut(s, ":")
	return before
}

// perEvery says how often: "an hour", else "every 30m0s".
func perEvery(d time.Duration) string {
	if d == time.Hour {
		return "an hour"
	}
	return "every " + d.String()
}

// enablePath is the API call that re-enables a's target, "" when a is not
// about a disabled target.
func enablePath(a *core.Alert) string {
	switch a.Kind {
	case core.AlertEndpointDisabled:
		return "/v1/webhook_endpoints/" + a.Target.ID + "/enable"
	case core.AlertConnectionDisabled:
		return "/v1/connections/" + a.Target.ID + "/enable"
	}
	return ""
}

// consolePath is the console page where a person acts on a.
func consolePath(a *core.Alert) string {
	switch {
	case a.BackfillID != "":
		return "/backfills/" + a.BackfillID
	case a.Target.Kind == core.TargetConnection:
		return "/connections/" + a.Target.ID
	default:
		return "/endpoints/" + a.Target.ID
	}
}
