package hubspot

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/bellhop/bellhop/connectors"
	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/plugins"
)

// Version is the connector's version, reported by Describe.
const Version = "1.0.0"

var _ plugins.Connector = (*Connector)(nil)
var _ plugins.RateLimited = (*Connector)(nil)

// Connector writes contacts and notes into a HubSpot portal. It is safe for
// concurrent use; build it with New.
type Connector struct {
	log     *slog.Logger
	clients *connectors.HTTPClients
	pace    connectors.Pace
	now     func() time.Time
}

// New returns a HubSpot connector that logs to logger (nil: slog.Default()) and declares, per
// token, a pace under HubSpot's default 100 requests per rolling 10
// seconds: a bucket of 10 refilled at 9 a second lets through at most
// 10 + 90 in any 10 s (see Limits).
func New(logger *slog.Logger) *Connector {
	return NewWithLimit(logger, time.Second/9, 10)
}

// NewWithLimit is New with another request pace, for portals with a higher
// limit (HubSpot's API add-on) and for tests. The pace is declared to the
// hub, which keeps it for every hub at once; the connector never waits.
func NewWithLimit(logger *slog.Logger, every time.Duration, burst int) *Connector {
	return &Connector{
		log:     logger,
		clients: connectors.NewHTTPClients(30 * time.Second),
		pace:    connectors.Pace{Every: every, Burst: burst},
		now:     time.Now,
	}
}

// Describe says what the connector is and how to configure it.
func (c *Connector) Describe(context.Context) (plugins.Description, error) {
	return plugins.Description{
		Name:        "hubspot",
		DisplayName: "HubSpot",
		Version:     Version,
		Description: "Keeps guests as HubSpot contacts and records their reservations and payments as notes on the contact's timeline.",
		Fields:      Fields(),
		SuggestedEvents: []string{
			"guest.created", "guest.updated", "reservation.created", "reservation.cancelled", "payment.succeeded",
		},
		DefaultScript: "hubspot/default.js",
	}, nil
}

// Limits declares HubSpot's pace per token, for the requests a delivery of
// in makes: one batch upsert when it has contacts and one request for its
// note. The hub keeps the pace across every hub. A refused batch that is
// split into one request per contact spends more than declared; HubSpot's
// 429 and its Retry-After cover that rare case. An invalid configuration
// declares nothing: Deliver fails it without calling HubSpot.
func (c *Connector) Limits(_ context.Context, raw plugins.Config, in json.RawMessage) ([]plugins.Limit, error) {
	if len(problems(raw)) > 0 {
		return nil, nil
	}
	var msg input
	_ = json.Unmarshal(in, &msg) // a bad input fails in Deliver, having cost nothing more than one
	cost := 0
	if len(msg.Contacts) > 0 {
		cost++
	}
	if msg.Note != nil && *msg.Note != "" {
		cost++
	}
	return []plugins.Limit{c.pace.Limit("token", parseConfig(raw).token, max(cost, 1))}, nil
}

// Validate checks a configuration without calling HubSpot.
func (c *Connector) Validate(_ context.Context, config plugins.Config) ([]plugins.FieldError, error) {
	return problems(config), nil
}

// Check proves the token works with GET /account-info/v3/details. Returns
// EINVALID when HubSpot refuses the token and EUNAVAILABLE when HubSpot
// cannot be reached or answers with a temporary error.
func (c *Connector) Check(ctx context.Context, raw plugins.Config) (plugins.CheckResult, error) {
	return plugins.CheckResult{}, c.check(ctx, raw)
}

func (c *Connector) check(ctx context.Context, raw plugins.Config) error {
	if fes := problems(raw); len(fes) > 0 {
		return core.ParamError(fes[0].Field, "%s", fes[0].Message)
	}
	cfg := parseConfig(raw)
	a, held := c.call(ctx, cfg, http.MethodGet, "/account-info/v3/details", nil)
	if held != nil && held.Outcome == plugins.Failed { // a blocked or unusable api_base_url
		return core.ParamError("api_base_url", "%s", held.Summary)
	}
	if held != nil {
		return core.Errorf(core.EUNAVAILABLE, "%s", held.Summary)
	}
	if a.status == http.StatusOK {
		return nil
	}
	res := failure(a, "the account check")
	if res.Outcome == plugins.Failed {
		return core.ParamError("token", "%s", res.Summary)
	}
	return core.Errorf(core.EUNAVAILABLE, "%s", res.Summary)
}

// input is what scripts/hubspot/default.js returns.
type input struct {
	Contacts []contact `json:"contacts"`
	Note     *string   `json:"note"`
}

// contact is one contact to upsert, keyed by email.
type contact struct {
	Email      string            `json:"email"`
	Properties map[string]string `json:"properties"`
}

// Deliver upserts the contacts and writes the note; see the package doc for
// how HubSpot's answers are classified.
func (c *Connector) Deliver(ctx context.Context, raw plugins.Config, in json.RawMessage) (plugins.Result, error) {
	if fes := problems(raw); len(fes) > 0 {
		return connectors.Fail("invalid configuration: " + fes[0].Field + " " + fes[0].Message), nil
	}
	var msg input
	if err := json.Unmarshal(in, &msg); err != nil {
		return connectors.Fail("the transform's output is not HubSpot input: " + err.Error()), nil
	}
	if len(msg.Contacts) > 100 {
		return connectors.Fail("the transform's output has more than 100 contacts, HubSpot's batch limit"), nil
	}
	for i, ct := range msg.Contacts {
		if ct.Email == "" {
			return connectors.Fail("the transform's output has a contact without an email (contacts[" + itoa(i) + "])"), nil
		}
	}
	res := c.deliver(ctx, parseConfig(raw), msg)
	c.logger().Debug("hubspot delivery", "outcome", res.Outcome, "external_id", res.ExternalID, "summary", res.Summary)
	return res, nil
}

// logger is the connector's logger, or slog.Default() at the time of the
// call, so that a plugin's logs follow plugins.Serve's default logger.
func (c *Connector) logger() *slog.Logger {
	if c.log != nil {
		return c.log
	}
	return slog.Default()
}
