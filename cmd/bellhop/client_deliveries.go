package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

// attemptColumns are the attempt timeline's columns in a table.
var attemptColumns = []string{"number", "created_at", "outcome", "response_status", "latency_ms", "error", "next_retry_at"}

// newDeliveriesCommand is `bellhop deliveries`: one delivery, to an
// endpoint or a connection, with the timeline of its attempts (GET
// /v1/deliveries/{id}), the question "what happened to this one?".
func newDeliveriesCommand(getenv func(string) string, stdout io.Writer) *cobra.Command {
	var o clientOptions
	cmd := &cobra.Command{Use: "deliveries", Short: "Look at one delivery and its attempts"}
	addClientFlags(cmd, &o)
	cmd.AddCommand(&cobra.Command{
		Use:   "get DELIVERY_ID",
		Short: "One delivery with the timeline of its attempts",
		Long: `Print a delivery (to a webhook endpoint or a connection) with every attempt:
when, its outcome, the status and latency of the answer, the error, and when
the next retry is due. -o json has each attempt whole, request and response
headers and the capped response body included.`,
		Example: `  bellhop deliveries get whd_… -o table`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, p, err := o.client(getenv, stdout)
			if err != nil {
				return err
			}
			raw, err := c.do(cmd.Context(), "GET", "/v1/deliveries/"+url.PathEscape(args[0]), nil, nil)
			if err != nil {
				return err
			}
			if !p.table {
				return p.print(raw)
			}
			return printDelivery(p.w, raw)
		},
	})
	return cmd
}

// printDelivery writes a delivery as a table: its fields one a line, then
// its attempts one a row.
func printDelivery(w io.Writer, raw json.RawMessage) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return fmt.Errorf("the API answered with invalid JSON: %w", err)
	}
	attempts := obj["attempts"]
	delete(obj, "attempts")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	writeFields(tw, obj)
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nATTEMPTS")
	writeRows(tw, attempts, attemptColumns)
	return tw.Flush()
}
