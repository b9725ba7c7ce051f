// Command bareplugin is a connector plugin for Bellhop's own tests that
// implements only the required methods (no Options) and does nothing: the
// benchmark measures the protocol's own cost with it.
package main

import (
	"context"
	"encoding/json"

	"github.com/bellhop/bellhop/plugins"
)

func main() { plugins.Serve(bare{}) }

type bare struct{}

func (bare) Describe(context.Context) (plugins.Description, error) {
	return plugins.Description{Name: "bare", Version: "0"}, nil
}

func (bare) Validate(context.Context, plugins.Config) ([]plugins.FieldError, error) { return nil, nil }

func (bare) Check(context.Context, plugins.Config) (plugins.CheckResult, error) {
	return plugins.CheckResult{}, nil
}

func (bare) Deliver(context.Context, plugins.Config, json.RawMessage) (plugins.Result, error) {
	return plugins.Result{Outcome: plugins.Delivered}, nil
}
