package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/catalog"
	"github.com/bellhop/bellhop/core/transform"
	"github.com/bellhop/bellhop/scripts"
	"github.com/spf13/cobra"
)

// newScriptsCommand is `bellhop scripts`: the loop a script author iterates
// in (`scripts test`, with no server and no Redis), and the commands that
// keep scripts on a hub and attach them (client_scripts.go).
func newScriptsCommand(getenv func(string) string, stdout, stderr io.Writer) *cobra.Command {
	cmd := &cobra.Command{Use: "scripts", Short: "Work on JavaScript transform scripts"}
	cmd.AddCommand(newScriptsTestCommand(stdout, stderr))
	addScriptAPICommands(cmd, getenv, stdout)
	return cmd
}

func newScriptsTestCommand(stdout, stderr io.Writer) *cobra.Command {
	var event, typ, kind, id string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "test FILE.js [--type TYPE | --event FILE.json]",
		Short: "Run a transform script on an event locally and print its output and logs",
		Long: `Run a transform script on one event, locally: no server, no Redis.

FILE.js is a file, or a shipped script such as slack/default.js. The event is
the catalog's sample of --type (reservation.created unless said), or the
envelope in the JSON file --event names. The output goes to stdout, console
logs to stderr; a script error exits non-zero with the line and column.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src, err := readScript(args[0])
			if err != nil {
				return err
			}
			if typ != "" && cmd.Flags().Changed("event") {
				return usageError{errors.New("give --type TYPE or --event FILE.json, not both")}
			}
			if typ != "" {
				event = typ
			}
			ev, err := loadEvent(event)
			if err != nil {
				return err
			}
			return testScript(cmd.Context(), stdout, stderr, args[0], src, ev, core.Target{Kind: kind, ID: id}, timeout)
		},
	}
	cmd.Flags().StringVar(&typ, "type", "", "an event type, whose catalog sample is the event (default reservation.created)")
	cmd.Flags().StringVar(&event, "event", "reservation.created", "a JSON file holding an event envelope (an event type here works too, as --type)")
	cmd.Flags().StringVar(&kind, "target-kind", "webhook_endpoint", "context.target.kind: webhook_endpoint or connection")
	cmd.Flags().StringVar(&id, "target-id", "whe_local", "context.target.id")
	cmd.Flags().DurationVar(&timeout, "timeout", 50*time.Millisecond, "the run's time limit (at most 1s)")
	return cmd
}

// readScript reads a file, or else a shipped script of that name.
func readScript(name string) (string, error) {
	b, err := os.ReadFile(name)
	if err == nil {
		return string(b), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	if src, serr := scripts.Read(name); serr == nil {
		return src, nil
	}
	return "", fmt.Errorf("no file %s, and no shipped script of that name (%s)", name, strings.Join(scripts.List(), ", "))
}

// loadEvent reads an envelope from a JSON file, or takes the catalog's sample
// of an event type.
func loadEvent(arg string) (*core.Event, error) {
	if strings.HasSuffix(arg, ".json") {
		b, err := os.ReadFile(arg)
		if err != nil {
			return nil, err
		}
		var ev core.Event
		if err := json.Unmarshal(b, &ev); err != nil {
			return nil, fmt.Errorf("read event %s: %w", arg, err)
		}
		if ev.Type == "" || len(ev.Data.Object) == 0 {
			return nil, fmt.Errorf("%s is not an event envelope: it needs type and data.object", arg)
		}
		return &ev, nil
	}
	cat, err := catalog.New(nil)
	if err != nil {
		return nil, err
	}
	for _, t := range cat.Shipped() {
		if t.Type == arg {
			return catalog.SampleEvent(t, core.Scope{}, time.Now()), nil
		}
	}
	return nil, fmt.Errorf("unknown event type %q (give a shipped type or a .json file)", arg)
}

func testScript(ctx context.Context, stdout, stderr io.Writer, name, src string, ev *core.Event, target core.Target, timeout time.Duration) error {
	p, err := transform.Compile(name, src)
	if err != nil {
		return errors.New(core.ErrorMessage(err))
	}
	e := transform.New(transform.Options{Timeout: timeout})
	defer e.Close()
	if ctx == nil {
		ctx = context.Background()
	}
	res, err := e.Run(ctx, p, transform.Input{Event: ev, Target: target, Attempt: 1})
	if res != nil {
		for _, l := range res.Logs {
			fmt.Fprintln(stderr, "console", l)
		}
	}
	if err != nil {
		return errors.New(core.ErrorMessage(err))
	}
	switch {
	case res.Skip:
		fmt.Fprintf(stdout, "skipped: %s\n", res.SkipReason)
	default:
		var buf bytes.Buffer
		json.Indent(&buf, res.Output, "", "  ")
		fmt.Fprintln(stdout, buf.String())
		for k, v := range res.Headers {
			fmt.Fprintf(stderr, "header %s: %s\n", k, v)
		}
	}
	fmt.Fprintf(stderr, "ran in %s\n", res.Duration.Round(time.Microsecond))
	return nil
}
