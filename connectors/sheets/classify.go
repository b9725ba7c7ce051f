package sheets

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"cloud.google.com/go/auth"
	"google.golang.org/api/googleapi"

	"github.com/bellhop/bellhop/connectors"
	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/plugins"
)

// classify turns an error of the Sheets client into a Result.
func classify(err error, cfg config) plugins.Result {
	var ge *googleapi.Error
	var ae *auth.Error
	if res, ok := connectors.Blocked(err); ok {
		return res
	}
	switch {
	case errors.As(err, &ge):
		summary := fmt.Sprintf("Google Sheets answered HTTP %d: %s", ge.Code, truncate(ge.Message, 200))
		switch ge.Code {
		case http.StatusForbidden:
			summary += "; share the spreadsheet with " + cfg.clientEmail + " as an editor"
		case http.StatusNotFound:
			summary += "; check the spreadsheet id"
		}
		summary = connectors.Redact(summary, cfg.secrets()...)
		if connectors.OutcomeForStatus(ge.Code) == plugins.Retry {
			return connectors.RetryLater(connectors.RetryAfter(ge.Header, time.Now()), summary)
		}
		return connectors.Fail(summary)
	case errors.As(err, &ae) && ae.Response != nil && connectors.OutcomeForStatus(ae.Response.StatusCode) == plugins.Failed:
		return connectors.Fail(fmt.Sprintf("Google refused the service account key (HTTP %d): create a new key and paste it", ae.Response.StatusCode))
	default:
		return connectors.RetryLater(0, "Google Sheets could not be reached: "+transportText(err, cfg))
	}
}

// checkError turns a client error from Check or Options into a core error
// naming the field at fault.
func checkError(err error, cfg config) error {
	res := classify(err, cfg)
	if res.Outcome != plugins.Failed {
		return core.Errorf(core.EUNAVAILABLE, "%s", res.Summary)
	}
	field := "credentials_json"
	var ge *googleapi.Error
	if _, blocked := connectors.Blocked(err); blocked && cfg.apiURL != defaultAPIURL {
		field = "api_base_url" // else it was the key file's token_uri
	} else if errors.As(err, &ge) && (ge.Code == http.StatusNotFound || ge.Code == http.StatusForbidden) {
		field = "spreadsheet_id"
	}
	return core.ParamError(field, "%s", res.Summary)
}

func transportText(err error, cfg config) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return truncate(connectors.Redact(err.Error(), cfg.secrets()...), 300)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
