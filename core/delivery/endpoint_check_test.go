package delivery

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/core"
)

// A live endpoint may not name an internal address unless the operator
// allowed its range; test mode may (local receivers). The API and the
// console both get this from here.
func TestCheckURLRefusesInternalLiveHostsOutsideTheAllowedRanges(t *testing.T) {
	allowed := []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")}
	for _, c := range []struct {
		url    string
		live   bool
		wantOK bool
	}{
		{"https://10.0.0.1/in", true, false},
		{"https://169.254.169.254/latest", true, false},
		{"https://localhost/in", true, false},
		{"https://10.1.2.3/in", true, true},
		{"https://hooks.example.com/in", true, true},
		{"http://127.0.0.1:3000/in", false, true},
	} {
		err := checkURL(c.url, c.live, allowed)
		if (err == nil) != c.wantOK {
			t.Errorf("checkURL(%q, live=%v) = %v, want ok=%v", c.url, c.live, err, c.wantOK)
		}
		if err != nil && (core.ErrorCode(err) != core.EINVALID || !strings.Contains(err.Error(), "internal address")) {
			t.Errorf("checkURL(%q): %v, want EINVALID naming the internal address", c.url, err)
		}
	}
}
