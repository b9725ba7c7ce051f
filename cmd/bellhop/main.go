// Command bellhop is the hub and its command-line client.
//
//   - `bellhop serve` runs the hub (API, delivery engine, connector plugins).
//   - `trigger`, `events`, `endpoints`, `deliveries`, `replay`, `backfill`,
//     `connectors`, `connections` and `listen` call a running hub's REST API
//     with BELLHOP_API_KEY.
//   - `keys create` and `users create` work on the store directly, for the
//     first key and the first console users;
//     `scripts test` runs a transform locally, with no hub at all;
//     `bench` measures a hub it starts itself.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bellhop:", err)
		os.Exit(exitCode(err))
	}
}

// usageError is a command line the program cannot make sense of: an
// unknown command or flag, a missing argument. It exits 2, as a shell's
// own builtins and most Unix tools do, so that a script can tell a typo
// from a request that failed.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// exitCode is 2 for a usage error and 1 for any other.
func exitCode(err error) int {
	if errors.As(err, new(usageError)) {
		return 2
	}
	return 1
}

// refuseUnknownCommands makes every command that only groups others (and
// the root) refuse an argument that names none of them, as a usage error
// with the nearest names, instead of printing its help and succeeding:
// `bellhop events lst` must not look as if it worked. Called with no
// argument such a command prints its help, as before.
func refuseUnknownCommands(cmd *cobra.Command) {
	for _, sub := range cmd.Commands() {
		refuseUnknownCommands(sub)
	}
	if !cmd.HasSubCommands() || cmd.Runnable() {
		return
	}
	cmd.Args = cobra.ArbitraryArgs
	cmd.SuggestionsMinimumDistance = 2 // what cobra uses for its own suggestions
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
		if near := cmd.SuggestionsFor(args[0]); len(near) > 0 {
			msg += "; did you mean " + strings.Join(near, " or ") + "?"
		}
		return usageError{fmt.Errorf("%s (see %s --help)", msg, cmd.CommandPath())}
	}
}

// run is the whole program, with its inputs explicit so that tests can start
// the real hub in process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	root := &cobra.Command{
		Use:           "bellhop",
		Short:         "Bellhop delivers hospitality events to webhooks, Slack, HubSpot and Google Sheets",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.Version = version
	root.SetVersionTemplate("bellhop {{.Version}}\n")
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stdout)
	root.SetContext(ctx)
	root.AddCommand(
		newServeCommand(getenv, stdout),
		newKeysCommand(getenv, stdout),
		newUsersCommand(getenv, os.Stdin, stdout),
		newBenchCommand(getenv, stdout),
		newScriptsCommand(getenv, stdout, stdout),
		newTriggerCommand(getenv, stdout),
		newEventsCommand(getenv, stdout),
		newEndpointsCommand(getenv, stdout),
		newDeliveriesCommand(getenv, stdout),
		newReplayCommand(getenv, stdout),
		newBackfillCommand(getenv, stdout, os.Stderr),
		newConnectorsCommand(getenv, stdout),
		newConnectionsCommand(getenv, os.Stdin, stdout),
		newListenCommand(getenv, stdout),
	)
	refuseUnknownCommands(root)
	completeFlagValues(root)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	cmd, err := root.ExecuteContextC(ctx)
	nameFlag(cmd, err)
	return err
}
