package hubspot

import (
	"strings"

	"github.com/bellhop/bellhop/connectors"
	"github.com/bellhop/bellhop/plugins"
)

const defaultAPIURL = "https://api.hubapi.com"

// Fields is the HubSpot connector's configuration form, in order.
func Fields() []plugins.Field {
	return []plugins.Field{
		{Name: "token", Title: "Private app access token", Type: "string", Required: true, Secret: true,
			Help: "A private app's access token (pat-…) with the scopes crm.objects.contacts.write and crm.objects.contacts.read: in HubSpot, Development › Legacy apps › your app › Auth › Show token. HubSpot no longer lets you create private apps; a service key (Development › Keys › Service keys) with the same scopes replaces them."},
		connectors.APIBaseURLField(defaultAPIURL),
	}
}

type config struct {
	token  string
	apiURL string
}

func parseConfig(raw plugins.Config) config {
	c := config{token: connectors.String(raw, "token"), apiURL: connectors.String(raw, "api_base_url")}
	if c.apiURL == "" {
		c.apiURL = defaultAPIURL
	}
	c.apiURL = strings.TrimSuffix(c.apiURL, "/")
	return c
}

// problems returns the field errors of a configuration (plugins.ValidateFields
// covers all HubSpot needs), quoting no secret.
func problems(raw plugins.Config) []plugins.FieldError {
	return plugins.ValidateFields(Fields(), raw)
}
