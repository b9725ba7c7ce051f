package core

import (
	"context"
	"encoding/json"
	"time"
)

// ConnectionIDPrefix starts every connection id.
const ConnectionIDPrefix = "conn_"

// Connection is a prebuilt connector (Slack, HubSpot, Sheets…) configured by
// an account: a delivery target like an endpoint, reached through a plugin
// instead of a signed POST. Config never holds a secret field's value when
// it leaves the store: secret fields are sealed at rest and read back masked
// (SecretMask, which shows no character of the secret), so that a credential
// is never shown twice.
type Connection struct {
	ID                string         `json:"id"` // conn_…
	Object            string         `json:"object"`
	Connector         string         `json:"connector"` // the plugin's name: slack, hubspot, sheets…
	Name              string         `json:"name"`
	Config            map[string]any `json:"config"`         // secret fields masked
	EnabledEvents     []string       `json:"enabled_events"` // type names, or ["*"]
	PropertyIDs       []string       `json:"property_ids"`   // empty means every property
	TransformScriptID string         `json:"transform_script_id"`
	Disabled          bool           `json:"disabled"`
	DisabledReason    string         `json:"disabled_reason"`
	DisabledAt        *time.Time     `json:"disabled_at"`
	Livemode          bool           `json:"livemode"`
	CreatedAt         time.Time      `json:"created_at"`
	UpdatedAt         time.Time      `json:"updated_at"`
}

// ConnectionInput creates or updates a connection. Nil pointers, maps and
// slices mean "not given", so that the same struct serves updates. On
// update, Config replaces the whole configuration except secret fields that
// are left out or sent back masked, which keep their stored value.
type ConnectionInput struct {
	Connector         *string
	Name              *string
	Config            map[string]any
	EnabledEvents     []string
	PropertyIDs       []string
	TransformScriptID *string
	Disabled          *bool
}

// ConnectionDraft is a connection form not saved yet: what a person typed
// into the console's form before pressing Save. ID names the stored
// connection being edited, whose stored secrets fill the secret fields left
// empty or sent back masked; "" is a new connection, of Input.Connector.
// Only Connector, Config, EnabledEvents and TransformScriptID are read.
type ConnectionDraft struct {
	ID    string
	Input ConnectionInput
}

// ConnectorInfo is what the hub shows about one connector plugin: what it
// does, the JSON Schema of its configuration form (secret fields carry
// "x-secret"), the event types it suggests and whether it runs.
type ConnectorInfo struct {
	Name            string          `json:"name"`
	Object          string          `json:"object"` // "connector"
	DisplayName     string          `json:"display_name"`
	Version         string          `json:"version"`
	Description     string          `json:"description"`
	ConfigSchema    json.RawMessage `json:"config_schema"`
	SecretFields    []string        `json:"secret_fields"`
	SuggestedEvents []string        `json:"suggested_events"`
	DefaultScript   string          `json:"default_script"`
	State           string          `json:"state"` // available, running, crashed, error
	Error           string          `json:"error"` // why, with crashed and error
}

// ConnectorOption is one choice for a connector's form field (a Slack
// channel, a sheet tab).
type ConnectorOption struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// ConnectionTest is the answer to a connection test: the connector's live
// check, then a dry run of a catalog sample through the connection's
// transform, which shows the connector input an event would become.
type ConnectionTest struct {
	Object     string          `json:"object"` // "connection_test"
	OK         bool            `json:"ok"`     // the check passed and the transform ran
	Check      CheckResult     `json:"check"`
	EventType  string          `json:"event_type"`
	Output     json.RawMessage `json:"output"` // the connector input; null when skipped or failed
	Skipped    bool            `json:"skipped"`
	SkipReason string          `json:"skip_reason"`
	Logs       []string        `json:"logs"`
	Error      string          `json:"error"` // the transform's error, if any
}

// CheckResult is the outcome of a connector's live check. OK with Contacted
// false means the configuration was checked for form only: the connector
// cannot check it without a side effect (a Slack incoming webhook), so the
// user is not told the service was reached.
type CheckResult struct {
	OK        bool   `json:"ok"`
	Contacted bool   `json:"contacted"` // a request was made to the service and answered
	Message   string `json:"message"`   // what was checked, or why it failed
}

