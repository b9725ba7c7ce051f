package connectors

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/bellhop/bellhop/core/outbound"
	"github.com/bellhop/bellhop/plugins"
)

// HTTPClients hands a connector the HTTP client for one call: in live mode
// (plugins.EgressFrom says so) one whose every dial refuses loopback,
// private, link-local and cloud-metadata addresses outside the operator's
// allowed ranges, after DNS, so an api_base_url or a webhook URL cannot aim
// the connector at the hub's own network; in test mode a plain one, so a
// local fake still answers. Every outbound call of a connector (checks,
// deliveries, option lists, token fetches) must use it. The zero value is
// not usable; build one with NewHTTPClients and keep it for the connector's
// life, so connections are reused.
type HTTPClients struct {
	timeout time.Duration
	test    *http.Client

	mu   sync.Mutex
	live map[string]*http.Client // by EgressKey
}

// NewHTTPClients returns clients whose requests are bounded by timeout.
func NewHTTPClients(timeout time.Duration) *HTTPClients {
	return &HTTPClients{timeout: timeout, test: &http.Client{Timeout: timeout}, live: map[string]*http.Client{}}
}

// For returns the client for a call made with ctx.
func (h *HTTPClients) For(ctx context.Context) *http.Client {
	e := plugins.EgressFrom(ctx)
	if !e.Livemode {
		return h.test
	}
	key := EgressKey(e)
	h.mu.Lock()
	defer h.mu.Unlock()
	c, ok := h.live[key]
	if !ok {
		c = &http.Client{Timeout: h.timeout, Transport: outbound.GuardedTransport(e.AllowedRanges)}
		h.live[key] = c
	}
	return c
}

// EgressKey names an Egress in a cache key, for a connector that keeps
// clients built on top of For's (an authenticated Google client): two calls
// with the same key may share one.
func EgressKey(e plugins.Egress) string {
	if !e.Livemode {
		return "test"
	}
	return fmt.Sprint("live", e.AllowedRanges)
}

// Blocked reports whether err is a live-mode dial the guard refused, and
// then the result to record: failed for good, because the configuration
// aims at an internal address and no retry will change that. The summary
// names the address and never the URL (which may be a secret).
func Blocked(err error) (plugins.Result, bool) {
	var be *outbound.BlockedError
	if !errors.As(err, &be) {
		return plugins.Result{}, false
	}
	return Fail("refused to connect: " + be.Error()), true
}
