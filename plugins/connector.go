package plugins

import (
	"context"
	"encoding/json"
	"time"

	"github.com/bellhop/bellhop/core/outbound"
)

// Connector is what a connector author implements: describe yourself, check a
// configuration, and deliver one input. The host calls it the same way
// whether it runs in process (tests) or as a plugin binary (plugins.Open).
type Connector interface {
	// Describe says what the connector is and how to configure it.
	Describe(ctx context.Context) (Description, error)

	// Validate checks a configuration without calling the remote API and
	// returns one FieldError per problem; none means the config is valid.
	Validate(ctx context.Context, config Config) ([]FieldError, error)

	// Check calls the remote API to prove the configuration works (Slack
	// auth.test, a HubSpot account call, Sheets spreadsheets.get). An error
	// says why it does not. A connector that cannot check without a side
	// effect (a Slack incoming webhook posts a message) checks what it can
	// and says so with CheckResult.NotContacted, so that a user is never told
	// a service was reached when it was not asked.
	Check(ctx context.Context, config Config) (CheckResult, error)

	// Deliver sends one input (the output of the connection's transform
	// script) to the remote API. A returned error means the connector itself
	// could not run the delivery; the host retries it.
	Deliver(ctx context.Context, config Config, input json.RawMessage) (Result, error)
}

// CheckResult is what a Check without error found. Its zero value means the
// connector made a request to its service and was answered well.
type CheckResult struct {
	// NotContacted says that no request was made: the configuration was
	// checked for form only.
	NotContacted bool `json:"not_contacted,omitempty"`
	// Message, if set, tells the user what was and was not checked.
	Message string `json:"message,omitempty"`
}

// OptionLister is implemented by connectors that can list the choices for a
// form field (Slack channels, sheet tabs, HubSpot properties).
type OptionLister interface {
	Options(ctx context.Context, config Config, field string) ([]Option, error)
}

// RateLimited is implemented by connectors whose service limits how fast it
// may be called (Slack about one message a second per channel, HubSpot 100
// requests per 10 s per token). The host asks for the limits of each
// delivery before it calls Deliver, and takes them from a limiter in Redis
// that every hub shares: when one is spent the delivery waits in Redis
// until the limiter says, without an attempt, and Deliver is not called. So
// a connector that declares its limits needs no limiter of its own, and
// three hubs never spend one channel's budget three times.
//
// Limits must be quick and must not call the service: it runs on every
// delivery. A connector that does not implement it is not limited by the
// host (it may still answer Retry with the service's Retry-After).
type RateLimited interface {
	// Limits returns the limits that delivering input with config spends;
	// none is fine. An error fails nothing: the delivery goes unlimited.
	Limits(ctx context.Context, config Config, input json.RawMessage) ([]Limit, error)
}

// Limit is one rate limit of the remote service that a delivery spends:
// Rate requests per Period, with bursts of up to Burst, per Key. Over any
// window W, at most Burst + Rate·W/Period requests go out, counted over
// every hub.
type Limit struct {
	// Name says which of the connector's limits this is ("channel",
	// "token"); with Key it names the counter.
	Name string `json:"name"`
	// Key is what the limit is per: the token and channel, the token, the
	// service account. It may be secret: the host only keeps its hash, and
	// only within the connection's account.
	Key    string        `json:"key"`
	Rate   int           `json:"rate"`
	Period time.Duration `json:"period"`
	Burst  int           `json:"burst,omitempty"` // 0: 1
	// Cost is how many requests this delivery makes against the limit (a
	// HubSpot upsert and a note: 2). 0: 1; more than Burst: Burst.
	Cost int `json:"cost,omitempty"`
}

// Config is a connection's configuration, as the user filled in the form:
// field name to value.
type Config map[string]any

// Description is what a connector says about itself.
type Description struct {
	Name            string   `json:"name"` // slack, hubspot, sheets: the binary is bellhop-connector-<name>
	DisplayName     string   `json:"display_name"`
	Version         string   `json:"version"`
	Description     string   `json:"description"`
	Fields          []Field  `json:"fields"`           // the configuration form, in order
	SuggestedEvents []string `json:"suggested_events"` // event types to preselect
	DefaultScript   string   `json:"default_script"`   // a script in scripts/, e.g. "slack/default.js"
}

// Field is one field of a connector's configuration form. The form's JSON
// Schema is derived from the fields (see Description.ConfigSchema).
type Field struct {
	Name     string   `json:"name"`
	Title    string   `json:"title"`
	Help     string   `json:"help,omitempty"`
	Type     string   `json:"type"` // "string", "integer", "boolean"
	Format   string   `json:"format,omitempty"`
	Enum     []string `json:"enum,omitempty"`
	Required bool     `json:"required,omitempty"`
	Secret   bool     `json:"secret,omitempty"`   // encrypted at rest, never returned by the API
	Advanced bool     `json:"advanced,omitempty"` // shown folded away in a form
	// Options says the connector lists this field's choices (OptionLister:
	// Slack channels, sheet tabs), so a form offers them in a list once the
	// fields they need (a token) are filled in, and still takes typed text.
	Options bool `json:"options,omitempty"`
	// URLMembers names, for a field that holds a JSON object (a key file),
	// its members that are URLs (Google's token_uri), so that the host
	// checks them like a field of format "uri" before a live connection is
	// saved, instead of the dial being refused later.
	URLMembers []string `json:"url_members,omitempty"`
}

// FieldError is one problem with one configuration field.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Option is one choice for a form field.
type Option struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// Outcome is how a delivery ended.
type Outcome string

// The outcomes of Deliver.
const (
	Delivered Outcome = "delivered" // the remote API took it
	Retry     Outcome = "retry"     // try again later (rate limit, 5xx, timeout)
	Failed    Outcome = "failed"    // will never work as configured (bad token, unknown channel)
)

// hubOutcomes are the hub's words (outbound.Outcome, the attempt log's
// vocabulary) for the protocol's, which stay as they are on the wire.
var hubOutcomes = map[Outcome]outbound.Outcome{Delivered: outbound.Succeeded, Retry: outbound.Retry, Failed: outbound.Failed}

// Hub returns o in the hub's vocabulary; an unknown outcome is Failed.
func (o Outcome) Hub() outbound.Outcome {
	if h, ok := hubOutcomes[o]; ok {
		return h
	}
	return outbound.Failed
}

// OutcomeOf returns the protocol's word for the hub's outcome h; one that
// a Deliver cannot report (skipped, deferred) is Failed.
func OutcomeOf(h outbound.Outcome) Outcome {
	for o, x := range hubOutcomes {
		if x == h {
			return o
		}
	}
	return Failed
}

// Result is what Deliver reports for the attempt log.
type Result struct {
	Outcome    Outcome       `json:"outcome"`
	ExternalID string        `json:"external_id,omitempty"` // the remote object's id, e.g. a Slack message ts
	RetryAfter time.Duration `json:"retry_after,omitempty"` // with Retry: the remote API's hint, if any
	// Status is the HTTP status the remote API answered, 0 when none came
	// back: a run of 5xx answers trips the hub's circuit breaker, as a
	// webhook receiver's do.
	Status  int    `json:"status,omitempty"`
	Summary string `json:"summary"` // what the remote API answered, short, secret-free
}
