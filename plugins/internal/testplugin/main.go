// Command testplugin is a connector plugin for Bellhop's own tests. Its input
// tells it how to misbehave: print on stdout, hang, panic, crash, or return a
// coded error. It implements every method, Options and Limits included; the "bare"
// build without Options is in ../bareplugin.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/plugins"
)

func main() {
	fmt.Fprintln(os.Stderr, "testplugin: starting (a plain stderr line)")
	plugins.Serve(conn{})
}

type conn struct{}

// input is what a test asks the plugin to do.
type input struct {
	Print    string          `json:"print"`    // print this on stdout first
	Sleep    time.Duration   `json:"sleep"`    // ignore ctx and block this long
	Wait     bool            `json:"wait"`     // block until ctx ends, report ctx.Err
	Panic    bool            `json:"panic"`    // panic in Deliver
	Exit     bool            `json:"exit"`     // exit the process
	Error    string          `json:"error"`    // return a coded EINVALID error with this message
	Plain    string          `json:"plain"`    // return an uncoded error
	Result   *plugins.Result `json:"result"`   // return this result
	Deadline bool            `json:"deadline"` // report the time left on ctx
	Egress   bool            `json:"egress"`   // report plugins.EgressFrom(ctx) as JSON
	Take     *plugins.Limit  `json:"take"`     // take this limit from the hub's Budget, report the wait
}

func (conn) Describe(context.Context) (plugins.Description, error) {
	fmt.Println("noise on stdout from Describe")
	return plugins.Description{
		Name: "test", DisplayName: "Test", Version: "0.0.1", Description: "For tests.",
		Fields:          []plugins.Field{{Name: "token", Title: "Token", Type: "string", Required: true, Secret: true}},
		SuggestedEvents: []string{"guest.checked_in"}, DefaultScript: "test/default.js",
	}, nil
}

func (conn) Validate(_ context.Context, config plugins.Config) ([]plugins.FieldError, error) {
	return plugins.ValidateFields([]plugins.Field{{Name: "token", Type: "string", Required: true}}, config), nil
}

func (conn) Check(_ context.Context, config plugins.Config) (plugins.CheckResult, error) {
	switch config["token"] {
	case "good":
		return plugins.CheckResult{}, nil
	case "unchecked":
		return plugins.CheckResult{NotContacted: true, Message: "Checked for form only."}, nil
	}
	return plugins.CheckResult{}, &core.Error{Code: core.EINVALID, Reason: "invalid_auth", Param: "token", Message: "The token was refused."}
}

func (conn) Deliver(ctx context.Context, _ plugins.Config, raw json.RawMessage) (plugins.Result, error) {
	var in input
	if err := json.Unmarshal(raw, &in); err != nil {
		return plugins.Result{}, err
	}
	if in.Print != "" {
		fmt.Println(in.Print)
		os.NewFile(1, "fd1").WriteString(in.Print + " (raw fd 1)\n")
	}
	slog.InfoContext(ctx, "deliver called", "bytes", len(raw))
	switch {
	case in.Sleep > 0:
		time.Sleep(in.Sleep)
	case in.Wait:
		<-ctx.Done()
		return plugins.Result{}, ctx.Err()
	case in.Panic:
		panic("asked to panic")
	case in.Exit:
		os.Exit(7)
	case in.Error != "":
		return plugins.Result{}, core.Errorf(core.EINVALID, "%s", in.Error)
	case in.Plain != "":
		return plugins.Result{}, fmt.Errorf("%s", in.Plain)
	case in.Deadline:
		d, ok := ctx.Deadline()
		if !ok {
			return plugins.Result{Outcome: plugins.Delivered, Summary: "no deadline"}, nil
		}
		return plugins.Result{Outcome: plugins.Delivered, Summary: time.Until(d).String()}, nil
	case in.Egress:
		b, err := json.Marshal(plugins.EgressFrom(ctx))
		return plugins.Result{Outcome: plugins.Delivered, Summary: string(b)}, err
	case in.Take != nil:
		b := plugins.BudgetFrom(ctx)
		if b == nil {
			return plugins.Result{Outcome: plugins.Delivered, Summary: "no budget"}, nil
		}
		wait, err := b.Take(ctx, *in.Take)
		if err != nil {
			return plugins.Result{}, err
		}
		return plugins.Result{Outcome: plugins.Delivered, Summary: "wait " + wait.String()}, nil
	case in.Result != nil:
		return *in.Result, nil
	}
	return plugins.Result{Outcome: plugins.Delivered, ExternalID: fmt.Sprint(os.Getpid()), Summary: "ok"}, nil
}

func (conn) Options(_ context.Context, config plugins.Config, field string) ([]plugins.Option, error) {
	return []plugins.Option{{Value: field, Label: fmt.Sprint(config["token"])}}, nil
}

// Limits declares one limit per token: its input's "cost" requests of 2 a
// second, bursts of 4.
func (conn) Limits(_ context.Context, config plugins.Config, raw json.RawMessage) ([]plugins.Limit, error) {
	var in struct {
		Cost int `json:"cost"`
	}
	_ = json.Unmarshal(raw, &in)
	return []plugins.Limit{{Name: "token", Key: fmt.Sprint(config["token"]), Rate: 2, Period: time.Second, Burst: 4, Cost: in.Cost}}, nil
}
