package delivery

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/outbound"
	"github.com/bellhop/bellhop/core/signature"
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

// CreateEndpoint validates input and stores a new endpoint with a fresh
// secret, which it returns once. Live-mode URLs must be https; test mode
// also accepts http so that local receivers work. Returns EINVALID naming
// the param at fault.
func (e *Engine) CreateEndpoint(ctx context.Context, scope core.Scope, in core.EndpointInput) (*core.Endpoint, string, error) {
	if in.URL == nil {
		return nil, "", &core.Error{Code: core.EINVALID, Reason: "parameter_missing", Param: "url", Message: "Missing required param: url."}
	}
	if in.EnabledEvents == nil {
		return nil, "", &core.Error{Code: core.EINVALID, Reason: "parameter_missing", Param: "enabled_events", Message: "Missing required param: enabled_events."}
	}
	now := time.Now().UTC().Truncate(time.Second)
	ep := &core.Endpoint{ID: randomID("whe_"), Object: "webhook_endpoint", Livemode: scope.Livemode,
		CreatedAt: now, UpdatedAt: now, Metadata: map[string]string{}, Headers: map[string]string{},
		PropertyIDs: []string{}}
	if err := e.apply(ctx, scope, ep, in); err != nil {
		return nil, "", err
	}
	if ep.Disabled {
		ep.DisabledReason, ep.DisabledAt = "disabled at creation", &now
	}
	if err := e.attachScript(ctx, scope, ep.ID, "", ep.TransformScriptID); err != nil {
		return nil, "", err
	}
	secret := signature.NewSecret()
	if err := e.saveEndpoint(ctx, scope, ep, []core.EndpointSecret{{Secret: secret}}); err != nil {
		return nil, "", err
	}
	if err := e.AddScope(ctx, scope); err != nil {
		e.opts.Logger.Warn("serve new scope", "err", err)
	}
	return ep, secret, nil
}

// FindEndpoint returns ENOTFOUND if the endpoint is not in scope.
func (e *Engine) FindEndpoint(ctx context.Context, scope core.Scope, id string) (*core.Endpoint, error) {
	return e.store.FindEndpoint(ctx, scope, id)
}

// ListEndpoints lists endpoints newest first.
func (e *Engine) ListEndpoints(ctx context.Context, scope core.Scope, page core.Page) (core.List[*core.Endpoint], error) {
	return e.store.ListEndpoints(ctx, scope, page)
}

