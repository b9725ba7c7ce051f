package outbound

import (
	"errors"
	"net/netip"
	"testing"
)

func TestGuardCheck(t *testing.T) {
	tests := []struct {
		addr string
		want string // the reason, "" when allowed
	}{
		{"8.8.8.8", ""},
		{"1.1.1.1", ""},
		{"172.32.0.1", ""},
		{"100.128.0.1", ""},
		{"2606:4700:4700::1111", ""},
		{"::ffff:8.8.8.8", ""},
		{"64:ff9b::808:808", ""},
		{"127.0.0.1", "loopback"},
		{"127.255.255.254", "loopback"},
		{"10.1.2.3", "private"},
		{"172.16.0.1", "private"},
		{"172.31.255.255", "private"},
		{"192.168.1.1", "private"},
		{"100.64.0.1", "carrier-grade NAT"},
		{"100.127.255.255", "carrier-grade NAT"},
		{"169.254.169.254", "cloud metadata"},
		{"169.254.1.1", "link-local"},
		{"0.0.0.0", "this network"},
		{"0.1.2.3", "this network"},
		{"255.255.255.255", "reserved or broadcast"},
		{"224.0.0.1", "multicast"},
		{"239.255.255.250", "multicast"},
		{"::1", "loopback"},
		{"::", "unspecified"},
		{"fe80::1", "link-local"},
		{"fe80::1%eth0", "link-local"},
		{"fc00::1", "private"},
		{"fd12:3456::1", "private"},
		{"fd00:ec2::254", "cloud metadata"},
		{"fec0::1", "site-local"},
		{"ff02::1", "multicast"},
		{"::ffff:127.0.0.1", "loopback"},
		{"::ffff:169.254.169.254", "cloud metadata"},
		{"::ffff:10.0.0.1", "private"},
		{"::127.0.0.1", "loopback"},
		{"::a9fe:a9fe", "cloud metadata"},
		{"64:ff9b::a00:1", "private"},
		{"2002:a00:1::1", "private"},
		{"2002:7f00:1::1", "loopback"},
	}
	g := newGuard(nil)
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			err := g.check(netip.MustParseAddr(tt.addr))
			var b *BlockedError
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("check(%s) = %v, want allowed", tt.addr, err)
			case tt.want != "" && !errors.As(err, &b):
				t.Errorf("check(%s) = %v, want blocked (%s)", tt.addr, err, tt.want)
			case tt.want != "" && b.Reason != tt.want:
				t.Errorf("check(%s) reason = %q, want %q", tt.addr, b.Reason, tt.want)
			case tt.want != "" && !errors.Is(err, ErrBlocked):
				t.Errorf("check(%s): errors.Is(err, ErrBlocked) is false", tt.addr)
			}
		})
	}
}

func TestGuardAllowedRanges(t *testing.T) {
	g := newGuard([]netip.Prefix{netip.MustParsePrefix("10.1.0.0/16"), netip.MustParsePrefix("::1/128")})
	tests := []struct {
		addr    string
		allowed bool
	}{
		{"10.1.2.3", true},
		{"::ffff:10.1.2.3", true},
		{"::1", true},
		{"10.2.0.1", false},
		{"127.0.0.1", false},
		{"169.254.169.254", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			err := g.check(netip.MustParseAddr(tt.addr))
			if got := err == nil; got != tt.allowed {
				t.Errorf("check(%s) = %v, want allowed=%v", tt.addr, err, tt.allowed)
			}
		})
	}
}

func TestBlockedErrorMessage(t *testing.T) {
	err := newGuard(nil).check(netip.MustParseAddr("169.254.169.254"))
	want := "address 169.254.169.254 (cloud metadata) is not allowed in live mode; use a public address, a test-mode endpoint, or ask the operator to allow the range"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}

func TestCheckAddr(t *testing.T) {
	tests := []struct {
		addr    string
		allowed []netip.Prefix
		wantErr bool
	}{
		{"93.184.215.14", nil, false},
		{"192.168.0.10", nil, true},
		{"192.168.0.10", []netip.Prefix{netip.MustParsePrefix("192.168.0.0/24")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			err := CheckAddr(netip.MustParseAddr(tt.addr), tt.allowed)
			if got := err != nil; got != tt.wantErr || (got && !errors.Is(err, ErrBlocked)) {
				t.Errorf("CheckAddr(%s) = %v, want error %v", tt.addr, err, tt.wantErr)
			}
		})
	}
}
