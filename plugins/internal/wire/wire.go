// Package wire is the gRPC protocol between the Bellhop hub and a connector
// plugin. It is internal so that plugin authors never see it: they implement
// plugins.Connector and call plugins.Serve.
//
// There is no .proto file and no generated code. The service is described by
// hand with a grpc.ServiceDesc whose every method takes and returns a
// wrapperspb.BytesValue holding JSON, so that building Bellhop never needs
// protoc and the messages are the plugins package's own JSON types.
package wire

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// ServiceName is the gRPC service of a connector plugin. The v1 is the wire
// protocol version; plugins.Handshake carries the same number.
const ServiceName = "bellhop.connector.v1.Connector"

// The methods of the service. Each takes and returns JSON.
const (
	MethodPing     = "Ping"
	MethodDescribe = "Describe"
	MethodValidate = "Validate"
	MethodCheck    = "Check"
	MethodDeliver  = "Deliver"
	MethodOptions  = "Options"
	// MethodLimits was added after v1 shipped; a plugin built before it
	// answers Unimplemented, as a connector without limits does: the host
	// reads both as "no limits", so no protocol bump was needed.
	MethodLimits = "Limits"
)

// BudgetServiceName is the gRPC service the hub serves back to a plugin
// over go-plugin's broker, so that a connector can take a token from the
// hub's shared rate limiter at the moment it makes a request (see
// plugins.Budget). It was added after v1 shipped without a protocol bump:
// the hub offers it through an optional field of the Deliver request, which
// an older plugin ignores, and a plugin that gets no such field keeps its
// own limiter, as before.
const BudgetServiceName = "bellhop.connector.v1.Budget"

// MethodTake is the Budget service's one method: take a plugins.Limit.
const MethodTake = "Take"

// Handler answers one call: method is one of the Method constants, req and
// the returned bytes are JSON.
type Handler interface {
	Handle(ctx context.Context, method string, req []byte) ([]byte, error)
}

// Register adds the connector service, answered by h, to s.
func Register(s *grpc.Server, h Handler) {
	register(s, h, ServiceName, MethodPing, MethodDescribe, MethodValidate, MethodCheck, MethodDeliver, MethodOptions, MethodLimits)
}

// RegisterBudget adds the Budget service, answered by h, to s (the hub's
// side of the broker connection).
func RegisterBudget(s *grpc.Server, h Handler) {
	register(s, h, BudgetServiceName, MethodTake)
}

func register(s *grpc.Server, h Handler, service string, methods ...string) {
	desc := grpc.ServiceDesc{
		ServiceName: service,
		HandlerType: (*Handler)(nil),
		Metadata:    "bellhop/connector.v1",
	}
	for _, m := range methods {
		desc.Methods = append(desc.Methods, grpc.MethodDesc{MethodName: m, Handler: unary(service, m)})
	}
	s.RegisterService(&desc, h)
}

func unary(service, method string) grpc.MethodHandler {
	full := "/" + service + "/" + method
	return func(srv any, ctx context.Context, dec func(any) error, intercept grpc.UnaryServerInterceptor) (any, error) {
		in := new(wrapperspb.BytesValue)
		if err := dec(in); err != nil {
			return nil, err
		}
		call := func(ctx context.Context, req any) (any, error) {
			out, err := srv.(Handler).Handle(ctx, method, req.(*wrapperspb.BytesValue).GetValue())
			if err != nil {
				return nil, err
			}
			return wrapperspb.Bytes(out), nil
		}
		if intercept == nil {
			return call(ctx, in)
		}
		return intercept(ctx, in, &grpc.UnaryServerInfo{Server: srv, FullMethod: full}, call)
	}
}

// Invoke calls method on the plugin behind conn with a JSON request and
// returns the JSON answer. The context's deadline and cancellation travel to
// the plugin.
func Invoke(ctx context.Context, conn grpc.ClientConnInterface, method string, req []byte) ([]byte, error) {
	return invoke(ctx, conn, ServiceName, method, req)
}

// InvokeBudget calls method on the hub's Budget service behind conn (the
// plugin's side of the broker connection).
func InvokeBudget(ctx context.Context, conn grpc.ClientConnInterface, method string, req []byte) ([]byte, error) {
	return invoke(ctx, conn, BudgetServiceName, method, req)
}

func invoke(ctx context.Context, conn grpc.ClientConnInterface, service, method string, req []byte) ([]byte, error) {
	out := new(wrapperspb.BytesValue)
	if err := conn.Invoke(ctx, "/"+service+"/"+method, wrapperspb.Bytes(req), out); err != nil {
		return nil, err
	}
	return out.GetValue(), nil
}
