package main

import (
	"io"

	"github.com/spf13/cobra"
)

// newConnectorsCommand is `bellhop connectors`: which connector plugins the
// hub has and in what state.
func newConnectorsCommand(getenv func(string) string, stdout io.Writer) *cobra.Command {
	var o clientOptions
	cmd := &cobra.Command{Use: "connectors", Short: "The hub's connector plugins"}
	addClientFlags(cmd, &o)
	cmd.AddCommand(&cobra.Command{
		Use: "list", Short: "List connectors with their suggested events and state", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return callAndPrint(cmd, &o, getenv, stdout, "GET", "/v1/connectors", nil, nil,
				[]string{"name", "display_name", "version", "state", "suggested_events"})
		},
	})
	return cmd
}
