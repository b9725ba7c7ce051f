package outbound

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"syscall"
)

// ErrBlocked is matched (errors.Is) by every error of a dial that the live-mode
// guard refused.
var ErrBlocked = errors.New("address not allowed in live mode")

// BlockedError says which address the guard refused and why.
type BlockedError struct {
	Addr   netip.Addr
	Reason string // "loopback", "private", "cloud metadata", …
}

// Error names the address, the kind of range it is in, and the way out.
func (e *BlockedError) Error() string {
	return fmt.Sprintf("address %s (%s) is not allowed in live mode; use a public address, a test-mode endpoint, or ask the operator to allow the range", e.Addr, e.Reason)
}

// Is makes errors.Is(err, ErrBlocked) true for a *BlockedError.
func (e *BlockedError) Is(target error) bool { return target == ErrBlocked }

// blockedRange is one range the guard refuses, with the word it uses for it.
type blockedRange struct {
	prefix netip.Prefix
	reason string
}

// blockedRanges lists what netip's predicates (IsLoopback, IsPrivate, …) do
// not already cover, most specific first.
func blockedRanges() []blockedRange {
	return []blockedRange{
		{netip.MustParsePrefix("fd00:ec2::254/128"), "cloud metadata"},
		{netip.MustParsePrefix("169.254.169.254/32"), "cloud metadata"},
		{netip.MustParsePrefix("0.0.0.0/8"), "this network"},
		{netip.MustParsePrefix("100.64.0.0/10"), "carrier-grade NAT"},
		{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignments"},
		{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
		{netip.MustParsePrefix("240.0.0.0/4"), "reserved or broadcast"},
		{netip.MustParsePrefix("fec0::/10"), "site-local"},
	}
}

// guard decides whether the hub may connect to an address.
type guard struct {
	allowed   []netip.Prefix
	blocked   []blockedRange
	nat64     netip.Prefix // 64:ff9b::/96 embeds an IPv4 address in its last 4 bytes
	sixToFour netip.Prefix // 2002::/16 embeds one in bytes 2 to 5
}

func newGuard(allowed []netip.Prefix) *guard {
	return &guard{
		allowed:   allowed,
		blocked:   blockedRanges(),
		nat64:     netip.MustParsePrefix("64:ff9b::/96"),
		sixToFour: netip.MustParsePrefix("2002::/16"),
	}
}

// control is a net.Dialer.Control: it runs for every address the dialer
// tries, after name resolution, and refuses the blocked ones.
func (g *guard) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("parse dial address %q: %w", address, err)
	}
	return g.check(ap.Addr())
}

// check returns a *BlockedError when addr, or the IPv4 address embedded in
// it, is in a blocked range and in no allowed one.
func (g *guard) check(addr netip.Addr) error {
	addr = addr.WithZone("")
	for _, a := range g.candidates(addr.Unmap()) {
		if g.isAllowed(a) {
			continue
		}
		if reason := g.reason(a); reason != "" {
			return &BlockedError{Addr: addr, Reason: reason}
		}
	}
	return nil
}

func (g *guard) isAllowed(a netip.Addr) bool {
	for _, p := range g.allowed {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// reason says which blocked range a is in, or "" when a is public.
func (g *guard) reason(a netip.Addr) string {
	for _, r := range g.blocked {
		if r.prefix.Contains(a) {
			return r.reason
		}
	}
	switch {
	case a.IsUnspecified():
		return "unspecified"
	case a.IsLoopback():
		return "loopback"
	case a.IsPrivate():
		return "private"
	case a.IsLinkLocalUnicast():
		return "link-local"
	case a.IsMulticast():
		return "multicast"
	}
	return ""
}

// candidates returns addr (already unmapped from ::ffff:a.b.c.d) and the IPv4
// address it embeds, if any: IPv4-compatible (::a.b.c.d), NAT64
// (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::), so that an IPv6 spelling
// cannot smuggle in an internal IPv4 address.
func (g *guard) candidates(addr netip.Addr) []netip.Addr {
	out := []netip.Addr{addr}
	if !addr.Is6() {
		return out
	}
	b := addr.As16()
	var v4 [4]byte
	switch {
	case isZero(b[:12]) && !addr.IsUnspecified() && !addr.IsLoopback():
		copy(v4[:], b[12:])
	case g.nat64.Contains(addr):
		copy(v4[:], b[12:])
	case g.sixToFour.Contains(addr):
		copy(v4[:], b[2:6])
	default:
		return out
	}
	return append(out, netip.AddrFrom4(v4))
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// CheckAddr reports whether live mode may connect to addr given the
// operator's allowed ranges: nil, or a *BlockedError that says why not. The
// client checks every dial itself; the API calls this to refuse an endpoint
// URL with a literal internal address when it is registered, rather than at
// its first delivery.
func CheckAddr(addr netip.Addr, allowed []netip.Prefix) error {
	return newGuard(allowed).check(addr)
}

// CheckHost is CheckAddr for the host of a URL as a user typed it: localhost
// (and *.localhost) counts as loopback, a literal address is checked, and any
// other name passes, since only the dial can see where it resolves. The API
// calls it to refuse an obviously internal live-mode URL when it is
// registered; the dial-time guard stays the real defence. A host with a '%'
// (left by percent-encoding), a control character or a space is refused with
// ErrMalformedHost: it is no name, and no address parser would see through it.
func CheckHost(host string, allowed []netip.Prefix) error {
	if err := checkHostChars(host); err != nil {
		return err
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		host = "127.0.0.1"
	}
	addr, err := netip.ParseAddr(strings.Trim(host, "[]"))
	if err != nil {
		return nil
	}
	return CheckAddr(addr.Unmap(), allowed)
}
