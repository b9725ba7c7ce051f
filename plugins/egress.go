package plugins

import (
	"context"
	"net/netip"
)

// Egress is what the host tells a connector about where its outbound calls
// may go. It travels with the call's context, in process and across the
// plugin boundary alike, so a connector author never sees how it is carried
// and a user can never set it through a connection's config.
type Egress struct {
	// Livemode is true for a live-mode connection: the connector must then
	// refuse to connect to loopback, private, link-local and cloud-metadata
	// addresses (connectors.HTTPClients does it). Test mode may reach
	// localhost, so that a local fake or a developer's machine can stand in.
	Livemode bool `json:"livemode"`
	// AllowedRanges are the operator's exceptions (BELLHOP_ALLOW_RANGES),
	// internal ranges live mode may reach anyway.
	AllowedRanges []netip.Prefix `json:"allowed_ranges,omitempty"`
}

type egressKey struct{}

// WithEgress returns ctx carrying e. The host sets it on every call it makes
// for a connection (Validate, Check, Deliver, Options).
func WithEgress(ctx context.Context, e Egress) context.Context {
	return context.WithValue(ctx, egressKey{}, e)
}

// EgressFrom returns the Egress the host set on ctx. A context without one
// (a connector's own tests) is test mode: nothing is blocked.
func EgressFrom(ctx context.Context) Egress {
	e, _ := ctx.Value(egressKey{}).(Egress)
	return e
}

// egressOf is the Egress to send with a request, nil when ctx carries none.
func egressOf(ctx context.Context) *Egress {
	e, ok := ctx.Value(egressKey{}).(Egress)
	if !ok {
		return nil
	}
	return &e
}
