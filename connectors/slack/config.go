package slack

import (
	"strings"

	"github.com/bellhop/bellhop/connectors"
	"github.com/bellhop/bellhop/plugins"
)

const defaultAPIURL = "https://slack.com/api/"

// The Bot Token Scopes the connector uses. Only chat:write is required: a
// token without the read scopes still delivers, and Check says what it
// could not check.
const (
	scopeWrite   = "chat:write"    // chat.postMessage
	scopeRead    = "channels:read" // conversations.info and .list, public channels
	scopePrivate = "groups:read"   // the same, private channels
)

// scopesHelp is how the form and the errors tell an operator where scopes
// are granted, in the words of Slack's app settings.
const scopesHelp = "In your app's settings, under OAuth & Permissions → Bot Token Scopes, add " +
	scopeWrite + " (to post), " + scopeRead + " (to check the channel and list channels) and " +
	scopePrivate + " (the same for private channels), then reinstall the app to your workspace."

// Fields is the Slack connector's configuration form, in order.
func Fields() []plugins.Field {
	return []plugins.Field{
		{Name: "token", Title: "Bot token", Type: "string", Secret: true,
			Help: "The Bot User OAuth Token (xoxb-…) of your Slack app. " + scopesHelp + " Leave empty to use a webhook URL instead."},
		{Name: "channel", Title: "Channel", Type: "string", Options: true,
			Help: "The channel id (C…) or #name to post to. Invite the app to it with /invite."},
		{Name: "webhook_url", Title: "Incoming webhook URL", Type: "string", Format: "uri", Secret: true,
			Help: "Instead of a token: an incoming-webhook URL (https://hooks.slack.com/services/…). It posts to the channel chosen when it was created."},
		connectors.APIBaseURLField(defaultAPIURL),
	}
}

// config is a parsed configuration.
type config struct {
	token      string
	channel    string
	webhookURL string
	apiURL     string
}

// secrets are the values Redact must hide.
func (c config) secrets() []string { return []string{c.token, c.webhookURL} }

func parseConfig(raw plugins.Config) config {
	c := config{
		token:      connectors.String(raw, "token"),
		channel:    connectors.String(raw, "channel"),
		webhookURL: connectors.String(raw, "webhook_url"),
		apiURL:     connectors.String(raw, "api_base_url"),
	}
	if c.apiURL == "" {
		c.apiURL = defaultAPIURL
	} else if !strings.HasSuffix(c.apiURL, "/") {
		c.apiURL += "/"
	}
	return c
}

// problems returns the field errors of a configuration: the generic checks of
// plugins.ValidateFields, then Slack's own. The messages never quote a
// secret value.
func problems(raw plugins.Config) []plugins.FieldError {
	fes := plugins.ValidateFields(Fields(), raw)
	if len(fes) > 0 {
		return fes
	}
	c := parseConfig(raw)
	add := func(field, msg string) { fes = append(fes, plugins.FieldError{Field: field, Message: msg}) }
	switch {
	case c.token == "" && c.webhookURL == "":
		add("token", "a bot token or a webhook URL is required")
	case c.token != "" && c.webhookURL != "":
		add("webhook_url", "give a bot token or a webhook URL, not both")
	case c.token != "" && !strings.HasPrefix(c.token, "xoxb-"):
		add("token", "must be a bot token, starting with xoxb-")
	case c.token != "" && c.channel == "":
		add("channel", "a channel is required with a bot token")
	}
	return fes
}
