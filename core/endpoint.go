package core

import (
	"context"
	"encoding/json"
	"time"
)

// SecretPrefix starts every endpoint signing secret ("whsec_" + base64 of 32
// random bytes), so that a leaked secret is recognisable by scanners.
const SecretPrefix = "whsec_"

// Endpoint is a URL that receives signed POSTs of the events it subscribed
// to. Its secret is never part of the struct that the API returns: it is
// shown once, at creation and rotation, and kept encrypted at rest.
type Endpoint struct {
	ID                string            `json:"id"` // whe_…
	Object            string            `json:"object"`
	URL               string            `json:"url"`
	Description       string            `json:"description"`
	EnabledEvents     []string          `json:"enabled_events"` // type names, or ["*"]
	PropertyIDs       []string          `json:"property_ids"`   // empty means every property
	Metadata          map[string]string `json:"metadata"`
	Headers           map[string]string `json:"headers"`             // static headers added to every request; values sealed at rest, shown masked
	RateLimit         int               `json:"rate_limit"`          // deliveries per second; 0 means unlimited
	MaxConcurrency    int               `json:"max_concurrency"`     // requests in flight at once; 0 means the server default
	RetrySchedule     RetrySchedule     `json:"retry_schedule"`      // a preset or custom delays
	TransformScriptID string            `json:"transform_script_id"` // "" for none
	// PropagateTrace, when the hub traces (OpenTelemetry), sends each
	// attempt's W3C traceparent to the endpoint, so that a receiver that
	// traces too joins the event's trace; off by default, as it tells the
	// receiver about the hub's traces.
	PropagateTrace bool       `json:"propagate_trace"`
	Disabled       bool       `json:"disabled"`
	DisabledReason string     `json:"disabled_reason"` // why, when Disabled
	DisabledAt     *time.Time `json:"disabled_at"`
	Livemode       bool       `json:"livemode"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// RetrySchedule says when a failed delivery is tried again: either a
// built-in Preset ("default", "guestos") or a custom list of Delays, where
// Delays[i] is the wait before attempt i+1 (Delays[0] is usually 0). In JSON
// it is the preset name or a list of durations ("30s", or seconds as numbers),
// the two forms the API accepts. The zero value means the server's schedule.
type RetrySchedule struct {
	Preset string
	Delays []time.Duration
}

// RetryPreset returns a built-in schedule: "default" is the 8-attempt,
// ~72-hour schedule of the webhook contract, "guestos" the 5-attempt one.
func RetryPreset(name string) ([]time.Duration, bool) {
	switch name {
	case "default":
		return []time.Duration{0, 30 * time.Second, 2 * time.Minute, 10 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour, 72 * time.Hour}, true
	case "guestos":
		return []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 12 * time.Hour}, true
	}
	return nil, false
}

// MaxRetryAttempts bounds a custom schedule, so that a typo cannot keep a
// delivery alive for ever.
const MaxRetryAttempts = 20

// IsZero reports whether the schedule is unset (the server's schedule applies).
func (r RetrySchedule) IsZero() bool { return r.Preset == "" && len(r.Delays) == 0 }

// Resolve returns the delays of the schedule, or fallback when it is unset.
func (r RetrySchedule) Resolve(fallback []time.Duration) []time.Duration {
	if len(r.Delays) > 0 {
		return r.Delays
	}
	if d, ok := RetryPreset(r.Preset); ok {
		return d
	}
	return fallback
}

// MarshalJSON writes the preset name, a list of duration strings, or null.
func (r RetrySchedule) MarshalJSON() ([]byte, error) {
	if r.Preset != "" {
		return json.Marshal(r.Preset)
	}
	if len(r.Delays) == 0 {
		return []byte("null"), nil
	}
	out := make([]string, len(r.Delays))
	for i, d := range r.Delays {
		out[i] = d.String()
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads a preset name or a list of delays, each a Go duration
// string ("30s", "2m") or a number of seconds. Returns EINVALID errors.
func (r *RetrySchedule) UnmarshalJSON(b []byte) error {
	*r = RetrySchedule{}
	if string(b) == "null" {
		return nil
	}
	var name string
	if json.Unmarshal(b, &name) == nil {
		if _, ok := RetryPreset(name); !ok {
			return ParamError("retry_schedule", "Unknown retry schedule preset %q: use \"default\", \"guestos\" or a list of delays.", name)
		}
		r.Preset = name
		return nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(b, &items); err != nil {
		return ParamError("retry_schedule", "retry_schedule must be a preset name or a list of delays.")
	}
	delays, err := parseDelays(items)
	if err != nil {
		return err
	}
	r.Delays = delays
	return nil
}

func parseDelays(items []json.RawMessage) ([]time.Duration, error) {
	if len(items) == 0 || len(items) > MaxRetryAttempts {
		return nil, ParamError("retry_schedule", "retry_schedule must list between 1 and %d delays.", MaxRetryAttempts)
	}
	out := make([]time.Duration, len(items))
	for i, it := range items {
		var s string
		var secs float64
		if json.Unmarshal(it, &s) == nil {
			d, err := time.ParseDuration(s)
			if err != nil {
				return nil, ParamError("retry_schedule", "Delay %q is not a duration such as \"30s\" or \"2h\".", s)
			}
			out[i] = d
		} else if json.Unmarshal(it, &secs) == nil {
			out[i] = time.Duration(secs * float64(time.Second))
		} else {
			return nil, ParamError("retry_schedule", "Each delay must be a duration string or a number of seconds.")
		}
		if out[i] < 0 || out[i] > 7*24*time.Hour {
			return nil, ParamError("retry_schedule", "Each delay must be between 0s and 168h.")
		}
	}
	return out, nil
}

// EndpointInput creates an endpoint. Nil pointers and slices mean "not given"
// so that the same struct serves updates.
type EndpointInput struct {
	URL               *string
	Description       *string
	EnabledEvents     []string
	PropertyIDs       []string
	Metadata          map[string]string
	Headers           map[string]string
	RateLimit         *int
	MaxConcurrency    *int
	RetrySchedule     *RetrySchedule
	TransformScriptID *string
	Disabled          *bool
	PropagateTrace    *bool
}

// EndpointService manages webhook endpoints and their secrets.
type EndpointService interface {
	// CreateEndpoint validates input and stores a new endpoint. It returns the
	// endpoint and its secret, which is never available again. Returns
	// EINVALID naming the param at fault.
	CreateEndpoint(ctx context.Context, scope Scope, input EndpointInput) (*Endpoint, string, error)

	// FindEndpoint returns ENOTFOUND if the endpoint is not in scope.
	FindEndpoint(ctx context.Context, scope Scope, id string) (*Endpoint, error)

	// ListEndpoints lists endpoints newest first.
	ListEndpoints(ctx context.Context, scope Scope, page Page) (List[*Endpoint], error)

	// UpdateEndpoint changes the given fields. Returns ENOTFOUND or EINVALID.
	UpdateEndpoint(ctx context.Context, scope Scope, id string, input EndpointInput) (*Endpoint, error)

	// DeleteEndpoint removes an endpoint; its pending deliveries fail. Returns ENOTFOUND.
	DeleteEndpoint(ctx context.Context, scope Scope, id string) error

	// RotateSecret makes a new secret and returns it; the old one keeps
	// signing alongside it for the grace period. Returns ENOTFOUND.
	RotateSecret(ctx context.Context, scope Scope, id string, grace time.Duration) (*Endpoint, RotatedSecret, error)

	// EnableEndpoint re-enables an endpoint and releases its parked
	// deliveries. DisableEndpoint stops deliveries to it with a reason;
	// deliveries wait, parked, without burning attempts. Both return ENOTFOUND.
	EnableEndpoint(ctx context.Context, scope Scope, id string) (*Endpoint, error)
	DisableEndpoint(ctx context.Context, scope Scope, id string, reason string) (*Endpoint, error)

	// TestEndpoint sends a sample event of the given type to the endpoint now
	// and returns the attempt. Returns ENOTFOUND or EINVALID.
	TestEndpoint(ctx context.Context, scope Scope, endpointID, eventType string) (*Attempt, error)
}

// EndpointSecret is one signing secret of an endpoint. ExpiresAt is set on
// the old secret after a rotation: it keeps signing until then.
// RotatedSecret is what RotateSecret made: the new secret, shown this once,
// and until when the secret it replaced keeps signing beside it (nil when
// the endpoint had none).
type RotatedSecret struct {
	Secret            string
	PreviousExpiresAt *time.Time
}

type EndpointSecret struct {
	Secret    string
	ExpiresAt *time.Time
}

// EndpointStore keeps endpoints, their encrypted secrets and the index by
// event type that fan-out reads. It is the storage side of EndpointService.
type EndpointStore interface {
	// SaveEndpoint creates or replaces an endpoint, and its secrets when
	// secrets is not nil, and keeps the event-type index in step. Header
	// values are sealed; one equal to the mask a read showed keeps the
	// stored value, and ep.Headers comes back masked.
	SaveEndpoint(ctx context.Context, scope Scope, ep *Endpoint, secrets []EndpointSecret) error
	// FindEndpoint returns ENOTFOUND if the endpoint is not in scope.
	FindEndpoint(ctx context.Context, scope Scope, id string) (*Endpoint, error)
	// EndpointSecrets returns the secrets that sign now, oldest first.
	EndpointSecrets(ctx context.Context, scope Scope, id string, now time.Time) ([]string, error)
	ListEndpoints(ctx context.Context, scope Scope, page Page) (List[*Endpoint], error)
	// DeleteEndpoint returns ENOTFOUND if the endpoint is not in scope.
	DeleteEndpoint(ctx context.Context, scope Scope, id string) error
	// MatchEndpoints returns the endpoints subscribed to eventType (or "*").
	MatchEndpoints(ctx context.Context, scope Scope, eventType string) ([]*Endpoint, error)
}
