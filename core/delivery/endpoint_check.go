package delivery

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/outbound"
)

// Limits on endpoint fields.
const (
	maxRateLimit      = 10000
	maxDescription    = 5000
	maxMetadataKeys   = 50
	maxStaticHeaders  = 20
	maxEnabledEvents  = 200
	maxURLLength      = 2048
	maxPropertyIDs    = 100
	maxHeaderValueLen = 1024
)

// apply validates the given fields of in and sets them on ep.
func (eps *Endpoints) apply(ctx context.Context, scope core.Scope, ep *core.Endpoint, in core.EndpointInput) error {
	if in.URL != nil {
		if err := checkURL(*in.URL, scope.Livemode, eps.allowed); err != nil {
			return err
		}
		ep.URL = *in.URL
	}
	if in.EnabledEvents != nil {
		if err := checkEvents(ctx, eps.engine.opts.EventTypes, scope, in.EnabledEvents); err != nil {
			return err
		}
		ep.EnabledEvents = dedupe(in.EnabledEvents)
	}
	if in.Description != nil {
		if len(*in.Description) > maxDescription {
			return core.ParamError("description", "description must be at most %d characters.", maxDescription)
		}
		ep.Description = *in.Description
	}
	if in.PropertyIDs != nil {
		if len(in.PropertyIDs) > maxPropertyIDs {
			return core.ParamError("property_ids", "property_ids may list at most %d properties.", maxPropertyIDs)
		}
		ep.PropertyIDs = dedupe(in.PropertyIDs)
	}
	if in.Metadata != nil {
		if len(in.Metadata) > maxMetadataKeys {
			return core.ParamError("metadata", "metadata may hold at most %d keys.", maxMetadataKeys)
		}
		ep.Metadata = in.Metadata
	}
	if in.Headers != nil {
		if err := checkHeaders(in.Headers); err != nil {
			return err
		}
		ep.Headers = in.Headers
	}
	return applyLimits(ep, in, eps.engine.opts.MaxEndpointConcurrency)
}

// applyLimits checks and sets an endpoint's limits and switches.
// maxConcurrency is the hub's maximum for max_concurrency
// (Options.MaxEndpointConcurrency): an endpoint asking for more is refused
// rather than quietly held to it, so its owner knows what it gets.
func applyLimits(ep *core.Endpoint, in core.EndpointInput, maxConcurrency int) error {
	if in.RateLimit != nil {
		if *in.RateLimit < 0 || *in.RateLimit > maxRateLimit {
			return core.ParamError("rate_limit", "rate_limit must be between 0 (unlimited) and %d deliveries a second.", maxRateLimit)
		}
		ep.RateLimit = *in.RateLimit
	}
	if in.MaxConcurrency != nil {
		if *in.MaxConcurrency < 0 || *in.MaxConcurrency > maxConcurrency {
			return core.ParamError("max_concurrency", "max_concurrency must be between 0 (the default) and %d, this hub's maximum.", maxConcurrency)
		}
		ep.MaxConcurrency = *in.MaxConcurrency
	}
	if in.RetrySchedule != nil {
		ep.RetrySchedule = *in.RetrySchedule
	}
	if in.TransformScriptID != nil {
		ep.TransformScriptID = *in.TransformScriptID
	}
	if in.PropagateTrace != nil {
		ep.PropagateTrace = *in.PropagateTrace
	}
	if in.Disabled != nil {
		ep.Disabled = *in.Disabled
	}
	return nil
}

// checkURL accepts absolute http(s) URLs without credentials, whose host is
// not percent-encoded and has no control characters; live mode requires
// https. Private addresses are refused when connecting (live mode), not
// here, so that DNS rebinding is covered too.
//
// A live url whose host is a literal internal address (or localhost)
// outside allowed is refused too. Names are checked again at every
// connection by the outbound client's guard, so DNS rebinding is covered
// there, not here.
func checkURL(raw string, live bool, allowed []netip.Prefix) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
		return core.ParamError("url", "url must be an absolute http or https URL.")
	case outbound.CheckURLHost(raw) != nil:
		return core.ParamError("url", "url: %s.", outbound.ErrMalformedHost)
	case len(raw) > maxURLLength:
		return core.ParamError("url", "url must be at most %d characters.", maxURLLength)
	case u.User != nil:
		return core.ParamError("url", "url must not carry credentials; use headers instead.")
	case live && u.Scheme != "https":
		return core.ParamError("url", "Live-mode endpoints must use https.")
	case live && errors.Is(outbound.CheckHost(u.Hostname(), allowed), outbound.ErrBlocked):
		return core.ParamError("url", "Live-mode endpoints may not target %s, an internal address; use a public address or a test-mode endpoint.", u.Hostname())
	}
	return nil
}

// reservedHeaders may not be set by an endpoint's static headers.
func reservedHeader(name string) bool {
	n := strings.ToLower(name)
	return n == "content-type" || n == "user-agent" || n == "host" || n == "content-length" ||
		strings.HasPrefix(n, "webhook-") || strings.HasSuffix(n, "-signature") ||
		strings.HasSuffix(n, "-event-id") || strings.HasSuffix(n, "-request-id")
}

func checkHeaders(h map[string]string) error {
	if len(h) > maxStaticHeaders {
		return core.ParamError("headers", "headers may hold at most %d headers.", maxStaticHeaders)
	}
	for k, v := range h {
		if k == "" || http.CanonicalHeaderKey(k) == "" || strings.ContainsAny(k, " :\r\n") || strings.ContainsAny(v, "\r\n") || len(v) > maxHeaderValueLen {
			return core.ParamError("headers", "Invalid header %q.", k)
		}
		if reservedHeader(k) {
			return core.ParamError("headers", "Header %q is set by Bellhop and cannot be overridden.", k)
		}
	}
	return nil
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	out := make([]string, 0, len(in))
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
