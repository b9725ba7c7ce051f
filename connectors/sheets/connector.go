package sheets

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/bellhop/bellhop/connectors"
	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/plugins"
)

// Version is the connector's version, reported by Describe.
const Version = "1.0.0"

var _ plugins.Connector = (*Connector)(nil)
var _ plugins.OptionLister = (*Connector)(nil)

// Connector appends rows to Google Sheets. It is safe for concurrent use;
// build it with New.
type Connector struct {
	log      *slog.Logger
	clients  *connectors.HTTPClients
	pace     connectors.Pace      // the write budget per service account
	limits   *connectors.Limiters // the pace in this process, when no hub lends a budget
	services services
	queues   queues
	first    firstTabs
}

// New returns a Sheets connector that logs to logger (nil: slog.Default())
// and keeps each service account under Sheets' 60 writes a minute: a bucket
// of 3 refilled 57 times a minute lets through at most 60 in any minute.
// The budget is taken from the hub's limiter, shared by every hub, when the
// delivery carries one (plugins.BudgetFrom), else kept in this process.
func New(logger *slog.Logger) *Connector {
	return NewWithLimit(logger, time.Minute/57, 3)
}

// NewWithLimit is New with another write pace, for projects with a raised
// quota and for tests.
func NewWithLimit(logger *slog.Logger, every time.Duration, burst int) *Connector {
	return &Connector{
		log: logger, clients: connectors.NewHTTPClients(30 * time.Second),
		pace: connectors.Pace{Every: every, Burst: burst}, limits: connectors.NewLimiters(every, burst),
	}
}

// Describe says what the connector is and how to configure it.
func (c *Connector) Describe(context.Context) (plugins.Description, error) {
	return plugins.Description{
		Name:            "sheets",
		DisplayName:     "Google Sheets",
		Version:         Version,
		Description:     "Appends a row to a Google Sheet for each event, under a header row: a live log of bookings, check-ins and payments.",
		Fields:          Fields(),
		SuggestedEvents: []string{"reservation.created", "reservation.cancelled", "payment.succeeded", "payment.failed"},
		DefaultScript:   "sheets/default.js",
	}, nil
}

// Validate checks a configuration without calling Google.
func (c *Connector) Validate(_ context.Context, config plugins.Config) ([]plugins.FieldError, error) {
	return problems(config), nil
}

// input is what scripts/sheets/default.js returns.
type input struct {
	Header []any   `json:"header"`
	Rows   [][]any `json:"rows"`
}

// Deliver appends the input's rows; see the package doc for batching and
// how Google's answers are classified.
func (c *Connector) Deliver(ctx context.Context, raw plugins.Config, in json.RawMessage) (plugins.Result, error) {
	if fes := problems(raw); len(fes) > 0 {
		return connectors.Fail("invalid configuration: " + fes[0].Field + " " + fes[0].Message), nil
	}
	var msg input
	if err := json.Unmarshal(in, &msg); err != nil {
		return connectors.Fail("the transform's output is not Sheets rows: " + err.Error()), nil
	}
	if len(msg.Rows) == 0 {
		return connectors.Delivered("", "nothing to send: no rows"), nil
	}
	if err := checkRows(msg.Header, msg.Rows); err != nil {
		return connectors.Fail("the transform's output is not Sheets rows: " + err.Error()), nil
	}
	cfg := parseConfig(raw)
	svc, err := c.services.get(ctx, cfg, c.clients)
	if err != nil {
		return connectors.Fail("the service account key is not usable: " + connectors.Redact(err.Error(), cfg.secrets()...)), nil
	}
	lookedUp := cfg.sheet == ""
	if lookedUp {
		if cfg.sheet, err = c.firstTab(ctx, cfg, svc); err != nil {
			return classify(err, cfg), nil
		}
	}
	res := c.enqueue(ctx, cfg, svc, msg.Header, msg.Rows)
	if lookedUp && res.Outcome == plugins.Failed {
		c.first.forget(firstTabKey(ctx, cfg))
	}
	c.logger().Debug("sheets delivery", "outcome", res.Outcome, "range", res.ExternalID, "summary", res.Summary)
	return res, nil
}

// Check reads the spreadsheet and checks that the tab exists (any tab will
// do when the sheet field is empty: the first one is used). Returns
// EINVALID naming the field at fault, or EUNAVAILABLE when Google cannot be
// reached or answers with a temporary error.
func (c *Connector) Check(ctx context.Context, raw plugins.Config) (plugins.CheckResult, error) {
	return plugins.CheckResult{}, c.check(ctx, raw)
}

func (c *Connector) check(ctx context.Context, raw plugins.Config) error {
	tabs, cfg, err := c.tabs(ctx, raw)
	if err != nil {
		return err
	}
	if cfg.sheet == "" && len(tabs) > 0 {
		return nil
	}
	for _, t := range tabs {
		if t == cfg.sheet {
			return nil
		}
	}
	return core.ParamError("sheet", "the spreadsheet has no tab %q; its tabs are %q", cfg.sheet, tabs)
}

// Options lists the spreadsheet's tabs for the sheet field. Returns EINVALID
// for another field.
func (c *Connector) Options(ctx context.Context, raw plugins.Config, field string) ([]plugins.Option, error) {
	if field != "sheet" {
		return nil, core.ParamError("field", "the Sheets connector has no choices for %q", field)
	}
	tabs, _, err := c.tabs(ctx, raw)
	if err != nil {
		return nil, err
	}
	opts := make([]plugins.Option, 0, len(tabs))
	for _, t := range tabs {
		opts = append(opts, plugins.Option{Value: t, Label: t})
	}
	return opts, nil
}

func (c *Connector) tabs(ctx context.Context, raw plugins.Config) ([]string, config, error) {
	if fes := problems(raw); len(fes) > 0 {
		return nil, config{}, core.ParamError(fes[0].Field, "%s", fes[0].Message)
	}
	cfg := parseConfig(raw)
	svc, err := c.services.get(ctx, cfg, c.clients)
	if err != nil {
		return nil, cfg, core.ParamError("credentials_json", "the service account key is not usable")
	}
	sheets, err := listSheets(ctx, cfg, svc)
	if err != nil {
		return nil, cfg, checkError(err, cfg)
	}
	tabs := make([]string, 0, len(sheets))
	for _, p := range sheets {
		tabs = append(tabs, p.Title)
	}
	return tabs, cfg, nil
}

// logger is the connector's logger, or slog.Default() at the time of the
// call, so that a plugin's logs follow plugins.Serve's default logger.
func (c *Connector) logger() *slog.Logger {
	if c.log != nil {
		return c.log
	}
	return slog.Default()
}
