package sheetsfake

import (
	"fmt"
	"net/http"
	"strconv"
)

// projectNumber is the fake service account's Cloud project, as Google's
// messages name it.
const projectNumber = "100000000001"

// googleError is Google's error body: {"error":{"code","message","status",
// "details"}}, the shape of Google's API design guide (google.rpc.Status)
// and of the answers r-lib/gargle recorded from sheets.googleapis.com
// (tests/testthat/_snaps/response_process.md).
type googleError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Status  string `json:"status"`
	Details []any  `json:"details,omitempty"`
}

// writeError answers in Google's error shape.
func writeError(w http.ResponseWriter, e googleError) {
	writeJSON(w, e.Code, map[string]any{"error": e})
}

// errorFor is the answer Google gives for a status code, with the details
// it attaches. reason picks a variant: "SERVICE_DISABLED" for a 403 from a
// project where the Sheets API is not enabled.
func errorFor(code int, reason string) googleError {
	switch {
	case code == http.StatusTooManyRequests:
		return quotaExceeded()
	case code == http.StatusForbidden && reason == "SERVICE_DISABLED":
		return serviceDisabled()
	case code == http.StatusForbidden:
		// gargle's recordings show no details on a plain permission refusal.
		return googleError{Code: code, Status: "PERMISSION_DENIED", Message: "The caller does not have permission"}
	case code == http.StatusNotFound:
		return googleError{Code: code, Status: "NOT_FOUND", Message: "Requested entity was not found."}
	case code == http.StatusBadRequest:
		return googleError{Code: code, Status: "INVALID_ARGUMENT", Message: "Request contains an invalid argument."}
	case code == http.StatusUnauthorized:
		return googleError{Code: code, Status: "UNAUTHENTICATED", Message: "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential."}
	case code == http.StatusServiceUnavailable:
		return googleError{Code: code, Status: "UNAVAILABLE", Message: "The service is currently unavailable."}
	default:
		return googleError{Code: code, Status: "INTERNAL", Message: "Internal error encountered."}
	}
}

// quotaExceeded is the 429 past the write quota, after gargle's recorded
// Sheets 429 (its read twin): RESOURCE_EXHAUSTED with an ErrorInfo whose
// reason is RATE_LIMIT_EXCEEDED and a Help link. The write metric's names
// (write_requests, WriteRequestsPerMinutePerUser) follow the read ones by
// analogy with Sheets' published quotas; they are an assumption. Google
// sends no Retry-After with it as far as the recordings show.
func quotaExceeded() googleError {
	return googleError{
		Code: http.StatusTooManyRequests, Status: "RESOURCE_EXHAUSTED",
		Message: "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute per user' of service 'sheets.googleapis.com' for consumer 'project_number:" + projectNumber + "'.",
		Details: []any{
			map[string]any{
				"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMIT_EXCEEDED", "domain": "googleapis.com",
				"metadata": map[string]string{
					"quota_location": "global", "quota_metric": "sheets.googleapis.com/write_requests",
					"quota_limit": "WriteRequestsPerMinutePerUser", "quota_limit_value": "60",
					"consumer": "projects/" + projectNumber, "service": "sheets.googleapis.com",
				},
			},
			map[string]any{
				"@type": "type.googleapis.com/google.rpc.Help",
				"links": []map[string]string{{"description": "Request a higher quota limit.", "url": "https://cloud.google.com/docs/quota#requesting_higher_quota"}},
			},
		},
	}
}

// serviceDisabled is the 403 for a project that has not enabled the Sheets
// API, after gargle's recording of it.
func serviceDisabled() googleError {
	url := "https://console.developers.google.com/apis/api/sheets.googleapis.com/overview?project=" + projectNumber
	return googleError{
		Code: http.StatusForbidden, Status: "PERMISSION_DENIED",
		Message: fmt.Sprintf("Google Sheets API has not been used in project %s before or it is disabled. Enable it by visiting %s then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.", projectNumber, url),
		Details: []any{
			map[string]any{
				"@type": "type.googleapis.com/google.rpc.Help",
				"links": []map[string]string{{"description": "Google developers console API activation", "url": url}},
			},
			map[string]any{
				"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "SERVICE_DISABLED", "domain": "googleapis.com",
				"metadata": map[string]string{"consumer": "projects/" + projectNumber, "service": "sheets.googleapis.com"},
			},
		},
	}
}

// badRange is the 400 for a range naming no tab, as gargle recorded it
// ("Unable to parse range: NOPE!A5:F15"), without details.
func badRange(rng string) googleError {
	return googleError{Code: http.StatusBadRequest, Status: "INVALID_ARGUMENT", Message: "Unable to parse range: " + rng}
}

// invalidArgument is a 400 with a BadRequest detail naming the field, the
// shape gargle recorded for a bad field mask.
func invalidArgument(field, description string) googleError {
	return googleError{
		Code: http.StatusBadRequest, Status: "INVALID_ARGUMENT", Message: description,
		Details: []any{map[string]any{
			"@type":           "type.googleapis.com/google.rpc.BadRequest",
			"fieldViolations": []map[string]string{{"field": field, "description": description}},
		}},
	}
}

func (s *Server) popFailure(w http.ResponseWriter) bool {
	f, ok := s.failures.Pop(nil)
	if !ok {
		return false
	}
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
	}
	writeError(w, errorFor(f.Code, f.Reason))
	return true
}
