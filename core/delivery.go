package core

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// Target kinds. A delivery goes to a webhook endpoint or, through a connector
// plugin, to a connection; the engine treats both the same way.
const (
	TargetEndpoint   = "webhook_endpoint"
	TargetConnection = "connection"
)

// Target names where a delivery goes.
type Target struct {
	Kind string `json:"kind"` // TargetEndpoint or TargetConnection
	ID   string `json:"id"`   // whe_… or the connection id
}

// Delivery statuses. A delivery is pending until it ends as succeeded, failed
// or skipped (the target's transform returned null). Parked deliveries wait
// for their disabled target to be re-enabled, without burning attempts.
const (
	StatusPending   = "pending"
	StatusParked    = "parked"
	StatusSucceeded = "succeeded"
	StatusFailed    = "failed"
	StatusSkipped   = "skipped"
)

// Delivery is one event on its way to one target. Its id is derived from the
// event id, the target and a replay nonce, so that a dispatcher that crashes
// and dispatches the same event again does not create it twice.
type Delivery struct {
	ID            string     `json:"id"` // whd_…
	Object        string     `json:"object"`
	EventID       string     `json:"event_id"`
	EventType     string     `json:"event_type"`
	Target        Target     `json:"target"` // endpoint_id too in JSON: see MarshalJSON
	Status        string     `json:"status"`
	Reason        string     `json:"reason"`      // why it failed, was skipped or parked
	Replay        bool       `json:"replay"`      // created by a replay or a backfill
	BackfillID    string     `json:"backfill_id"` // the backfill that created it, if any
	AttemptCount  int        `json:"attempt_count"`
	LastStatus    int        `json:"last_status"` // HTTP status of the last attempt, 0 if none
	NextAttemptAt *time.Time `json:"next_attempt_at"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	Livemode      bool       `json:"livemode"`
	Attempts      []*Attempt `json:"attempts,omitempty"` // filled in by FindDelivery
	// TraceParent is the W3C traceparent of the dispatch that made the
	// delivery, so that each attempt joins the event's trace; empty when
	// tracing is off. Never shown by the API.
	TraceParent string `json:"-"`
	// RetryWindow is how long after its creation the target's retry
	// schedule may still attempt it (its waits, each as long as a
	// receiver's Retry-After may make it, and a margin for attempts that
	// run late, at most a week), so that the target's log keeps listing it
	// as long as its record is kept. Never shown by the API.
	RetryWindow time.Duration `json:"-"`
}

// Attempt is one try of a delivery, kept in the attempt log: what was sent
// (headers only; never the endpoint secret), what came back, and what the
// engine decided.
type Attempt struct {
	ID              string      `json:"id"` // the request id sent as <Prefix>-Request-Id
	Number          int         `json:"number"`
	URL             string      `json:"url"`
	RequestHeaders  http.Header `json:"request_headers"`
	ResponseStatus  int         `json:"response_status"` // 0 when no response came back
	ResponseHeaders http.Header `json:"response_headers"`
	ResponseBody    string      `json:"response_body"` // capped
	LatencyMS       float64     `json:"latency_ms"`
	Error           string      `json:"error"`   // connection error, timeout, transform error
	Outcome         string      `json:"outcome"` // succeeded, retry, failed, skipped, deferred
	Logs            []string    `json:"logs,omitempty"`
	ScriptID        string      `json:"script_id,omitempty"`      // the transform that ran: a scr_… id or a shipped default such as slack/default.js
	ScriptVersion   int         `json:"script_version,omitempty"` // its version, for a saved script
	ExternalID      string      `json:"external_id,omitempty"`    // a connector's id of what it created (a Slack message ts)
	NextRetryAt     *time.Time  `json:"next_retry_at"`
	CreatedAt       time.Time   `json:"created_at"`
}

// DeliveryFilter narrows a target's delivery log.
type DeliveryFilter struct {
	Status     string
	EventType  string
	CreatedGTE *time.Time
	CreatedLTE *time.Time
	Page       Page
}

// Matches says whether d passes the filter's status, event type and
// creation window (to the millisecond, the precision deliveries keep);
// the page is not its business.
func (f DeliveryFilter) Matches(d *Delivery) bool {
	ms := d.CreatedAt.UnixMilli()
	return (f.Status == "" || d.Status == f.Status) && (f.EventType == "" || d.EventType == f.EventType) &&
		(f.CreatedGTE == nil || ms >= f.CreatedGTE.UnixMilli()) && (f.CreatedLTE == nil || ms <= f.CreatedLTE.UnixMilli())
}

// Backfill is a bulk replay of a time window of events to one target.
type Backfill struct {
	ID          string     `json:"id"` // bf_…
	Object      string     `json:"object"`
	Target      Target     `json:"-"` // endpoint_id or connection_id in JSON: see MarshalJSON
	Since       time.Time  `json:"since"`
	Until       time.Time  `json:"until"`
	EventTypes  []string   `json:"event_types"`
	Status      string     `json:"status"` // running, completed, failed
	Count       int        `json:"count"`  // events in the window
	Queued      int        `json:"queued"` // deliveries created so far
	Error       string     `json:"error"`
	CreatedAt   time.Time  `json:"created_at"`
	CompletedAt *time.Time `json:"completed_at"`
	Livemode    bool       `json:"livemode"`
}

// BackfillInput asks for a backfill.
type BackfillInput struct {
	Since      time.Time
	Until      time.Time
	EventTypes []string
}

// Replay is the answer to a single-event replay, exactly as the webhook
// contract shows it.
type Replay struct {
	Replayed   bool   `json:"replayed"`
	EventID    string `json:"event_id"`
	DeliveryID string `json:"delivery_id"`
	Status     string `json:"status"` // "queued"
}

// EndpointStats are a target's operational figures over one window.
type EndpointStats struct {
	Window         string         `json:"window"` // "1h" or "24h"
	Total          int            `json:"total"`  // attempts
	Succeeded      int            `json:"succeeded"`
	Failed         int            `json:"failed"`
	SuccessRate    float64        `json:"success_rate"` // 0..1; 0 when Total is 0
	LatencyP50MS   float64        `json:"latency_p50_ms"`
	LatencyP95MS   float64        `json:"latency_p95_ms"`
	LatencyP99MS   float64        `json:"latency_p99_ms"`
	FailuresByCode map[string]int `json:"failures_by_code"` // "500", "429", "timeout", "connection", …
}

// AttemptCount is a scope's attempts over one stretch of time (a minute),
// across every target: how many there were and how they ended. Attempts
// that neither succeeded nor failed (skips) are not counted.
type AttemptCount struct {
	Start     time.Time `json:"start"`
	Total     int       `json:"total"`
	Succeeded int       `json:"succeeded"`
	Failed    int       `json:"failed"`
}

// DeliveryService reads the attempt log and starts replays and backfills.
type DeliveryService interface {
	// FindDelivery returns a delivery with its attempts. Returns ENOTFOUND.
	FindDelivery(ctx context.Context, scope Scope, id string) (*Delivery, error)

	// ListDeliveries lists a target's deliveries newest first. Returns
	// ENOTFOUND if the target is not in scope.
	ListDeliveries(ctx context.Context, scope Scope, target Target, filter DeliveryFilter) (List[*Delivery], error)

	// ReplayEvent queues the event again for the target, with the same
	// event id. Returns ENOTFOUND for an unknown target or event.
	ReplayEvent(ctx context.Context, scope Scope, target Target, eventID string) (*Replay, error)

	// StartBackfill replays the events of a window to the target, in
	// original order, throttled to its rate limit. Returns EINVALID or
	// ENOTFOUND.
	StartBackfill(ctx context.Context, scope Scope, target Target, input BackfillInput) (*Backfill, error)

	// FindBackfill returns a backfill's progress. Returns ENOTFOUND.
	FindBackfill(ctx context.Context, scope Scope, id string) (*Backfill, error)

	// TargetStats returns a target's figures of the last hour and the last
	// day. Returns ENOTFOUND.
	TargetStats(ctx context.Context, scope Scope, target Target) ([]*EndpointStats, error)

	// RecentAttempts returns the scope's attempts, over every target, in
	// each minute of the last hour: 60 counts, oldest first, the last one
	// the current minute.
	RecentAttempts(ctx context.Context, scope Scope) ([]AttemptCount, error)

	// NewestFailedDeliveries returns up to limit of the scope's deliveries,
	// over every target, whose latest attempt failed, newest failure first:
	// those that failed for good and those waiting for a retry. One that
	// succeeded since is left out.
	NewestFailedDeliveries(ctx context.Context, scope Scope, limit int) ([]*Delivery, error)

	// TargetsLastHour returns the attempts of each of targets over the last
	// hour, in one read: the health column of a list of endpoints or
	// connections. At most MaxPageLimit targets; each count's Start is the
	// start of the hour. Targets not in scope count nothing.
	TargetsLastHour(ctx context.Context, scope Scope, targets []Target) (map[Target]AttemptCount, error)

	// ListEventDeliveries lists an event's deliveries to every target
	// (replays and backfills too), newest first. An unknown event has none.
	ListEventDeliveries(ctx context.Context, scope Scope, eventID string, page Page) (List[*Delivery], error)
}

// targetIDs is how a backfill, and a delivery's endpoint_id, spell a
// target in JSON: the API documented these fields before Target named
// every kind, and stored backfills are in this shape.
type targetIDs struct {
	EndpointID   string `json:"endpoint_id"`
	ConnectionID string `json:"connection_id,omitempty"`
}

func idsOf(t Target) targetIDs {
	if t.Kind == TargetConnection {
		return targetIDs{ConnectionID: t.ID}
	}
	return targetIDs{EndpointID: t.ID}
}

func (ids targetIDs) target() Target {
	if ids.ConnectionID != "" {
		return Target{Kind: TargetConnection, ID: ids.ConnectionID}
	}
	return Target{Kind: TargetEndpoint, ID: ids.EndpointID}
}

// MarshalJSON writes the delivery with endpoint_id beside target: the
// endpoint's id, or "" for another kind, as the API documents.
func (d Delivery) MarshalJSON() ([]byte, error) {
	type fields Delivery // without this method
	return json.Marshal(struct {
		fields
		EndpointID string `json:"endpoint_id"`
	}{fields(d), idsOf(d.Target).EndpointID})
}

// MarshalJSON writes the backfill's target as endpoint_id (always
// present) or connection_id, as the API documents and Redis stores it.
func (b Backfill) MarshalJSON() ([]byte, error) {
	type fields Backfill
	return json.Marshal(struct {
		fields
		targetIDs
	}{fields(b), idsOf(b.Target)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (b *Backfill) UnmarshalJSON(data []byte) error {
	type fields Backfill
	var v struct {
		*fields
		targetIDs
	}
	v.fields = (*fields)(b)
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	b.Target = v.target()
	return nil
}
