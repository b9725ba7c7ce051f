package outbound

import (
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"
	"unicode"
)

// internalIP is the fuzz targets' own idea of an address live mode must not
// reach, written with net.IP rather than netip so that it does not share
// the guard's code: loopback, private, link-local, unspecified, and the
// cloud metadata addresses.
func internalIP(ip net.IP) bool {
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() ||
		ip.Equal(net.ParseIP("169.254.169.254")) || ip.Equal(net.ParseIP("fd00:ec2::254"))
}

// FuzzCheckHost feeds CheckHost the host of a URL as a user could type it.
// It must not panic, must answer nil, a *BlockedError or ErrMalformedHost
// (never another error, which callers would not recognise), must refuse
// every host with a '%', a control character or a space as malformed,
// whatever the allowed ranges, and must refuse every spelling of an
// internal address that a URL's host can carry: localhost names, and any
// literal net.ParseIP reads, bracketed or not, with a trailing dot or in
// upper case.
func FuzzCheckHost(f *testing.F) {
	for _, h := range []string{
		"localhost", "LOCALHOST.", "api.localhost", "127.0.0.1", "10.1.2.3", "169.254.169.254",
		"::1", "[::1]", "::ffff:10.0.0.1", "[::ffff:127.0.0.1]", "fe80::1%eth0", "[fe80::1%25eth0]",
		"fd00:ec2::254", "::", "0.0.0.0", "::127.0.0.1", "64:ff9b::a00:1", "2002:a00:1::",
		"93.184.216.34", "hooks.example.com", "127.1", "0x7f.0.0.1", "2130706433", "[", "]", "",
		"192.168.0.1.", "FC00::1", "[::ffff:169.254.169.254]", "127.0.0.1%09", "127.0.0.1\t", "a b.example",
	} {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, host string) {
		err := CheckHost(host, nil)
		malformed := strings.ContainsFunc(host, func(r rune) bool { return r == '%' || unicode.IsControl(r) || unicode.IsSpace(r) })
		if malformed != errors.Is(err, ErrMalformedHost) {
			t.Fatalf("CheckHost(%q) = %v; want ErrMalformedHost exactly when the host holds '%%', a control character or a space", host, err)
		}
		var blocked *BlockedError
		if err != nil && !malformed && (!errors.As(err, &blocked) || !errors.Is(err, ErrBlocked) || blocked.Reason == "") {
			t.Fatalf("CheckHost(%q) = %v, want nil or a *BlockedError with a reason", host, err)
		}
		if ip := literal(host); ip != nil && internalIP(ip) && err == nil {
			t.Fatalf("CheckHost(%q) accepted %s, an internal address", host, ip)
		}
		name := strings.TrimSuffix(strings.ToLower(host), ".")
		if (name == "localhost" || strings.HasSuffix(name, ".localhost")) && err == nil {
			t.Fatalf("CheckHost(%q) accepted a localhost name", host)
		}
		// The operator's allowed ranges win over the address rules, never
		// over a malformed host: with everything allowed, only that is refused.
		all := []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")}
		if err := CheckHost(host, all); err != nil && !(malformed && errors.Is(err, ErrMalformedHost)) {
			t.Fatalf("CheckHost(%q) with every range allowed = %v", host, err)
		}
	})
}

// literal reads host as an IP literal the way a URL's host may spell one
// ([::1], 127.0.0.1., upper-case hex), or returns nil.
func literal(host string) net.IP {
	h := strings.TrimSuffix(host, ".")
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		h = h[1 : len(h)-1]
	}
	return net.ParseIP(h)
}

// FuzzCheckAddr builds addresses from raw bytes and checks the guard
// against the same independent rule, for the address and for every IPv6
// form that embeds an IPv4 one (mapped, compatible, NAT64, 6to4): none may
// smuggle an internal IPv4 address past it.
func FuzzCheckAddr(f *testing.F) {
	f.Add([]byte{127, 0, 0, 1})
	f.Add([]byte{10, 0, 0, 1})
	f.Add([]byte{169, 254, 169, 254})
	f.Add([]byte{93, 184, 216, 34})
	f.Add([]byte{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})
	f.Add([]byte{0xfd, 0, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54})
	f.Fuzz(func(t *testing.T, raw []byte) {
		var addr netip.Addr
		switch len(raw) {
		case 4:
			addr = netip.AddrFrom4([4]byte(raw))
		case 16:
			addr = netip.AddrFrom16([16]byte(raw))
		default:
			return
		}
		forms := []netip.Addr{addr}
		if addr.Is4() {
			v4 := addr.As4()
			forms = append(forms,
				netip.AddrFrom16([16]byte{10: 0xff, 11: 0xff, 12: v4[0], 13: v4[1], 14: v4[2], 15: v4[3]}),
				netip.AddrFrom16([16]byte{0: 0x00, 1: 0x64, 2: 0xff, 3: 0x9b, 12: v4[0], 13: v4[1], 14: v4[2], 15: v4[3]}),
				netip.AddrFrom16([16]byte{0: 0x20, 1: 0x02, 2: v4[0], 3: v4[1], 4: v4[2], 5: v4[3]}),
				netip.AddrFrom16([16]byte{12: v4[0], 13: v4[1], 14: v4[2], 15: v4[3]}),
			)
		}
		internal := internalIP(net.IP(addr.AsSlice()))
		for _, a := range forms {
			err := CheckAddr(a, nil)
			if internal && err == nil {
				t.Fatalf("CheckAddr(%s) accepted a form of %s, an internal address", a, addr)
			}
			if err := CheckHost("["+a.String()+"]", nil); internal && err == nil {
				t.Fatalf("CheckHost([%s]) accepted a form of %s, an internal address", a, addr)
			}
		}
	})
}
