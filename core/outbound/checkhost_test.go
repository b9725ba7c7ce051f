package outbound

import (
	"net/netip"
	"testing"
)

func TestCheckHost(t *testing.T) {
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	tests := []struct {
		host    string
		allowed []netip.Prefix
		blocked bool
	}{
		{"localhost", nil, true},
		{"LOCALHOST.", nil, true},
		{"api.localhost", nil, true},
		{"127.0.0.1", nil, true},
		{"10.1.2.3", nil, true},
		{"169.254.169.254", nil, true},
		{"::1", nil, true},
		{"[::1]", nil, true},
		{"::ffff:10.0.0.1", nil, true},
		{"localhost", loopback, false},
		{"93.184.216.34", nil, false},
		{"hooks.example.com", nil, false}, // a name: only the dial can tell
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			if got := CheckHost(tt.host, tt.allowed) != nil; got != tt.blocked {
				t.Errorf("CheckHost(%q) blocked = %v, want %v", tt.host, got, tt.blocked)
			}
		})
	}
}
