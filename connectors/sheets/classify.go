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
		switch {
		case ge.Code == http.StatusForbidden && errorReason(ge) == "SERVICE_DISABLED":
			summary += "; enable the Google Sheets API in the service account's Google Cloud project (APIs & Services → Library → Google Sheets API → Enable)"
		case ge.Code == http.StatusForbidden:
			summary += "; share the spreadsheet with " + cfg.clientEmail + " as an editor"
		case ge.Code == http.StatusNotFound:
			summary += "; check the spreadsheet id"
		}
		summary = connectors.Redact(summary, cfg.secrets()...)
		return connectors.ForStatus(ge.Code, connectors.RetryAfter(ge.Header, time.Now()), summary)
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
	} else if errors.As(err, &ge) && (ge.Code == http.StatusNotFound || ge.Code == http.StatusForbidden) && errorReason(ge) != "SERVICE_DISABLED" {
		field = "spreadsheet_id" // else the key's project lacks the API
	}
	return core.ParamError(field, "%s", res.Summary)
}

// errorReason is the reason of the google.rpc.ErrorInfo among an error's
// details ("SERVICE_DISABLED", "RATE_LIMIT_EXCEEDED"), or "". Google's 403
// says both "not shared with you" and "the API is not enabled in your
// project"; only this tells them apart.
func errorReason(ge *googleapi.Error) string {
	for _, d := range ge.Details {
		m, ok := d.(map[string]any)
		if !ok || m["@type"] != "type.googleapis.com/google.rpc.ErrorInfo" {
			continue
		}
		if r, ok := m["reason"].(string); ok {
			return r
		}
	}
	return ""
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
