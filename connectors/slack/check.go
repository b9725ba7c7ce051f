package slack

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/slack-go/slack"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/plugins"
)

// Check proves the token works (auth.test) and can post (chat:write among
// the scopes Slack reports for it), then, for a channel id, that the
// channel exists and the app is in it (conversations.info). Returns
// EINVALID when Slack refuses the configuration or the token lacks
// chat:write, and EUNAVAILABLE when Slack cannot be reached or answers with
// a temporary error.
//
// What was not checked is said in the result's Message, never passed off
// as checked: a channel given by #name (conversations.info takes ids only),
// or any channel when the token lacks channels:read (or groups:read, for a
// private one), which delivering does not need.
//
// An incoming webhook is checked for form only and the result says so:
// Slack has no way to test one but to post a message to the channel.
func (c *Connector) Check(ctx context.Context, raw plugins.Config) (plugins.CheckResult, error) {
	if fes := problems(raw); len(fes) > 0 {
		return plugins.CheckResult{}, core.ParamError(fes[0].Field, "%s", fes[0].Message)
	}
	cfg := parseConfig(raw)
	if cfg.webhookURL != "" {
		return plugins.CheckResult{NotContacted: true, Message: "The webhook URL was checked for form but not contacted: " +
			"Slack cannot test an incoming webhook without posting a message. Send a test event to see it in the channel."}, nil
	}
	return c.checkToken(ctx, cfg)
}

// checkToken is Check for a bot token: auth.test, then conversations.info.
func (c *Connector) checkToken(ctx context.Context, cfg config) (plugins.CheckResult, error) {
	api := c.api(ctx, cfg)
	auth, err := api.AuthTestContext(ctx)
	if err != nil {
		return plugins.CheckResult{}, checkError(err, cfg, "token")
	}
	granted, known := grantedScopes(auth.Header)
	if known && !slices.Contains(granted, scopeWrite) {
		return plugins.CheckResult{}, core.ParamError("token", "Slack cannot post with this token: %s",
			missingScope(scopeWrite, strings.Join(granted, ",")))
	}
	if !isChannelID(cfg.channel) {
		return plugins.CheckResult{Message: "The token works. The channel " + cfg.channel + " was not checked: " +
			"Slack looks a channel up by its id (C…) only. Send a test event to see it in the channel."}, nil
	}
	ch, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: cfg.channel})
	var apiErr slack.SlackErrorResponse
	if errors.As(err, &apiErr) && apiErr.Err == "missing_scope" {
		return plugins.CheckResult{Message: "The token works and can post. The channel was not checked: " +
			missingScope(apiErr.Needed, apiErr.Provided) + ". Until then, send a test event to see it in the channel."}, nil
	}
	if errors.As(err, &apiErr) && apiErr.Err == "channel_not_found" && known && !slices.Contains(granted, scopePrivate) {
		// Slack's reference does not say whether a private channel looked up
		// without groups:read is missing_scope or channel_not_found; for the
		// second, say what else it can mean.
		return plugins.CheckResult{}, core.ParamError("channel", "Slack answered channel_not_found: the channel does not exist, "+
			"or it is private and the app is not in it or lacks the %s scope", scopePrivate)
	}
	if err != nil {
		return plugins.CheckResult{}, checkError(err, cfg, "channel")
	}
	if !ch.IsMember {
		return plugins.CheckResult{}, core.ParamError("channel", "the app is not in #%s: invite it with /invite", ch.Name)
	}
	return plugins.CheckResult{}, nil
}

// grantedScopes reads the token's scopes from the X-OAuth-Scopes header
// Slack sends with every Web API answer (it is not in Slack's OpenAPI spec;
// slack-go documents reading it). known is false when the header is absent,
// as behind a proxy that drops it: then nothing is concluded from it.
func grantedScopes(h http.Header) (scopes []string, known bool) {
	v, ok := h[http.CanonicalHeaderKey("X-OAuth-Scopes")]
	if !ok || len(v) == 0 {
		return nil, false
	}
	for _, s := range strings.Split(v[0], ",") {
		if s = strings.TrimSpace(s); s != "" {
			scopes = append(scopes, s)
		}
	}
	return scopes, true
}

// Options lists the channels the token can see, for the channel field:
// public and private ones, or public ones only when the token has
// channels:read but not groups:read. Returns EINVALID for another field,
// without a token, or naming the scope Slack said is missing.
func (c *Connector) Options(ctx context.Context, raw plugins.Config, field string) ([]plugins.Option, error) {
	cfg := parseConfig(raw)
	if field != "channel" {
		return nil, core.ParamError("field", "the Slack connector has no choices for %q", field)
	}
	if cfg.token == "" {
		return nil, core.ParamError("token", "a bot token is needed to list channels")
	}
	types := []string{"public_channel", "private_channel"}
	out, err := c.channels(ctx, cfg, types)
	var api slack.SlackErrorResponse
	if errors.As(err, &api) && api.Err == "missing_scope" && api.Needed == scopePrivate {
		out, err = c.channels(ctx, cfg, types[:1])
	}
	if errors.As(err, &api) && api.Err == "missing_scope" {
		return nil, core.ParamError("token", "Slack cannot list the channels: %s", missingScope(api.Needed, api.Provided))
	}
	if err != nil {
		return nil, checkError(err, cfg, "token")
	}
	return out, nil
}

// channels walks conversations.list page by page (next_cursor), up to
// maxChannelPages pages.
func (c *Connector) channels(ctx context.Context, cfg config, types []string) ([]plugins.Option, error) {
	params := &slack.GetConversationsParameters{Types: types, ExcludeArchived: true, Limit: channelPage}
	var out []plugins.Option
	for page := 0; page < maxChannelPages; page++ {
		chans, next, err := c.api(ctx, cfg).GetConversationsContext(ctx, params)
		if err != nil {
			return nil, err
		}
		for _, ch := range chans {
			out = append(out, plugins.Option{Value: ch.ID, Label: "#" + ch.Name})
		}
		if next == "" {
			break
		}
		params.Cursor = next
	}
	return out, nil
}

// channelPage is the page size Slack's docs recommend for conversations.list
// ("no more than 200 results at a time"); maxChannelPages bounds a picker at
// 2,000 channels, so that a huge workspace cannot hold a form for minutes
// under conversations.list's rate limit (Tier 2, about 20 calls a minute).
const (
	channelPage     = 200
	maxChannelPages = 10
)

func isChannelID(s string) bool {
	if len(s) < 2 || (s[0] != 'C' && s[0] != 'G') {
		return false
	}
	for _, r := range s[1:] {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}
