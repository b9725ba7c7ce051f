// Command bellhop is the hub and its command-line client: `bellhop serve`
// runs the hub; the other commands manage keys, test scripts and measure it.
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
