package connectors

import (
	"strings"

	"github.com/bellhop/bellhop/plugins"
)

// Redacted replaces a secret wherever one would have appeared.
const Redacted = "[redacted]"

// SecretValues returns the values of config's secret fields, the strings
// that must never appear in a Summary, an error or a log line.
func SecretValues(fields []plugins.Field, config plugins.Config) []string {
	var out []string
	for _, f := range fields {
		if !f.Secret {
			continue
		}
		if s, ok := config[f.Name].(string); ok && s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Redact replaces every secret in text with Redacted. Connectors pass remote
// error text and transport errors through it because those can echo a URL or
// a request that carries a credential (a Slack webhook URL is its own secret).
func Redact(text string, secrets ...string) string {
	for _, s := range secrets {
		if len(s) >= 4 {
			text = strings.ReplaceAll(text, s, Redacted)
		}
	}
	return text
}
