package outbound

import (
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// DialControl returns a net.Dialer.Control that refuses every address live
// mode may not reach (the rules CheckAddr applies), outside the operator's
// allowed ranges. It runs on the address actually dialled, after name
// resolution, so a hostname that resolves or re-resolves to an internal
// address is refused too. A refused dial fails with an error that
// errors.Is(err, ErrBlocked) and that names the address.
func DialControl(allowed []netip.Prefix) func(network, address string, c syscall.RawConn) error {
	return newGuard(allowed).control
}

// GuardedTransport returns an HTTP transport for live-mode calls that code
// other than the webhook Client makes (the connectors' API clients): every
// dial goes through DialControl(allowed), and no proxy is used, because the
// guard would then check the proxy rather than the destination. Build one
// per allowed-range set and share it, so connections are reused.
func GuardedTransport(allowed []netip.Prefix) *http.Transport {
	dialer := &net.Dialer{Timeout: DefaultConnectTimeout, KeepAlive: 30 * time.Second, Control: DialControl(allowed)}
	return &http.Transport{
		Proxy:               nil,
		DialContext:         dialer.DialContext,
		TLSHandshakeTimeout: DefaultConnectTimeout,
		MaxIdleConns:        100,
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     90 * time.Second,
		ForceAttemptHTTP2:   true,
	}
}
