package plugins

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/bellhop/bellhop/core"
)

// ReasonNotSupported is the core.Error Reason of the error Options returns
// for a connector that does not implement OptionLister.
const ReasonNotSupported = "not_supported"

// notSupported is the error for a connector that cannot list options.
func notSupported(name string) error {
	return &core.Error{Code: core.EINVALID, Reason: ReasonNotSupported,
		Message: fmt.Sprintf("Connector %q does not list options for its fields.", name)}
}

// IsNotSupported reports whether err says that a connector does not
// implement an optional method (Options), so a form can fall back to a free
// text field instead of showing an error.
func IsNotSupported(err error) bool {
	var e *core.Error
	return errors.As(err, &e) && e.Reason == ReasonNotSupported
}

// Options asks c for the choices of a form field, whether c runs in process
// or as a plugin. Returns an error that IsNotSupported recognises when c does
// not implement OptionLister.
func Options(ctx context.Context, c Connector, config Config, field string) ([]Option, error) {
	if l, ok := c.(OptionLister); ok {
		return l.Options(ctx, config, field)
	}
	return nil, notSupported(fmt.Sprintf("%T", c))
}

// Limits asks c for the rate limits that delivering input with config
// spends, whether c runs in process or as a plugin (RateLimited). A
// connector that does not implement RateLimited, in process or in a plugin
// of any version, returns an error that IsNotSupported recognises: it will
// never declare limits, so a host need not ask it again.
func Limits(ctx context.Context, c Connector, config Config, input json.RawMessage) ([]Limit, error) {
	if l, ok := c.(RateLimited); ok {
		return l.Limits(ctx, config, input)
	}
	return nil, &core.Error{Code: core.EINVALID, Reason: ReasonNotSupported,
		Message: fmt.Sprintf("Connector %T does not declare rate limits.", c)}
}

// wireError carries a *core.Error across the process boundary, so that a
// connector's coded errors (EINVALID "invalid_auth", ...) reach the API intact.
type wireError struct {
	Code    string `json:"code"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message"`
	Param   string `json:"param,omitempty"`
}

// toStatus turns a connector's error into a gRPC status on the plugin side.
func toStatus(err error) error {
	var e *core.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, err.Error())
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, err.Error())
	case errors.As(err, &e):
		if e.Reason == ReasonNotSupported {
			return status.Error(codes.Unimplemented, e.Message)
		}
		b, _ := json.Marshal(wireError{Code: e.Code, Reason: e.Reason, Message: e.Message, Param: e.Param})
		st, derr := status.New(codes.Unknown, e.Message).WithDetails(wrapperspb.Bytes(b))
		if derr != nil {
			return status.Error(codes.Unknown, e.Message)
		}
		return st.Err()
	default:
		return status.Error(codes.Unknown, err.Error())
	}
}

// fromStatus turns a gRPC error back into the error the connector returned,
// or into an EUNAVAILABLE error when the plugin could not answer: the host
// treats those as retryable.
func fromStatus(name string, err error) error {
	st, ok := status.FromError(err)
	if !ok {
		return fmt.Errorf("connector %s: %w", name, err)
	}
	for _, d := range st.Details() {
		if b, ok := d.(*wrapperspb.BytesValue); ok {
			var w wireError
			if json.Unmarshal(b.GetValue(), &w) == nil && w.Code != "" {
				return &core.Error{Code: w.Code, Reason: w.Reason, Message: w.Message, Param: w.Param}
			}
		}
	}
	switch st.Code() {
	case codes.Unimplemented:
		return notSupported(name)
	case codes.DeadlineExceeded:
		return fmt.Errorf("%w: %w", core.Errorf(core.EUNAVAILABLE, "Connector %q did not answer in time.", name), context.DeadlineExceeded)
	case codes.Canceled:
		return fmt.Errorf("connector %s: %w", name, context.Canceled)
	case codes.Unavailable:
		return fmt.Errorf("%w: %w", core.Errorf(core.EUNAVAILABLE, "Connector %q is not running.", name), err)
	default:
		return fmt.Errorf("connector %s: %s", name, st.Message())
	}
}
