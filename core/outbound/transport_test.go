package outbound_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/bellhop/bellhop/core/outbound"
)

func TestGuardedTransport(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits.Add(1) }))
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	tests := []struct {
		name      string
		url       string
		allowed   []netip.Prefix
		wantBlock bool
	}{
		{"literal loopback", srv.URL, nil, true},
		{"name resolving to loopback", "http://localhost" + port, nil, true},
		{"allowed range", srv.URL, []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := hits.Load()
			client := &http.Client{Transport: outbound.GuardedTransport(tt.allowed)}
			resp, err := client.Get(tt.url)
			if err == nil {
				resp.Body.Close()
			}
			if got := errors.Is(err, outbound.ErrBlocked); got != tt.wantBlock {
				t.Fatalf("Get(%s) err = %v, blocked = %v, want %v", tt.url, err, got, tt.wantBlock)
			}
			if tt.wantBlock && !strings.Contains(err.Error(), "loopback") {
				t.Errorf("err = %v, want it to say loopback", err)
			}
			reached := hits.Load() != before
			if reached == tt.wantBlock {
				t.Errorf("server reached = %v, want %v", reached, !tt.wantBlock)
			}
		})
	}
}
