package plugins

import (
	"context"
	"encoding/json"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/bellhop/bellhop/plugins/internal/wire"
)

// ProtocolVersion is the version of the wire protocol between the hub and a
// connector plugin. A plugin built against another version is refused at the
// handshake with go-plugin's "incompatible API version" error, so a change
// that breaks old plugins must bump it.
const ProtocolVersion = 1

// handshake is what a plugin and the hub must agree on before anything else.
// The magic cookie is not a secret: it only stops a plugin binary run by hand
// from waiting forever for a hub, and tells the user so.
func handshake() plugin.HandshakeConfig {
	return plugin.HandshakeConfig{
		ProtocolVersion:  ProtocolVersion,
		MagicCookieKey:   "BELLHOP_CONNECTOR_PLUGIN",
		MagicCookieValue: "d9b1c6a8-bellhop-connector",
	}
}

// pluginName is the one plugin a connector binary serves.
const pluginName = "connector"

// grpcPlugin adapts a Connector to go-plugin: on the plugin side it registers
// the wire service, on the host side it hands back the gRPC connection.
type grpcPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	impl Connector // set on the plugin side only
}

// GRPCServer implements plugin.GRPCPlugin.
func (p *grpcPlugin) GRPCServer(broker *plugin.GRPCBroker, s *grpc.Server) error {
	wire.Register(s, &server{c: p.impl, budgets: &borrower{broker: broker}})
	return nil
}

// GRPCClient implements plugin.GRPCPlugin.
func (p *grpcPlugin) GRPCClient(_ context.Context, broker *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return &clientSide{conn: c, broker: broker}, nil
}

// clientSide is what the host dispenses: the connection to the plugin and
// the broker through which it serves the plugin the hub's Budget.
type clientSide struct {
	conn   *grpc.ClientConn
	broker *plugin.GRPCBroker
}

// request is the JSON body of every call; each method uses the fields it needs.
type request struct {
	Config Config          `json:"config,omitempty"`
	Input  json.RawMessage `json:"input,omitempty"`
	Field  string          `json:"field,omitempty"`
	// Egress carries plugins.WithEgress across the process boundary; an
	// older plugin ignores it.
	Egress *Egress `json:"egress,omitempty"`
	// Budget names the hub's Budget (plugins.WithBudget) for a Deliver, a
	// service the plugin dials back through go-plugin's broker; an older
	// plugin ignores it and keeps its own limiter.
	Budget *budgetRef `json:"budget,omitempty"`
}

type validateReply struct {
	Errors []FieldError `json:"errors"`
}

type optionsReply struct {
	Options []Option `json:"options"`
}

type limitsReply struct {
	Limits []Limit `json:"limits"`
}
