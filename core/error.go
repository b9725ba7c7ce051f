package core

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status and Stripe error type in the API
// layer (core/api), so the rest of the code never thinks about HTTP.
const (
	EINVALID      = "invalid"      // the request is malformed or fails validation (400)
	EUNAUTHORIZED = "unauthorized" // no key, or a key that is unknown or revoked (401)
	EFORBIDDEN    = "forbidden"    // the key may not do this (403)
	ENOTFOUND     = "not_found"    // no such object in the caller's scope (404)
	ECONFLICT     = "conflict"     // the object's state forbids this, or a request is in flight (409)
	EIDEMPOTENCY  = "idempotency"  // an Idempotency-Key was reused with other parameters (400)
	ETOOLARGE     = "too_large"    // the body is over the size limit (413)
	ERATELIMIT    = "rate_limited" // the key's rate limit is spent (429)
	EUNAVAILABLE  = "unavailable"  // a dependency (Redis, a plugin) cannot be reached (503)
	EINTERNAL     = "internal"     // anything unexpected (500)
)

// Error is an error that is safe to show to an API caller. Code says what kind
// of failure it is, Message says it in words for a person, and Param names
// the request field at fault, when there is one. Reason is an optional
// machine-readable detail, shown as the Stripe `code` (for example
// "parameter_missing" or "resource_missing").
//
// Errors without a code (plain Go errors) are never shown to a caller: the API
// reports them as internal errors with a request id.
type Error struct {
	Code    string
	Reason  string
	Message string
	Param   string
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Param != "" {
		return fmt.Sprintf("bellhop error: code=%s param=%s message=%s", e.Code, e.Param, e.Message)
	}
	return fmt.Sprintf("bellhop error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ParamError returns an EINVALID error that names the request field at fault.
func ParamError(param string, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Param: param, Message: fmt.Sprintf(format, args...)}
}

// NotFound returns the ENOTFOUND error for an object of the given kind, the
// same whether it does not exist or belongs to another tenant.
func NotFound(kind, id string) *Error {
	return &Error{Code: ENOTFOUND, Reason: "resource_missing", Message: fmt.Sprintf("No such %s: '%s'", kind, id)}
}

// ErrorCode returns the code of the *Error in err's chain, EINTERNAL for any
// other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the *Error in err's chain, and a generic
// message for any other error, so that Go error text never reaches a caller.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "An internal error occurred. If it persists, contact support with the request id."
}

// ErrorReason returns the Reason of the *Error in err's chain, "" if there
// is none.
func ErrorReason(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}
