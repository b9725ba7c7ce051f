package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/slack-go/slack"

	"github.com/bellhop/bellhop/connectors"
	"github.com/bellhop/bellhop/plugins"
)

// Version is the connector's version, reported by Describe.
const Version = "1.0.0"

var _ plugins.Connector = (*Connector)(nil)
var _ plugins.OptionLister = (*Connector)(nil)
var _ plugins.RateLimited = (*Connector)(nil)

// Connector posts to Slack. It is safe for concurrent use; build it with New.
type Connector struct {
	log     *slog.Logger
	clients *connectors.HTTPClients
	pace    connectors.Pace
}

// New returns a Slack connector that logs to logger (nil: slog.Default()) and declares one message
// a second per channel, with bursts of three, as Slack asks (see Limits).
func New(logger *slog.Logger) *Connector {
	return NewWithLimit(logger, time.Second, 3)
}

// NewWithLimit is New with another per-channel pace, for tests and for
// workspaces with other limits. The pace is declared to the hub, which
// keeps it for every hub at once; the connector itself never waits.
func NewWithLimit(logger *slog.Logger, every time.Duration, burst int) *Connector {
	return &Connector{
		log:     logger,
		clients: connectors.NewHTTPClients(30 * time.Second),
		pace:    connectors.Pace{Every: every, Burst: burst},
	}
}

// Describe says what the connector is and how to configure it.
func (c *Connector) Describe(context.Context) (plugins.Description, error) {
	return plugins.Description{
		Name:        "slack",
		DisplayName: "Slack",
		Version:     Version,
		Description: "Posts a message into a Slack channel for each event: new reservations, check-ins, failed payments.",
		Fields:      Fields(),
		SuggestedEvents: []string{
			"reservation.created", "reservation.cancelled", "guest.checked_in", "payment.failed",
		},
		DefaultScript: "slack/default.js",
	}, nil
}

// Validate checks a configuration without calling Slack.
func (c *Connector) Validate(_ context.Context, config plugins.Config) ([]plugins.FieldError, error) {
	return problems(config), nil
}

// input is what scripts/slack/default.js returns.
type input struct {
	Text    string          `json:"text"`
	Blocks  json.RawMessage `json:"blocks"`
	Channel string          `json:"channel"`
}

// Deliver posts one message. Bad configuration or input fails for good; see
// the package doc for how Slack's answers are classified.
func (c *Connector) Deliver(ctx context.Context, raw plugins.Config, in json.RawMessage) (plugins.Result, error) {
	if fes := problems(raw); len(fes) > 0 {
		return connectors.Fail("invalid configuration: " + fes[0].Field + " " + fes[0].Message), nil
	}
	cfg := parseConfig(raw)
	var msg input
	if err := json.Unmarshal(in, &msg); err != nil {
		return connectors.Fail("the transform's output is not a Slack message: " + err.Error()), nil
	}
	var blocks slack.Blocks
	if len(msg.Blocks) > 0 && string(msg.Blocks) != "null" {
		if err := blocks.UnmarshalJSON(msg.Blocks); err != nil {
			return connectors.Fail("the transform's blocks are not Block Kit blocks: " + err.Error()), nil
		}
	}
	if msg.Text == "" && len(blocks.BlockSet) == 0 {
		return connectors.Fail("the transform's output has neither text nor blocks"), nil
	}
	var res plugins.Result
	if cfg.webhookURL != "" {
		res = c.postWebhook(ctx, cfg, msg.Text, blocks)
	} else {
		res = c.postMessage(ctx, cfg, msg, blocks)
	}
	c.logger().Debug("slack delivery", "outcome", res.Outcome, "summary", res.Summary)
	return res, nil
}

// Limits declares Slack's pace of about one message a second per channel
// (per token and channel: the channel a script picks counts, not only the
// configured one), or per incoming webhook, which posts to one channel. The
// hub keeps it across every hub; a message that still meets a 429 retries
// after Slack's Retry-After. An invalid configuration or input declares
// nothing: Deliver fails it without calling Slack.
func (c *Connector) Limits(_ context.Context, raw plugins.Config, in json.RawMessage) ([]plugins.Limit, error) {
	if len(problems(raw)) > 0 {
		return nil, nil
	}
	cfg := parseConfig(raw)
	if cfg.webhookURL != "" {
		return []plugins.Limit{c.pace.Limit("webhook", cfg.webhookURL, 1)}, nil
	}
	var msg input
	_ = json.Unmarshal(in, &msg) // a bad input fails in Deliver; the configured channel is what it would have spent
	return []plugins.Limit{c.pace.Limit("channel", cfg.token+"\x00"+channelOf(cfg, msg), 1)}, nil
}

// channelOf is where msg goes: the channel its script chose, else the
// connection's.
func channelOf(cfg config, msg input) string {
	if msg.Channel != "" {
		return msg.Channel
	}
	return cfg.channel
}

func (c *Connector) postMessage(ctx context.Context, cfg config, msg input, blocks slack.Blocks) plugins.Result {
	channel := channelOf(cfg, msg)
	opts := []slack.MsgOption{slack.MsgOptionText(msg.Text, false)}
	if len(blocks.BlockSet) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(blocks.BlockSet...))
	}
	ch, ts, err := c.api(ctx, cfg).PostMessageContext(ctx, channel, opts...)
	if err != nil {
		return classify(err, cfg)
	}
	return connectors.Delivered(ts, fmt.Sprintf("posted to %s (ts %s)", ch, ts))
}

func (c *Connector) postWebhook(ctx context.Context, cfg config, text string, blocks slack.Blocks) plugins.Result {
	wm := &slack.WebhookMessage{Text: text}
	if len(blocks.BlockSet) > 0 {
		wm.Blocks = &blocks
	}
	if err := slack.PostWebhookCustomHTTPContext(ctx, cfg.webhookURL, c.clients.For(ctx), wm); err != nil {
		return classify(err, cfg)
	}
	return connectors.Delivered("", "posted through the incoming webhook")
}

// api is a Slack client for one call, on the HTTP client ctx's mode calls
// for (connectors.HTTPClients).
func (c *Connector) api(ctx context.Context, cfg config) *slack.Client {
	return slack.New(cfg.token, slack.OptionAPIURL(cfg.apiURL), slack.OptionHTTPClient(c.clients.For(ctx)))
}

// logger is the connector's logger, or slog.Default() at the time of the
// call, so that a plugin's logs follow plugins.Serve's default logger.
func (c *Connector) logger() *slog.Logger {
	if c.log != nil {
		return c.log
	}
	return slog.Default()
}
