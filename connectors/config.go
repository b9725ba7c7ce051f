package connectors

import (
	"strings"

	"github.com/bellhop/bellhop/plugins"
)

// String returns config[name] as a trimmed string, "" when it is absent or
// not a string; Validate reports wrong types, so Deliver need not.
func String(config plugins.Config, name string) string {
	s, _ := config[name].(string)
	return strings.TrimSpace(s)
}

// APIBaseURLField is the optional advanced field every prebuilt connector
// has, so that a proxy, a regional host or a test fake can stand in for the
// real API.
func APIBaseURLField(def string) plugins.Field {
	return plugins.Field{
		Name:     "api_base_url",
		Title:    "API base URL",
		Help:     "Leave empty to use " + def + ". Set it to go through a proxy or a regional host.",
		Type:     "string",
		Format:   "uri",
		Advanced: true,
	}
}
