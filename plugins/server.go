package plugins

import (
	"context"
	"encoding/json"
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/bellhop/bellhop/plugins/internal/wire"
)

// server answers the wire protocol on the plugin side by calling the
// author's Connector.
type server struct {
	c       Connector
	budgets *borrower // dials the hub's Budget; nil in tests without a broker
}

// Handle implements wire.Handler. A panicking connector fails the call, not
// the plugin process, so one bad input cannot take down every delivery.
func (s *server) Handle(ctx context.Context, method string, body []byte) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, status.Errorf(codes.Internal, "connector panicked in %s: %v", method, r)
		}
	}()
	var req request
	if len(body) > 0 {
		if err := json.Unmarshal(body, &req); err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "decode %s request: %v", method, err)
		}
	}
	if req.Egress != nil {
		ctx = WithEgress(ctx, *req.Egress)
	}
	if method == wire.MethodDeliver {
		if b := s.budgets.budget(req.Budget); b != nil {
			ctx = WithBudget(ctx, b)
		}
	}
	reply, err := s.call(ctx, method, req)
	if err != nil {
		return nil, toStatus(err)
	}
	return json.Marshal(reply)
}

func (s *server) call(ctx context.Context, method string, req request) (any, error) {
	switch method {
	case wire.MethodPing:
		return struct{}{}, nil
	case wire.MethodDescribe:
		return s.c.Describe(ctx)
	case wire.MethodValidate:
		errs, err := s.c.Validate(ctx, req.Config)
		return validateReply{Errors: errs}, err
	case wire.MethodCheck:
		return s.c.Check(ctx, req.Config)
	case wire.MethodDeliver:
		return s.c.Deliver(ctx, req.Config, req.Input)
	case wire.MethodOptions:
		l, ok := s.c.(OptionLister)
		if !ok {
			return nil, notSupported(fmt.Sprintf("%T", s.c))
		}
		opts, err := l.Options(ctx, req.Config, req.Field)
		return optionsReply{Options: opts}, err
	case wire.MethodLimits:
		// A connector without RateLimited answers "not supported", as a
		// plugin built before limits does, so the host stops asking it on
		// every delivery.
		limits, err := Limits(ctx, s.c, req.Config, req.Input)
		return limitsReply{Limits: limits}, err
	default:
		return nil, fmt.Errorf("unknown method %q", method)
	}
}