// UpdateEndpoint changes the given fields. Setting disabled to false
// re-enables the endpoint like EnableEndpoint. Returns ENOTFOUND or EINVALID.
func (e *Engine) UpdateEndpoint(ctx context.Context, scope core.Scope, id string, in core.EndpointInput) (*core.Endpoint, error) {
	ep, err := e.store.FindEndpoint(ctx, scope, id)
	if err != nil {
		return nil, err
	}
	wasDisabled, oldScript := ep.Disabled, ep.TransformScriptID
	if err := e.apply(ctx, scope, ep, in); err != nil {
		return nil, err
	}
	if err := e.attachScript(ctx, scope, id, oldScript, ep.TransformScriptID); err != nil {
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	ep.UpdatedAt = now
	if ep.Disabled && !wasDisabled {
		ep.DisabledReason, ep.DisabledAt = "disabled by request", &now
	} else if !ep.Disabled && wasDisabled {
		return e.enable(ctx, scope, ep)
	}
	if err := e.saveEndpoint(ctx, scope, ep, nil); err != nil {
		return nil, err
	}
	return ep, nil
}

// DeleteEndpoint removes an endpoint; its pending deliveries fail as their
// entries come up. Returns ENOTFOUND.
func (e *Engine) DeleteEndpoint(ctx context.Context, scope core.Scope, id string) error {
	ep, err := e.store.FindEndpoint(ctx, scope, id)
	if err != nil {
		return err
	}
	if err := e.store.DeleteEndpoint(ctx, scope, id); err != nil {
		return err
	}
	e.targets.forget(scope, id)
	if err := e.attachScript(ctx, scope, id, ep.TransformScriptID, ""); err != nil {
		return err
	}
	_, err = e.store.ReleaseParked(ctx, scope, id) // so that they end as failed
	return err
}

// RotateSecret makes a new secret and keeps the newest old one signing for
// grace (Options.RotationGrace when 0). Returns ENOTFOUND.
func (e *Engine) RotateSecret(ctx context.Context, scope core.Scope, id string, grace time.Duration) (*core.Endpoint, string, error) {
	if grace <= 0 {
		grace = e.opts.RotationGrace
	}
	now := time.Now()
	ep, olds, err := e.store.EndpointAndSecrets(ctx, scope, id, now)
	if err != nil {
		return nil, "", err
	}
	until := now.Add(grace)
	secrets := []core.EndpointSecret{}
	if len(olds) > 0 {
		secrets = append(secrets, core.EndpointSecret{Secret: olds[len(olds)-1], ExpiresAt: &until})
	}
	secret := signature.NewSecret()
	secrets = append(secrets, core.EndpointSecret{Secret: secret})
	ep.UpdatedAt = now.UTC().Truncate(time.Second)
	if err := e.saveEndpoint(ctx, scope, ep, secrets); err != nil {
		return nil, "", err
	}
	return ep, secret, nil
}

// EnableEndpoint re-enables an endpoint, forgets its failure record and
// queues its parked deliveries. Returns ENOTFOUND.
func (e *Engine) EnableEndpoint(ctx context.Context, scope core.Scope, id string) (*core.Endpoint, error) {
	ep, err := e.store.FindEndpoint(ctx, scope, id)
	if err != nil {
		return nil, err
	}
	return e.enable(ctx, scope, ep)
}

func (e *Engine) enable(ctx context.Context, scope core.Scope, ep *core.Endpoint) (*core.Endpoint, error) {
	ep.Disabled, ep.DisabledReason, ep.DisabledAt = false, "", nil
	ep.UpdatedAt = time.Now().UTC().Truncate(time.Second)
	if err := e.saveEndpoint(ctx, scope, ep, nil); err != nil {
		return nil, err
	}
	if err := e.store.ResetHealth(ctx, scope, ep.ID); err != nil {
		return nil, err
	}
	if _, err := e.store.ReleaseParked(ctx, scope, ep.ID); err != nil {
		return nil, err
	}
	return ep, nil
}

// DisableEndpoint stops deliveries to an endpoint; they wait, parked.
// Returns ENOTFOUND.
func (e *Engine) DisableEndpoint(ctx context.Context, scope core.Scope, id, reason string) (*core.Endpoint, error) {
	if reason == "" {
		reason = "disabled by request"
	}
	return e.disable(ctx, scope, id, reason, false)
}

// disable turns an endpoint off; the breaker's disabling (auto) publishes
// endpoint.disabled, once, by the hub that flipped it.
func (e *Engine) disable(ctx context.Context, scope core.Scope, id, reason string, auto bool) (*core.Endpoint, error) {
	ep, err := e.store.FindEndpoint(ctx, scope, id)
	if err != nil {
		return nil, err
	}
	if ep.Disabled {
		return ep, nil
	}
	now := time.Now().UTC().Truncate(time.Second)
	ep.Disabled, ep.DisabledReason, ep.DisabledAt, ep.UpdatedAt = true, reason, &now, now
	if err := e.saveEndpoint(ctx, scope, ep, nil); err != nil {
		return nil, err
	}
	if auto {
		e.publishDisabled(ctx, scope, ep)
	}
	return ep, nil
}

// apply validates the given fields of in and sets them on ep.
func (e *Engine) apply(ctx context.Context, scope core.Scope, ep *core.Endpoint, in core.EndpointInput) error {
	if in.URL != nil {
		if err := checkURL(*in.URL, scope.Livemode); err != nil {
			return err
		}
		ep.URL = *in.URL
	}
	if in.EnabledEvents != nil {
		if err := e.checkEvents(ctx, scope, in.EnabledEvents); err != nil {
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
	return applyLimits(ep, in, e.opts.MaxEndpointConcurrency)
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
	if in.Disabled != nil {
		ep.Disabled = *in.Disabled
	}
	return nil
}

// checkURL accepts absolute http(s) URLs without credentials, whose host is
// not percent-encoded and has no control characters; live mode requires
// https. Private addresses are refused when connecting (live mode), not
// here, so that DNS rebinding is covered too.
func checkURL(raw string, live bool) error {
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
	}
	return nil
}

func (e *Engine) checkEvents(ctx context.Context, scope core.Scope, types []string) error {
	if len(types) == 0 || len(types) > maxEnabledEvents {
		return core.ParamError("enabled_events", "enabled_events must list between 1 and %d event types, or [\"*\"].", maxEnabledEvents)
	}
	for _, t := range types {
		if t == "*" {
			continue
		}
		if e.opts.EventTypes == nil {
			if t == "" || strings.ContainsAny(t, " :{}*") {
				return core.ParamError("enabled_events", "Invalid event type %q.", t)
			}
			continue
		}
		if _, err := e.opts.EventTypes.FindEventType(ctx, scope, t); core.ErrorCode(err) == core.ENOTFOUND {
			return core.ParamError("enabled_events", "Unknown event type %q.", t)
		} else if err != nil {
			return err
		}
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

// saveEndpoint stores ep and drops this hub's cached copy, so that its
// next attempt sees the change at once.
func (e *Engine) saveEndpoint(ctx context.Context, scope core.Scope, ep *core.Endpoint, secrets []core.EndpointSecret) error {
	err := e.store.SaveEndpoint(ctx, scope, ep, secrets)
	e.targets.forget(scope, ep.ID)
	return err
}
