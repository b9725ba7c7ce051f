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
		// What url.Parse leaves of https://127.0.0.1%2509:18501/, and others no dial could use.
		{"127.0.0.1%09", nil, true},
		{"127.0.0.1%09", loopback, true},
		{"fe80::1%eth0", nil, true},
		{"hooks.example.com\t", nil, true},
		{"hooks example.com", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			if got := CheckHost(tt.host, tt.allowed) != nil; got != tt.blocked {
				t.Errorf("CheckHost(%q) blocked = %v, want %v", tt.host, got, tt.blocked)
			}
		})
	}
}

func TestCheckURLHost(t *testing.T) {
	tests := []struct {
		url  string
		want error
	}{
		{"https://hooks.example.com/x?y=%20", nil},
		{"https://user%40x:p%25ss@hooks.example.com:8443/a%2Fb#%00", nil}, // only the host counts
		{"https://[2606:4700::1111]:443/", nil},
		{"not a url", nil},
		{"https://127.0.0.1%2509:18501/", ErrMalformedHost},
		{"https://exa%41mple.com/", ErrMalformedHost},
		{"https://h%C3%A9.example.com/", ErrMalformedHost},
		{"https://[fe80::1%25eth0]/", ErrMalformedHost},
		{"https://a\tb.example.com/", ErrMalformedHost},
		{"https://x@127.0.0.1%2509/", ErrMalformedHost},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			if got := CheckURLHost(tt.url); got != tt.want {
				t.Errorf("CheckURLHost(%q) = %v, want %v", tt.url, got, tt.want)
			}
		})
	}
}
