package core

import (
	"context"
	"time"
)

// Alert kinds: what went wrong that a person must hear about. The first two
// are also published as operational events of the same name; a plugin that
// cannot start and a failed backfill are only told to people.
const (
	AlertEndpointDisabled   = "endpoint.disabled"
	AlertConnectionDisabled = "connection.disabled"
	AlertPluginFailed       = "plugin.failed"
	AlertBackfillFailed     = "backfill.failed"
)

// Alert is something the hub did or saw, on its own, that stops an
// account's deliveries until someone acts: a target disabled by the
// circuit breaker, a connector plugin that cannot be started, a backfill
// that failed. It is shown in the console and emailed to the account's
// developer contact.
type Alert struct {
	ID         string    `json:"id"` // alr_…
	Kind       string    `json:"kind"`
	Target     Target    `json:"target"`                // the endpoint or connection concerned
	Name       string    `json:"name"`                  // the endpoint's URL or the connection's name
	Connector  string    `json:"connector,omitempty"`   // a connection's connector
	BackfillID string    `json:"backfill_id,omitempty"` // for backfill.failed
	Reason     string    `json:"reason"`
	LastErrors []string  `json:"last_errors,omitempty"` // the target's newest failed attempts, newest first
	Email      string    `json:"email"`                 // what became of the email: sent to whom, or why not
	Slack      string    `json:"slack,omitempty"`       // what became of the Slack message, when the scope sends one
	CreatedAt  time.Time `json:"created_at"`
}

// Subject names what the alert is about, for its rate limit: one alert an
// hour per subject.
func (a *Alert) Subject() string {
	if a.BackfillID != "" {
		return a.BackfillID
	}
	return a.Target.ID
}

// Alerter tells people about an Alert. Alert is called on the delivery
// path, which it must never fail nor hold up longer than one Redis write.
type Alerter interface {
	Alert(ctx context.Context, scope Scope, a Alert)
}

// QueuedAlert is an alert waiting in Redis to be told, with the id that
// marks it told (AlertQueue).
type QueuedAlert struct {
	ID    string
	Scope Scope
	Alert Alert
}

// AlertSlack is where a scope's alerts are also posted: one of its Slack
// connections, and the channel (an id such as C0123 or a #name).
type AlertSlack struct {
	ConnectionID string `json:"connection_id"`
	Channel      string `json:"channel"`
}

// AlertLog keeps a scope's recent alerts and its alert settings.
type AlertLog interface {
	// RecentAlerts returns up to limit alerts, newest first.
	RecentAlerts(ctx context.Context, scope Scope, limit int) ([]*Alert, error)
	// AlertSlack returns where the scope's alerts go in Slack, nil when
	// they do not.
	AlertSlack(ctx context.Context, scope Scope) (*AlertSlack, error)
	// SetAlertSlack sets it; nil stops posting. The caller checks the
	// connection.
	SetAlertSlack(ctx context.Context, scope Scope, s *AlertSlack) error
}
