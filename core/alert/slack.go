package alert

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"

	"github.com/bellhop/bellhop/core"
)

// slack posts a to the scope's Slack alert channel, if it has one, and
// says what became of it, for the console.
func (n *Notifier) slack(ctx context.Context, scope core.Scope, a *core.Alert, log *slog.Logger) string {
	if n.opts.Slack == nil || n.opts.Poster == nil {
		return ""
	}
	dest, err := n.opts.Slack.AlertSlack(ctx, scope)
	if err != nil {
		log.Warn("alert not posted to Slack: read the setting", "err", err)
		return "Not posted to Slack: the setting could not be read."
	} else if dest == nil {
		return ""
	}
	input := slackInput(n.opts.PublicURL, scope, a, dest.Channel)
	err = n.retry(ctx, "slack", log, func() error { return n.opts.Poster.Post(ctx, scope, dest.ConnectionID, input) })
	if err != nil {
		log.Error("alert not posted to Slack", "connection", dest.ConnectionID, "reason", a.Reason, "err", core.ErrorMessage(err))
		return fmt.Sprintf("Not posted to Slack: %s", core.ErrorMessage(err))
	}
	log.Info("alert posted to Slack", "connection", dest.ConnectionID)
	return "Posted to Slack, " + dest.Channel + "."
}

// slackInput is the Slack connector's input for a: one message, its first
// line what happened, then why and where to act.
func slackInput(publicURL string, scope core.Scope, a *core.Alert, channel string) json.RawMessage {
	kt := kindText[a.Kind]
	name := oneLine(a.Name)
	if name == "" {
		name = a.Subject()
	}
	var b strings.Builder
	fmt.Fprintf(&b, ":rotating_light: Bellhop: the %s %s (%s, %s mode) %s.\n", kt.noun, name, a.Subject(), scope.Mode(), kt.happened)
	fmt.Fprintf(&b, "Why: %s\n", a.Reason)
	if len(a.LastErrors) > 0 {
		fmt.Fprintf(&b, "Last error: %s\n", a.LastErrors[0])
	}
	fmt.Fprintf(&b, "%s: %s", kt.action, publicURL+consolePath(a))
	in, _ := json.Marshal(map[string]string{"text": b.String(), "channel": channel})
	return in
}
