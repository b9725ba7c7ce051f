package hubspot_test

import (
	"testing"

	"github.com/bellhop/bellhop/connectors/connectortest"
	"github.com/bellhop/bellhop/connectors/hubspot"
	"github.com/bellhop/bellhop/plugins"
)

// FuzzValidate runs the kit's config fuzzing on HubSpot's Validate, which
// is plugins.ValidateFields on its form: a token and an optional base URL.
func FuzzValidate(f *testing.F) {
	connectortest.FuzzValidate(f, hubspot.New(nil),
		plugins.Config{"token": "pat-na1-abcdefgh", "api_base_url": "https://api.hubapi.com"},
		plugins.Config{"token": "pat-na1-abcdefgh", "api_base_url": "not a url"},
		plugins.Config{"token": " "},
		plugins.Config{"token": true},
	)
}
