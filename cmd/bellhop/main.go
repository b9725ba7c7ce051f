// Command bellhop is the hub and its command-line client.
//
//   - `bellhop serve` runs the hub (API, delivery engine, connector plugins).
//   - `trigger`, `events`, `endpoints`, `replay`, `backfill`, `connectors` and
//     `listen` call a running hub's REST API with BELLHOP_API_KEY.
//   - `keys create` and `users create` work on the store directly, for the
//     first key and the first console users;
//     `scripts test` runs a transform locally, with no hub at all;
//     `bench` measures a hub it starts itself.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bellhop:", err)
		os.Exit(1)
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
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stdout)
	root.SetContext(ctx)
	root.AddCommand(
		newServeCommand(getenv, stdout),
		newKeysCommand(getenv, stdout),
		newUsersCommand(getenv, os.Stdin, stdout),
		newBenchCommand(getenv, stdout),
		newScriptsCommand(stdout, stdout),
		newTriggerCommand(getenv, stdout),
		newEventsCommand(getenv, stdout),
		newEndpointsCommand(getenv, stdout),
		newReplayCommand(getenv, stdout),
		newBackfillCommand(getenv, stdout),
		newConnectorsCommand(getenv, stdout),
		newListenCommand(getenv, stdout),
	)
	return root.ExecuteContext(ctx)
}
