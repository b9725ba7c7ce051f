package bellhop

import (
	"context"
	"iter"
	"net/http"
	"time"

	"github.com/bellhop/bellhop/sdk/go/api"
)

// The webhook endpoint types, as the API defines them.
type (
	// WebhookEndpoint is a URL that receives signed POSTs of the events it
	// subscribed to. Its secret is never part of it.
	WebhookEndpoint = api.WebhookEndpoint
	// WebhookEndpointWithSecret is an endpoint with its signing secret,
	// shown this once, at creation and rotation.
	WebhookEndpointWithSecret = api.WebhookEndpointWithSecret
	// CreateWebhookEndpointRequest is what WebhookEndpoints.Create takes:
	// URL and EnabledEvents are required.
	CreateWebhookEndpointRequest = api.CreateWebhookEndpointRequest
	// UpdateWebhookEndpointRequest is what WebhookEndpoints.Update takes:
	// only the fields set (non-nil) change. Ptr makes a pointer of a value.
	UpdateWebhookEndpointRequest = api.UpdateWebhookEndpointRequest
	// ListWebhookEndpointsParams are the cursors and page size of a list.
	ListWebhookEndpointsParams = api.ListWebhookEndpointsParams
	// ListDeliveriesParams filters the deliveries of an endpoint.
	ListDeliveriesParams = api.ListWebhookEndpointDeliveriesParams
	// BackfillRequest is the window of events a backfill sends again.
	BackfillRequest = api.BackfillRequest
	// RetrySchedule is when an endpoint's failed deliveries are retried.
	RetrySchedule = api.RetrySchedule
	// Replay is the delivery a replay queued.
	Replay = api.Replay
)

// Ptr returns a pointer to v, for the optional fields of an update:
// UpdateWebhookEndpointRequest{Disabled: bellhop.Ptr(false)}.
func Ptr[T any](v T) *T { return &v }

// WebhookEndpointsService manages webhook endpoints. The operations on one
// endpoint return an *Error with code resource_missing (status 404) when
// the account has no endpoint of that id.
type WebhookEndpointsService struct {
	api api.ClientInterface
}

// Create registers an endpoint and returns it with its secret, which is
// never shown again: keep it to verify deliveries (package webhook).
// Returns an *Error of type invalid_request_error naming the bad param
// (url, enabled_events, …).
func (s *WebhookEndpointsService) Create(ctx context.Context, req CreateWebhookEndpointRequest) (*WebhookEndpointWithSecret, error) {
	return decode[WebhookEndpointWithSecret](s.api.CreateWebhookEndpoint(ctx, nil, req))
}

// List iterates over the account's endpoints, fetching pages as it goes.
func (s *WebhookEndpointsService) List(ctx context.Context, params *ListWebhookEndpointsParams) iter.Seq2[WebhookEndpoint, error] {
	p := ptrOr(params)
	return paginate(&p.StartingAfter, &p.EndingBefore,
		func() (*http.Response, error) { return s.api.ListWebhookEndpoints(ctx, &p) },
		func(e WebhookEndpoint) string { return e.ID })
}

// Get returns the endpoint id.
func (s *WebhookEndpointsService) Get(ctx context.Context, id string) (*WebhookEndpoint, error) {
	return decode[WebhookEndpoint](s.api.GetWebhookEndpoint(ctx, id))
}

// Update changes the fields req sets and returns the endpoint.
func (s *WebhookEndpointsService) Update(ctx context.Context, id string, req UpdateWebhookEndpointRequest) (*WebhookEndpoint, error) {
	return decode[WebhookEndpoint](s.api.UpdateWebhookEndpoint(ctx, id, nil, req))
}

// Delete deletes the endpoint: nothing more is delivered to it.
func (s *WebhookEndpointsService) Delete(ctx context.Context, id string) error {
	_, err := decode[api.Deleted](s.api.DeleteWebhookEndpoint(ctx, id))
	return err
}

// RotateSecret gives the endpoint a new secret, returned this once. The
// old secret keeps signing beside the new one for grace (the hub's default,
// 24 hours, when 0), until PreviousSecretExpiresAt: deliveries carry a
// signature by each, and webhook.Verify accepts either.
func (s *WebhookEndpointsService) RotateSecret(ctx context.Context, id string, grace time.Duration) (*WebhookEndpointWithSecret, error) {
	req := api.RotateSecretRequest{GracePeriod: int(grace / time.Second)}
	return decode[WebhookEndpointWithSecret](s.api.RotateWebhookEndpointSecret(ctx, id, nil, req))
}

// Enable re-enables a disabled endpoint; deliveries resume.
func (s *WebhookEndpointsService) Enable(ctx context.Context, id string) (*WebhookEndpoint, error) {
	return decode[WebhookEndpoint](s.api.EnableWebhookEndpoint(ctx, id, nil))
}

// Disable stops deliveries to the endpoint; reason is shown beside it.
func (s *WebhookEndpointsService) Disable(ctx context.Context, id, reason string) (*WebhookEndpoint, error) {
	req := api.DisableWebhookEndpointRequest{Reason: reason}
	return decode[WebhookEndpoint](s.api.DisableWebhookEndpoint(ctx, id, nil, req))
}

// Test sends the endpoint a signed sample event of eventType now and
// returns the attempt: the request sent and the receiver's answer.
func (s *WebhookEndpointsService) Test(ctx context.Context, id, eventType string) (*Attempt, error) {
	req := api.TestWebhookEndpointRequest{EventType: eventType}
	return decode[Attempt](s.api.TestWebhookEndpoint(ctx, id, nil, req))
}

// Replay delivers the event eventID to the endpoint again, with the same
// event id, so that the receiver can tell it has seen it.
func (s *WebhookEndpointsService) Replay(ctx context.Context, id, eventID string) (*Replay, error) {
	req := api.ReplayRequest{EventID: eventID}
	return decode[Replay](s.api.ReplayEvent(ctx, id, nil, req))
}

// Backfill delivers to the endpoint again every event of a window within
// the retention; follow its progress with Backfills.Get.
func (s *WebhookEndpointsService) Backfill(ctx context.Context, id string, req BackfillRequest) (*Backfill, error) {
	return decode[Backfill](s.api.StartBackfill(ctx, id, nil, req))
}

// Deliveries iterates over the endpoint's deliveries, newest first.
func (s *WebhookEndpointsService) Deliveries(ctx context.Context, id string, params *ListDeliveriesParams) iter.Seq2[Delivery, error] {
	p := ptrOr(params)
	return paginate(&p.StartingAfter, &p.EndingBefore,
		func() (*http.Response, error) { return s.api.ListWebhookEndpointDeliveries(ctx, id, &p) },
		func(d Delivery) string { return d.ID })
}
