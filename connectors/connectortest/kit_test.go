package connectortest_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/bellhop/bellhop/connectors/connectortest"
	"github.com/bellhop/bellhop/plugins"
)

// echo is a connector whose carelessness is configurable, to prove that the
// kit catches each kind of leak.
type echo struct {
	leakIn string // "summary", "error", "field", "log", "option" or ""
	logs   *connectortest.Logs
}

func (e echo) Describe(context.Context) (plugins.Description, error) {
	return plugins.Description{Name: "echo", Fields: []plugins.Field{
		{Name: "token", Type: "string", Secret: true}, {Name: "room", Type: "string"},
	}}, nil
}

func (e echo) Validate(_ context.Context, c plugins.Config) ([]plugins.FieldError, error) {
	if e.leakIn == "field" {
		return []plugins.FieldError{{Field: "token", Message: "bad token " + c["token"].(string)}}, nil
	}
	return nil, nil
}

func (e echo) Check(context.Context, plugins.Config) (plugins.CheckResult, error) {
	return plugins.CheckResult{}, nil
}

func (e echo) Deliver(_ context.Context, c plugins.Config, _ json.RawMessage) (plugins.Result, error) {
	tok := c["token"].(string)
	switch e.leakIn {
	case "summary":
		return plugins.Result{Outcome: plugins.Delivered, Summary: "sent with " + tok}, nil
	case "error":
		return plugins.Result{}, &json.UnsupportedValueError{Str: tok}
	case "log":
		e.logs.Slog().Info("delivering", "token", tok)
	}
	return plugins.Result{Outcome: plugins.Delivered, Summary: "sent"}, nil
}

type echoLister struct{ echo }

func (e echoLister) Options(_ context.Context, c plugins.Config, _ string) ([]plugins.Option, error) {
	if e.leakIn == "option" {
		return []plugins.Option{{Value: "r1", Label: "room for " + c["token"].(string)}}, nil
	}
	return []plugins.Option{{Value: "r1", Label: "room 1"}}, nil
}

func TestLeaksAreCaught(t *testing.T) {
	tests := []struct {
		leakIn   string
		lister   bool
		wantLeak bool
	}{
		{"", false, false},
		{"", true, false},
		{"summary", false, true},
		{"error", false, true},
		{"field", false, true},
		{"log", false, true},
		{"option", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.leakIn+map[bool]string{true: " lister", false: ""}[tt.lister], func(t *testing.T) {
			logs := connectortest.NewLogs()
			var c plugins.Connector = echo{leakIn: tt.leakIn, logs: logs}
			if tt.lister {
				c = echoLister{echo{leakIn: tt.leakIn, logs: logs}}
			}
			kit := connectortest.Kit{
				Connector: c, Config: plugins.Config{"token": "tok_s3cr3t_value", "room": "12"},
				Input: json.RawMessage(`{}`), Logs: logs,
				Cases: []connectortest.Case{{Name: "any", Want: plugins.Delivered}},
			}
			leaks := kit.Leaks(t)
			if got := len(leaks) > 0; got != tt.wantLeak {
				t.Errorf("leak found = %v (%v), want %v", got, leaks, tt.wantLeak)
			}
		})
	}
}
