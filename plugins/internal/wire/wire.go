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

// Handler answers one call: method is one of the Method constants, req and
// the returned bytes are JSON.
type Handler interface {
	Handle(ctx context.Context, method string, req []byte) ([]byte, error)
}

// Register adds the connector service, answered by h, to s.
func Register(s *grpc.Server, h Handler) {
	desc := grpc.ServiceDesc{
		ServiceName: ServiceName,
		HandlerType: (*Handler)(nil),
		Metadata:    "bellhop/connector.v1",
	}
	for _, m := range []string{MethodPing, MethodDescribe, MethodValidate, MethodCheck, MethodDeliver, MethodOptions, MethodLimits} {
		desc.Methods = append(desc.Methods, grpc.MethodDesc{MethodName: m, Handler: unary(m)})
	}
	s.RegisterService(&desc, h)
}

func unary(method string) grpc.MethodHandler {
	full := "/" + ServiceName + "/" + method
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
	out := new(wrapperspb.BytesValue)
	if err := conn.Invoke(ctx, "/"+ServiceName+"/"+method, wrapperspb.Bytes(req), out); err != nil {
		return nil, err
	}
	return out.GetValue(), nil
}
