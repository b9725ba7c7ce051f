package delivery

import (
	"context"
	"encoding/json"
	"net/netip"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/outbound"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/signature"
)

// endpointStore is what Endpoints keeps in storage: the endpoints
// themselves (core.EndpointStore), a delivery's view of one with its
// secrets and sealed headers opened, and the script-users record.
// Re-enabling or deleting an endpoint also touches the queue and the
// attemptLog, through the engine's.
type endpointStore interface {
	core.EndpointStore
	scriptUsers
	EndpointAndSecrets(ctx context.Context, scope core.Scope, id string, now time.Time) (*core.Endpoint, []string, error)
	OpenEndpoint(ctx context.Context, scope core.Scope, id string, now time.Time) (*redisstore.OpenedEndpoint, error)
}

// Endpoints is the core.EndpointService and the Sender of
// core.TargetEndpoint, as Connections is of connections: endpoint
// management lives here, and the engine only delivers. Build it with
// NewEndpoints before the engine runs. Safe for concurrent use.
type Endpoints struct {
	engine  *Engine
	store   endpointStore
	targets *targetCache // endpoints looked up for attempts
	allowed []netip.Prefix
}

var (
	_ Sender               = (*Endpoints)(nil)
	_ core.EndpointService = (*Endpoints)(nil)
)

// EndpointOptions tunes the endpoints.
type EndpointOptions struct {
	// AllowedRanges are the operator's exceptions (BELLHOP_ALLOW_RANGES) to
	// the rule that a live-mode endpoint's url may not name an internal
	// address.
	AllowedRanges []netip.Prefix
}

// NewEndpoints registers webhook endpoints as a target kind of e: the
// dispatcher fans events out to subscribed endpoints and workers sign and
// POST to them. Call it before e.Run.
func NewEndpoints(e *Engine, opts EndpointOptions) *Endpoints {
	eps := &Endpoints{engine: e, store: e.opts.Store, targets: newTargetCache(e.opts.TargetCacheTTL), allowed: opts.AllowedRanges}
	e.register(core.TargetEndpoint, eps)
	return eps
}

// CreateEndpoint validates input and stores a new endpoint with a fresh
// secret, which it returns once. Live-mode URLs must be https; test mode
// also accepts http so that local receivers work. Returns EINVALID naming
// the param at fault.
func (eps *Endpoints) CreateEndpoint(ctx context.Context, scope core.Scope, in core.EndpointInput) (*core.Endpoint, string, error) {
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
	if err := eps.apply(ctx, scope, ep, in); err != nil {
		return nil, "", err
	}
	if ep.Disabled {
		ep.DisabledReason, ep.DisabledAt = "disabled at creation", &now
	}
	if err := attachScript(ctx, eps.store, scope, ep.ID, "", ep.TransformScriptID); err != nil {
		return nil, "", err
	}
	secret := signature.NewSecret()
	if err := eps.save(ctx, scope, ep, []core.EndpointSecret{{Secret: secret}}); err != nil {
		return nil, "", err
	}
	if ep.Disabled {
		eps.engine.markDisabled(ctx, scope, core.TargetEndpoint, ep.ID, redisstore.DisabledByRequest)
	}
	if err := eps.engine.AddScope(ctx, scope); err != nil {
		eps.engine.opts.Logger.Warn("serve new scope", "err", err)
	}
	return ep, secret, nil
}

// FindEndpoint returns ENOTFOUND if the endpoint is not in scope.
func (eps *Endpoints) FindEndpoint(ctx context.Context, scope core.Scope, id string) (*core.Endpoint, error) {
	return eps.store.FindEndpoint(ctx, scope, id)
}

// ListEndpoints lists endpoints newest first.
func (eps *Endpoints) ListEndpoints(ctx context.Context, scope core.Scope, page core.Page) (core.List[*core.Endpoint], error) {
	return eps.store.ListEndpoints(ctx, scope, page)
}