// ConnectionService manages connections, lists connectors and runs
// connection tests. Deliveries, replay and backfill of a connection go
// through the DeliveryService methods that take a Target.
type ConnectionService interface {
	// ListConnectors describes every connector plugin the hub found.
	ListConnectors(ctx context.Context) ([]*ConnectorInfo, error)

	// ConnectionOptions lists the choices for a form field of a connection
	// (Slack channels, sheet tabs), asked of the connector with the stored
	// configuration, so that the credentials never travel again. Returns
	// ENOTFOUND, or EINVALID when the connector lists no options for field.
	ConnectionOptions(ctx context.Context, scope Scope, id, field string) ([]ConnectorOption, error)

	// DraftOptions is ConnectionOptions for a configuration not saved yet,
	// so that a form can offer the Slack channels a token sees before the
	// connection exists (a Slack connection with a token cannot be saved
	// without its channel). The config need not be complete: only what the
	// connector needs to list (the token). Returns ENOTFOUND for an unknown
	// connection, EINVALID naming "connector" for an unknown connector, and
	// EINVALID when the connector lists no options for field or the config
	// cannot list them (the message says why, never quoting a secret).
	DraftOptions(ctx context.Context, scope Scope, draft ConnectionDraft, field string) ([]ConnectorOption, error)

	// TestDraft is TestConnection for a configuration not saved yet: the
	// config is validated as CreateConnection would (EINVALID naming
	// "config.<field>"), then checked live and a sample run through the
	// draft's transform. Nothing is stored or delivered.
	TestDraft(ctx context.Context, scope Scope, draft ConnectionDraft, eventType string) (*ConnectionTest, error)

	// CreateConnection validates input (the config against the connector's
	// schema and by its Validate) and stores a new connection. Returns
	// EINVALID naming the param at fault ("config.<field>" for the config).
	CreateConnection(ctx context.Context, scope Scope, input ConnectionInput) (*Connection, error)

	// FindConnection returns ENOTFOUND if the connection is not in scope.
	FindConnection(ctx context.Context, scope Scope, id string) (*Connection, error)

	// ListConnections lists connections newest first.
	ListConnections(ctx context.Context, scope Scope, page Page) (List[*Connection], error)

	// UpdateConnection changes the given fields. Returns ENOTFOUND or EINVALID.
	UpdateConnection(ctx context.Context, scope Scope, id string, input ConnectionInput) (*Connection, error)

	// DeleteConnection removes a connection; its pending deliveries fail.
	// Returns ENOTFOUND.
	DeleteConnection(ctx context.Context, scope Scope, id string) error

	// EnableConnection re-enables a connection and releases its parked
	// deliveries; DisableConnection stops them with a reason. Both return
	// ENOTFOUND.
	EnableConnection(ctx context.Context, scope Scope, id string) (*Connection, error)
	DisableConnection(ctx context.Context, scope Scope, id, reason string) (*Connection, error)

	// TestConnection runs the connector's live check and a dry run of a
	// sample of eventType (the first enabled or suggested type when "")
	// through the transform. Nothing is delivered. Returns ENOTFOUND or
	// EINVALID for an unknown event type.
	TestConnection(ctx context.Context, scope Scope, id, eventType string) (*ConnectionTest, error)
}

// ConnectionStore keeps connections, their sealed secrets and the index by
// event type that fan-out reads. It is the storage side of ConnectionService.
type ConnectionStore interface {
	// SaveConnection creates or replaces c. secrets are the values of its
	// secret fields, sealed before they are stored; nil keeps the stored
	// ones. c.Config must not hold them.
	SaveConnection(ctx context.Context, scope Scope, c *Connection, secrets map[string]string) error
	// FindConnection returns the connection with its secret fields masked.
	// Returns ENOTFOUND.
	FindConnection(ctx context.Context, scope Scope, id string) (*Connection, error)
	// ConnectionSecrets returns the connection and the plain values of its
	// secret fields, for a delivery. Returns ENOTFOUND.
	ConnectionSecrets(ctx context.Context, scope Scope, id string) (*Connection, map[string]string, error)
	ListConnections(ctx context.Context, scope Scope, page Page) (List[*Connection], error)
	// DeleteConnection returns ENOTFOUND if the connection is not in scope.
	DeleteConnection(ctx context.Context, scope Scope, id string) error
	// MatchConnections returns the connections subscribed to eventType (or "*").
	MatchConnections(ctx context.Context, scope Scope, eventType string) ([]*Connection, error)
}
