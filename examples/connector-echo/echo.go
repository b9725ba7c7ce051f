package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/bellhop/bellhop/plugins"
)

// Echo delivers nowhere: it answers every input with a summary of it.
type Echo struct{}

var (
	_ plugins.Connector    = Echo{}
	_ plugins.OptionLister = Echo{}
)

// fields is Echo's configuration form.
func fields() []plugins.Field {
	return []plugins.Field{
		{Name: "greeting", Title: "Greeting", Type: plugins.TypeString, Required: true,
			Help: "Put in front of every summary.", Enum: []string{"hello", "hi", "ahoy"}},
		{Name: "token", Title: "Token", Type: plugins.TypeString, Secret: true,
			Help: "Not used; shows how a secret field is declared."},
	}
}

// Describe tells the hub what Echo is and how to configure it.
func (Echo) Describe(context.Context) (plugins.Description, error) {
	return plugins.Description{
		Name: "echo", DisplayName: "Echo", Version: "1.0.0",
		Description:     "Answers every delivery with what it received.",
		Fields:          fields(),
		SuggestedEvents: []string{"reservation.created"},
		DefaultScript:   "echo/default.js",
	}, nil
}

// Validate checks the form with the SDK's field rules.
func (Echo) Validate(_ context.Context, config plugins.Config) ([]plugins.FieldError, error) {
	return plugins.ValidateFields(fields(), config), nil
}

// Check has no remote API to call, and says so.
func (Echo) Check(context.Context, plugins.Config) (plugins.CheckResult, error) {
	return plugins.CheckResult{NotContacted: true, Message: "The echo connector has no service to reach; it logs what it is given."}, nil
}

// Deliver answers with the greeting and the input's size and hash.
func (Echo) Deliver(ctx context.Context, config plugins.Config, input json.RawMessage) (plugins.Result, error) {
	sum := sha256.Sum256(input)
	id := hex.EncodeToString(sum[:8])
	slog.InfoContext(ctx, "echo delivered", "id", id, "bytes", len(input))
	return plugins.Result{
		Outcome:    plugins.Delivered,
		ExternalID: id,
		Summary:    fmt.Sprintf("%v: %d bytes", config["greeting"], len(input)),
	}, nil
}

// Options lists the greetings the form offers.
func (Echo) Options(_ context.Context, _ plugins.Config, field string) ([]plugins.Option, error) {
	if field != "greeting" {
		return nil, nil
	}
	var opts []plugins.Option
	for _, g := range fields()[0].Enum {
		opts = append(opts, plugins.Option{Value: g, Label: g})
	}
	return opts, nil
}
