package api

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"syscall"

	"github.com/bellhop/bellhop/core"
	"github.com/gin-gonic/gin"
)

// Stripe error types, the `type` of every error body.
const (
	typeInvalidRequest = "invalid_request_error"
	typeAuthentication = "authentication_error"
	typePermission     = "permission_error"
	typeRateLimit      = "rate_limit_error"
	typeIdempotency    = "idempotency_error"
	typeAPI            = "api_error"
)

// codeIdempotencyInFlight is an API-only error code: the Idempotency-Key of
// the request is held by a request still running. core says ECONFLICT; the
// caller needs to know it is about idempotency, hence its own row below.
const codeIdempotencyInFlight = "idempotency_in_flight"

// codeMethodNotAllowed is an API-only error code: the path exists but not
// with this method.
const codeMethodNotAllowed = "method_not_allowed"

// errorKind is how one error code is shown to a caller.
type errorKind struct {
	status int
	typ    string
}

// errorKinds is THE table from error codes to HTTP status and Stripe type.
// An unknown code is shown as EINTERNAL.
var errorKinds = map[string]errorKind{
	core.EINVALID:           {http.StatusBadRequest, typeInvalidRequest},
	core.EUNAUTHORIZED:      {http.StatusUnauthorized, typeAuthentication},
	core.EFORBIDDEN:         {http.StatusForbidden, typePermission},
	core.ENOTFOUND:          {http.StatusNotFound, typeInvalidRequest},
	codeMethodNotAllowed:    {http.StatusMethodNotAllowed, typeInvalidRequest},
	core.ECONFLICT:          {http.StatusConflict, typeInvalidRequest},
	core.EIDEMPOTENCY:       {http.StatusBadRequest, typeIdempotency},
	codeIdempotencyInFlight: {http.StatusConflict, typeIdempotency},
	core.ETOOLARGE:          {http.StatusRequestEntityTooLarge, typeInvalidRequest},
	core.ERATELIMIT:         {http.StatusTooManyRequests, typeRateLimit},
	core.EUNAVAILABLE:       {http.StatusServiceUnavailable, typeAPI},
	core.EINTERNAL:          {http.StatusInternalServerError, typeAPI},
}

// errorBody is the JSON of every error response.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Type      string `json:"type"`
	Code      string `json:"code,omitempty"`
	Message   string `json:"message"`
	Param     string `json:"param,omitempty"`
	RequestID string `json:"request_id"`
	DocURL    string `json:"doc_url"`
}

// Messages for errors that carry no text fit for a caller.
const (
	// internalMessage is all a caller learns of an unexpected error; the
	// request id lets support find the real text in the log.
	internalMessage = "An internal error occurred. If it persists, contact support with the request id."
	// unavailableMessage is shown when storage cannot be reached.
	unavailableMessage = "Bellhop cannot reach its storage right now. Nothing was changed; retry later."
)

// writeError answers the request with err in the Stripe shape and aborts the
// handler chain. Errors that carry no core code (or EINTERNAL) are shown as a
// generic internal error; their text goes only to the log. An uncoded error
// that is a network failure is shown as EUNAVAILABLE, since it means Redis
// (or another dependency) went away, not that Bellhop is broken.
func (s *Server) writeError(c *gin.Context, err error) {
	d, status := s.errorDetail(c, err)
	if status >= 500 && clientGone(c) {
		s.log.DebugContext(c, "api: the client went away", "request_id", requestID(c),
			"method", c.Request.Method, "path", c.Request.URL.Path, "err", err)
		c.AbortWithStatus(statusClientClosed)
		return
	}
	d.RequestID = requestID(c)
	if status >= 500 {
		s.log.ErrorContext(c, "api: request failed", "request_id", d.RequestID,
			"method", c.Request.Method, "path", c.Request.URL.Path, "status", status, "err", err)
	}
	c.AbortWithStatusJSON(status, errorBody{Error: d})
}

// statusClientClosed is the status (nginx's 499) that metrics, the activity
// log and the request log give a request whose client went away before its
// answer: nobody reads it, and it is no failure of the hub.
const statusClientClosed = 499

// clientGone reports whether the client hung up, which net/http tells by
// cancelling the request's context. A server-side failure seen then is its
// consequence ("context canceled", a Redis call cut short), not a fault.
func clientGone(c *gin.Context) bool {
	return errors.Is(c.Request.Context().Err(), context.Canceled)
}

// errorDetail looks err up in errorKinds and returns what a caller may see
// of it, with the status.
func (s *Server) errorDetail(c *gin.Context, err error) (errorDetail, int) {
	var e *core.Error
	code := core.ErrorCode(err)
	if _, known := errorKinds[code]; !known {
		code = core.EINTERNAL
	}
	d := errorDetail{Message: internalMessage}
	switch {
	case code == core.EINTERNAL && unreachable(err):
		code, d.Message = core.EUNAVAILABLE, unavailableMessage
	case code != core.EINTERNAL && errors.As(err, &e):
		d.Code, d.Param, d.Message = e.Reason, e.Param, e.Message
	}
	kind := errorKinds[code]
	d.Type = kind.typ
	d.DocURL = s.docURL(c, firstNonEmpty(d.Code, d.Type))
	return d, kind.status
}

// unreachable reports whether err is a failure to talk to a dependency over
// the network: refused, reset, timed out or cut.
func unreachable(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, context.DeadlineExceeded)
}

// firstNonEmpty returns the first of s that is not empty.
func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
