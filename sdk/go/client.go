package bellhop

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/bellhop/bellhop/sdk/go/api"
)

// DefaultBaseURL is where Client sends requests when no WithBaseURL is
// given: the hub `make run` starts.
const DefaultBaseURL = "http://127.0.0.1:8080"

// Client calls Bellhop's API. Its services group the operations people use
// most; API is the generated client for every other operation, and it
// shares the Client's key, retries and Idempotency-Keys.
//
// A Client is safe for concurrent use.
type Client struct {
	Events           *EventsService
	WebhookEndpoints *WebhookEndpointsService
	Deliveries       *DeliveriesService
	Backfills        *BackfillsService
	Connections      *ConnectionsService
	Scripts          *ScriptsService

	// API is the client generated from the OpenAPI document, for the
	// operations the services leave out. Its …WithResponse methods decode
	// the documented bodies (JSON200, JSON201, …); on another status,
	// ParseError(r.HTTPResponse, r.Body) gives the *Error.
	API *api.ClientWithResponses
}

// Option configures a Client.
type Option func(*config)

type config struct {
	baseURL string
	http    *http.Client
	retry   retryPolicy
}

// WithBaseURL sets the hub's URL, e.g. "https://bellhop.example.com". A
// trailing /v1, as `make run` prints the API's URL, is accepted.
func WithBaseURL(u string) Option {
	return func(c *config) { c.baseURL = u }
}

// WithHTTPClient sets the http.Client requests go through (for a proxy, a
// custom TLS configuration or a timeout per attempt).
func WithHTTPClient(h *http.Client) Option {
	return func(c *config) { c.http = h }
}

// WithMaxRetries sets how many times a request is retried after a
// connection error, a 429 or a 5xx: 3 unless set; 0 disables retries.
func WithMaxRetries(n int) Option {
	return func(c *config) { c.retry.maxRetries = max(n, 0) }
}

// WithMaxRetryWait bounds the wait before one retry, whether it comes from
// the backoff or the server's Retry-After: 30 seconds unless set. A
// Retry-After longer than this is not waited for: the error is returned.
func WithMaxRetryWait(d time.Duration) Option {
	return func(c *config) { c.retry.maxWait = d }
}

// WithRetryBackoff sets the wait before the first retry when the answer
// has no Retry-After: 500ms unless set. It doubles for each retry after,
// up to the WithMaxRetryWait bound, and is spread by a random half so that
// clients refused together do not come back together.
func WithRetryBackoff(first time.Duration) Option {
	return func(c *config) { c.retry.minWait = first }
}

// NewClient returns a Client that authenticates with apiKey, a bh_test_… or
// bh_live_… key.
func NewClient(apiKey string, opts ...Option) (*Client, error) {
	cfg := config{baseURL: DefaultBaseURL, http: http.DefaultClient, retry: defaultRetryPolicy}
	for _, o := range opts {
		o(&cfg)
	}
	if apiKey == "" {
		return nil, fmt.Errorf("bellhop: NewClient needs an API key")
	}
	base := strings.TrimSuffix(strings.TrimSuffix(cfg.baseURL, "/"), "/v1")
	doer := &transport{http: cfg.http, apiKey: apiKey, retry: cfg.retry}
	raw, err := api.NewClientWithResponses(base, api.WithHTTPClient(doer))
	if err != nil {
		return nil, fmt.Errorf("bellhop: %w", err)
	}
	c := &Client{API: raw}
	c.Events = &EventsService{api: raw.ClientInterface}
	c.WebhookEndpoints = &WebhookEndpointsService{api: raw.ClientInterface}
	c.Deliveries = &DeliveriesService{api: raw.ClientInterface}
	c.Backfills = &BackfillsService{api: raw.ClientInterface}
	c.Connections = &ConnectionsService{api: raw.ClientInterface}
	c.Scripts = &ScriptsService{api: raw.ClientInterface}
	return c, nil
}

// decode reads a response of the generated client: the JSON body into a
// new T on a 2xx, a *Error otherwise.
func decode[T any](resp *http.Response, err error) (*T, error) {
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("bellhop: read the response: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, ParseError(resp, body)
	}
	v := new(T)
	if err := json.Unmarshal(body, v); err != nil {
		return nil, fmt.Errorf("bellhop: decode %s %s: %w", resp.Request.Method, resp.Request.URL.Path, err)
	}
	return v, nil
}

// ptrOr returns *p, or the zero T when p is nil, so that a method can take
// optional parameters as a pointer and still change its own copy.
func ptrOr[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
