package bellhop

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Error is an error the API answered: every status outside 2xx becomes one.
// Test for it with errors.As:
//
//	var apiErr *bellhop.Error
//	if errors.As(err, &apiErr) && apiErr.Code == "resource_missing" { … }
type Error struct {
	// StatusCode is the HTTP status, e.g. 400, 404 or 429.
	StatusCode int
	// Type is the kind of error: invalid_request_error,
	// authentication_error, permission_error, rate_limit_error,
	// idempotency_error or api_error.
	Type string
	// Code is a machine-readable detail, e.g. resource_missing or
	// parameter_missing; empty when the type says it all.
	Code string
	// Message says what went wrong, for a person.
	Message string
	// Param names the request parameter at fault, e.g.
	// data.object.guest.email, limit or Idempotency-Key.
	Param string
	// DocURL is where the hub explains this error.
	DocURL string
	// RequestID is the id of the request (X-Request-Id), to quote when
	// asking for help: the hub's logs are searchable by it.
	RequestID string
}

// Error returns the status, type, code, message, param and request id in
// one line.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "bellhop: %d %s", e.StatusCode, e.Type)
	if e.Code != "" {
		fmt.Fprintf(&b, " (%s)", e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Param != "" {
		b.WriteString(" [param " + e.Param + "]")
	}
	if e.RequestID != "" {
		b.WriteString(" [request " + e.RequestID + "]")
	}
	return b.String()
}

// errorBody is the API's error response, the ErrorBody schema.
type errorBody struct {
	Error struct {
		Type      string `json:"type"`
		Code      string `json:"code"`
		Message   string `json:"message"`
		Param     string `json:"param"`
		DocURL    string `json:"doc_url"`
		RequestID string `json:"request_id"`
	} `json:"error"`
}

// ParseError returns the *Error of a response outside 2xx, given its body.
// A body that is not the API's error (a proxy's HTML page) still gives an
// *Error: of type api_error, with the status text as its message. The
// request id comes from the body, or X-Request-Id when the body has none.
func ParseError(resp *http.Response, body []byte) error {
	e := &Error{StatusCode: resp.StatusCode, RequestID: resp.Header.Get("X-Request-Id")}
	var b errorBody
	if err := json.Unmarshal(body, &b); err != nil || b.Error.Type == "" {
		e.Type = "api_error"
		e.Message = strings.TrimSpace(resp.Status + " " + snippet(body))
		return e
	}
	e.Type, e.Code, e.Message = b.Error.Type, b.Error.Code, b.Error.Message
	e.Param, e.DocURL = b.Error.Param, b.Error.DocURL
	if b.Error.RequestID != "" {
		e.RequestID = b.Error.RequestID
	}
	return e
}

// snippet returns the start of a body that is not JSON, to show in a message.
func snippet(body []byte) string {
	const n = 200
	s := strings.Join(strings.Fields(string(body)), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
