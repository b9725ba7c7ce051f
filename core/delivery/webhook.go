package delivery

import (
	"context"
	"net/http"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/outbound"
	"github.com/bellhop/bellhop/core/signature"
	"github.com/bellhop/bellhop/core/tracing"
	"go.opentelemetry.io/otel/attribute"
)

// endpointTarget is the sender's view of an endpoint for one attempt: ep
// shows its header values masked, headers holds the real ones, keys its
// signing secrets ready to sign (made once a lookup, kept with it).
type endpointTarget struct {
	ep      *core.Endpoint
	keys    *signature.Keys
	headers map[string]string
}

// Forget drops this hub's cached lookup of an endpoint (Sender.Forget).
func (eps *Endpoints) Forget(scope core.Scope, id string) { eps.targets.forget(scope, id) }

// Lookup loads the endpoint, its signing secrets and its static headers in
// one read.
// A lookup is kept for Options.TargetCacheTTL.
func (eps *Endpoints) Lookup(ctx context.Context, scope core.Scope, id string) (info *TargetInfo, err error) {
	now := time.Now()
	if info, ok := eps.targets.get(scope, id, now); ok {
		return info, nil
	}
	opened, err := eps.store.OpenEndpoint(ctx, scope, id, now)
	if err != nil {
		return nil, err
	}
	defer func() { eps.targets.put(scope, id, info, now) }()
	ep := opened.Endpoint
	info = &TargetInfo{
		Disabled: ep.Disabled, DisabledReason: ep.DisabledReason, MaxConcurrency: ep.MaxConcurrency,
		RateLimit: ep.RateLimit, Data: &endpointTarget{ep: ep, keys: signature.NewKeys(opened.Secrets), headers: opened.Headers},
	}
	if !ep.RetrySchedule.IsZero() {
		info.Schedule = ep.RetrySchedule.Resolve(nil)
	}
	return info, nil
}

// Match returns the endpoints subscribed to eventType.
func (eps *Endpoints) Match(ctx context.Context, scope core.Scope, eventType string) ([]Subscription, error) {
	return endpointSubscriptions(eps.store.MatchEndpoints(ctx, scope, eventType))
}

func endpointSubscriptions(found []*core.Endpoint, err error) ([]Subscription, error) {
	return subscriptions(found, err, func(ep *core.Endpoint) Subscription {
		return Subscription{Target: core.Target{Kind: core.TargetEndpoint, ID: ep.ID}, PropertyIDs: ep.PropertyIDs, Schedule: ep.RetrySchedule.Resolve(nil)}
	})
}

// Disable turns the endpoint off and publishes endpoint.disabled.
func (eps *Endpoints) Disable(ctx context.Context, scope core.Scope, id, reason string) error {
	_, err := eps.disable(ctx, scope, id, reason, true)
	return err
}

// Send makes one attempt to the endpoint.
func (eps *Endpoints) Send(ctx context.Context, target *TargetInfo, job Job) Result {
	t := target.Data.(*endpointTarget)
	e := eps.engine
	tr, res := eps.transform(ctx, job, t.ep)
	if res != nil {
		return *res
	}
	body := tr.Output
	header := eps.requestHeader(t, job.Delivery.EventID, body, tr.Headers)
	if t.ep.PropagateTrace {
		if tp := tracing.Parent(ctx); tp != "" { // the attempt's span, when this event is traced
			header.Set("traceparent", tp)
		}
	}
	client := e.opts.TestHTTP
	if job.Scope.Livemode {
		client = e.opts.LiveHTTP
	}
	resp := client.Post(ctx, t.ep.URL, header, body)
	v := outbound.Classify(resp.Status, resp.Header, resp.Err, time.Now())
	a := &core.Attempt{
		ID: header.Get(e.opts.Prefix + "-Request-Id"), URL: t.ep.URL, RequestHeaders: eps.loggedHeaders(header, t.headers),
		ResponseStatus: resp.Status, ResponseHeaders: resp.Header, ResponseBody: resp.Body,
		LatencyMS: float64(resp.Latency.Microseconds()) / 1000,
	}
	if t.ep.TransformScriptID != "" {
		stampScript(a, t.ep.TransformScriptID, tr)
	}
	if resp.Err != nil {
		a.Error = resp.Err.Error()
	}
	return Result{Outcome: v.Outcome, Attempt: a, RetryAfter: v.RetryAfter, Reason: v.Reason,
		Is5xx: outbound.Is5xx(resp.Status), FailCode: outbound.FailCode(resp.Status, resp.Err)}
}

// transform runs the endpoint's script, if any, and returns what to send
// (with the headers the script set and its logs), or a final Result
// (skipped, or failed for a script error).
func (eps *Endpoints) transform(ctx context.Context, job Job, ep *core.Endpoint) (*core.TransformResult, *Result) {
	if ep.TransformScriptID == "" || eps.engine.opts.Transforms == nil {
		return &core.TransformResult{Output: job.Payload}, nil
	}
	ev, err := job.DecodeEvent()
	if err != nil {
		return nil, &Result{Outcome: outbound.Failed, Reason: "the event payload is unreadable", FailCode: "transform",
			Attempt: &core.Attempt{URL: ep.URL, Error: err.Error()}}
	}
	ctx, span := eps.engine.childSpan(ctx, "transform")
	tr, err := eps.engine.opts.Transforms.RunTransform(ctx, job.Scope, ep.TransformScriptID, ev,
		job.Delivery.Target, job.Number)
	endSpan(span, attribute.String("bellhop.script", ep.TransformScriptID), err)
	if res := transformOutcome(ep.TransformScriptID, tr, err); res != nil {
		res.Attempt.URL = ep.URL
		return nil, res
	}
	return tr, nil
}

// requestHeader builds the headers of one attempt: the endpoint's static
// headers and the script's, then the ones Bellhop owns, which win.
func (eps *Endpoints) requestHeader(t *endpointTarget, eventID string, body []byte, extra map[string]string) http.Header {
	h := make(http.Header, len(t.headers)+len(extra)+6) // + signature's 3, request id, type, agent
	for k, v := range t.headers {
		h.Set(k, v)
	}
	for k, v := range extra {
		h.Set(k, v)
	}
	signature.Signer{Prefix: eps.engine.opts.Prefix}.Sign(h, t.keys, eventID, time.Now(), body)
	h.Set(eps.engine.opts.Prefix+"-Request-Id", randomID("req_"))
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", eps.engine.opts.UserAgent)
	return h
}

// loggedHeaders returns the headers an attempt logs: those sent, with the
// value of each of the endpoint's static headers masked, since they carry
// receiver credentials, and the signatures masked (signature.Signer.Masked
// says why). The sent headers are left as they are.
func (eps *Endpoints) loggedHeaders(sent http.Header, static map[string]string) http.Header {
	logged := signature.Signer{Prefix: eps.engine.opts.Prefix}.Masked(sent, core.SecretMask)
	for name := range static {
		if v := logged.Get(name); v != "" {
			logged.Set(name, core.SecretMask)
		}
	}
	return logged
}