// UpdateEndpoint changes the given fields. Setting disabled to false
// re-enables the endpoint like EnableEndpoint. Returns ENOTFOUND or EINVALID.
func (eps *Endpoints) UpdateEndpoint(ctx context.Context, scope core.Scope, id string, in core.EndpointInput) (*core.Endpoint, error) {
	ep, err := eps.store.FindEndpoint(ctx, scope, id)
	if err != nil {
		return nil, err
	}
	wasDisabled, oldScript := ep.Disabled, ep.TransformScriptID
	if err := eps.apply(ctx, scope, ep, in); err != nil {
		return nil, err
	}
	if err := attachScript(ctx, eps.store, scope, id, oldScript, ep.TransformScriptID); err != nil {
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	ep.UpdatedAt = now
	if ep.Disabled && !wasDisabled {
		ep.DisabledReason, ep.DisabledAt = "disabled by request", &now
	} else if !ep.Disabled && wasDisabled {
		return eps.enable(ctx, scope, ep)
	}
	if err := eps.save(ctx, scope, ep, nil); err != nil {
		return nil, err
	}
	if ep.Disabled && !wasDisabled {
		eps.engine.markDisabled(ctx, scope, core.TargetEndpoint, ep.ID, redisstore.DisabledByRequest)
	}
	return ep, nil
}

// DeleteEndpoint removes an endpoint; its pending deliveries fail as their
// entries come up. Returns ENOTFOUND.
func (eps *Endpoints) DeleteEndpoint(ctx context.Context, scope core.Scope, id string) error {
	ep, err := eps.store.FindEndpoint(ctx, scope, id)
	if err != nil {
		return err
	}
	if err := eps.store.DeleteEndpoint(ctx, scope, id); err != nil {
		return err
	}
	eps.targets.forget(scope, id)
	eps.engine.markDisabled(ctx, scope, core.TargetEndpoint, id, "")
	if err := attachScript(ctx, eps.store, scope, id, ep.TransformScriptID, ""); err != nil {
		return err
	}
	return eps.engine.releaseParked(ctx, scope, core.Target{Kind: core.TargetEndpoint, ID: id}) // so that they end as failed
}

// RotateSecret makes a new secret and keeps the newest old one signing for
// grace (Options.RotationGrace when 0). Returns ENOTFOUND.
func (eps *Endpoints) RotateSecret(ctx context.Context, scope core.Scope, id string, grace time.Duration) (*core.Endpoint, core.RotatedSecret, error) {
	if grace <= 0 {
		grace = eps.engine.opts.RotationGrace
	}
	now := time.Now()
	ep, olds, err := eps.store.EndpointAndSecrets(ctx, scope, id, now)
	if err != nil {
		return nil, core.RotatedSecret{}, err
	}
	rotated := core.RotatedSecret{Secret: signature.NewSecret()}
	secrets := []core.EndpointSecret{}
	if len(olds) > 0 {
		until := now.Add(grace).UTC().Truncate(time.Second)
		secrets = append(secrets, core.EndpointSecret{Secret: olds[len(olds)-1], ExpiresAt: &until})
		rotated.PreviousExpiresAt = &until
	}
	secrets = append(secrets, core.EndpointSecret{Secret: rotated.Secret})
	ep.UpdatedAt = now.UTC().Truncate(time.Second)
	if err := eps.save(ctx, scope, ep, secrets); err != nil {
		return nil, core.RotatedSecret{}, err
	}
	return ep, rotated, nil
}

// EnableEndpoint re-enables an endpoint, forgets its failure record and
// queues its parked deliveries. Returns ENOTFOUND.
func (eps *Endpoints) EnableEndpoint(ctx context.Context, scope core.Scope, id string) (*core.Endpoint, error) {
	ep, err := eps.store.FindEndpoint(ctx, scope, id)
	if err != nil {
		return nil, err
	}
	return eps.enable(ctx, scope, ep)
}

func (eps *Endpoints) enable(ctx context.Context, scope core.Scope, ep *core.Endpoint) (*core.Endpoint, error) {
	ep.Disabled, ep.DisabledReason, ep.DisabledAt = false, "", nil
	ep.UpdatedAt = time.Now().UTC().Truncate(time.Second)
	if err := eps.save(ctx, scope, ep, nil); err != nil {
		return nil, err
	}
	if err := eps.engine.attempts.ResetHealth(ctx, scope, ep.ID); err != nil {
		return nil, err
	}
	if err := eps.engine.releaseParked(ctx, scope, core.Target{Kind: core.TargetEndpoint, ID: ep.ID}); err != nil {
		return nil, err
	}
	eps.engine.markDisabled(ctx, scope, core.TargetEndpoint, ep.ID, "")
	return ep, nil
}

// DisableEndpoint stops deliveries to an endpoint; they wait, parked.
// Returns ENOTFOUND.
func (eps *Endpoints) DisableEndpoint(ctx context.Context, scope core.Scope, id, reason string) (*core.Endpoint, error) {
	if reason == "" {
		reason = "disabled by request"
	}
	return eps.disable(ctx, scope, id, reason, false)
}

// disable turns an endpoint off; the breaker's disabling (auto) publishes
// endpoint.disabled, once, by the hub that flipped it.
func (eps *Endpoints) disable(ctx context.Context, scope core.Scope, id, reason string, auto bool) (*core.Endpoint, error) {
	ep, err := eps.store.FindEndpoint(ctx, scope, id)
	if err != nil {
		return nil, err
	}
	if ep.Disabled {
		return ep, nil
	}
	now := time.Now().UTC().Truncate(time.Second)
	ep.Disabled, ep.DisabledReason, ep.DisabledAt, ep.UpdatedAt = true, reason, &now, now
	if err := eps.save(ctx, scope, ep, nil); err != nil {
		return nil, err
	}
	cause := redisstore.DisabledByRequest
	if auto {
		cause = redisstore.DisabledByBreaker
		eps.publishDisabled(ctx, scope, ep)
	}
	eps.engine.markDisabled(ctx, scope, core.TargetEndpoint, ep.ID, cause)
	return ep, nil
}

// save stores ep and drops this hub's cached copy, so that its
// next attempt sees the change at once.
func (eps *Endpoints) save(ctx context.Context, scope core.Scope, ep *core.Endpoint, secrets []core.EndpointSecret) error {
	err := eps.store.SaveEndpoint(ctx, scope, ep, secrets)
	eps.targets.forget(scope, ep.ID)
	return err
}

// TestEndpoint sends a sample event of eventType to the endpoint now, once,
// and returns the attempt. It is neither retried nor counted in the stats.
// Returns ENOTFOUND for the endpoint, EINVALID for an unknown type.
func (eps *Endpoints) TestEndpoint(ctx context.Context, scope core.Scope, endpointID, eventType string) (*core.Attempt, error) {
	info, err := eps.Lookup(ctx, scope, endpointID)
	if err != nil {
		return nil, err
	}
	if eventType == "" {
		return nil, core.ParamError("event_type", "Missing required param: event_type.")
	}
	ev, err := sampleEvent(ctx, eps.engine.opts.EventTypes, scope, eventType)
	if err != nil {
		return nil, err
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	d := newDelivery(ev, core.Target{Kind: core.TargetEndpoint, ID: endpointID}, "test")
	res := eps.Send(ctx, info, Job{Scope: scope, Delivery: d, Event: ev, Payload: payload, Number: 1})
	a := res.Attempt
	if a == nil {
		a = &core.Attempt{}
	}
	a.Number, a.Outcome, a.CreatedAt = 1, res.Outcome.String(), time.Now().UTC()
	if a.Error == "" && res.Outcome != outbound.Succeeded {
		a.Error = res.Reason
	}
	return a, nil
}

// publishDisabled publishes the endpoint.disabled operational event.
func (eps *Endpoints) publishDisabled(ctx context.Context, scope core.Scope, ep *core.Endpoint) {
	eps.engine.publishOperational(ctx, scope, "endpoint.disabled", ep.ID, map[string]any{
		"id": ep.ID, "url": ep.URL, "reason": ep.DisabledReason, "disabled_at": ep.DisabledAt,
	})
	eps.engine.alert(ctx, scope, core.Alert{Kind: core.AlertEndpointDisabled, Target: core.Target{Kind: core.TargetEndpoint, ID: ep.ID},
		Name: ep.URL, Reason: ep.DisabledReason, CreatedAt: *ep.DisabledAt})
}
