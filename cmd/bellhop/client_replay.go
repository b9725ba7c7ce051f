package main

import (
	"errors"
	"io"
	"net/url"
	"time"

	"github.com/spf13/cobra"
)

// targetFlags are --endpoint and --connection: replay and backfill go to
// exactly one of them.
type targetFlags struct {
	endpoint, connection string
}

func (t *targetFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&t.endpoint, "endpoint", "", "the webhook endpoint (whe_…)")
	cmd.Flags().StringVar(&t.connection, "connection", "", "the connection (conn_…)")
}

// path is the API path of the target's action.
func (t *targetFlags) path(action string) (string, error) {
	switch {
	case (t.endpoint == "") == (t.connection == ""):
		return "", errors.New("give either --endpoint whe_… or --connection conn_…")
	case t.endpoint != "":
		return endpointPath(t.endpoint) + "/" + action, nil
	default:
		return "/v1/connections/" + url.PathEscape(t.connection) + "/" + action, nil
	}
}

// newReplayCommand is `bellhop replay`: send one retained event again, with
// the same event id, to one target.
func newReplayCommand(getenv func(string) string, stdout io.Writer) *cobra.Command {
	var o clientOptions
	var t targetFlags
	cmd := &cobra.Command{
		Use:     "replay --endpoint whe_…|--connection conn_… EVENT_ID",
		Short:   "Queue one retained event again for an endpoint or a connection (same event id)",
		Example: `  bellhop replay --endpoint whe_123 evt_456`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path, err := t.path("replay")
			if err != nil {
				return err
			}
			return callAndPrint(cmd, &o, getenv, stdout, "POST", path, nil, map[string]any{"event_id": args[0]}, nil)
		},
	}
	addClientFlags(cmd, &o)
	t.add(cmd)
	return cmd
}

// newBackfillCommand is `bellhop backfill`: replay a window of events in
// their original order.
func newBackfillCommand(getenv func(string) string, stdout, progress io.Writer) *cobra.Command {
	var o clientOptions
	var t targetFlags
	var since, until, types string
	var follow bool
	cmd := &cobra.Command{
		Use:   "backfill --endpoint whe_…|--connection conn_… --since TIME [--until TIME] [--events a,b]",
		Short: "Replay the events of a time window to an endpoint or a connection, in original order",
		Long: `Replay the retained events of a window, oldest first, throttled to the
target's rate limit; each keeps its event id. TIME is RFC 3339
(2026-04-12T00:00:00Z) or a duration before now (90m, 24h). --until defaults
to now. It follows the backfill until every event is queued, with a bar on
a terminal and a line per change otherwise (on stderr), and then prints it;
--follow=false prints it at once. Its progress is GET /v1/backfills/{id}, or
bellhop backfill get ID.`,
		Example: `  bellhop backfill --endpoint whe_123 --since 24h --events reservation.created`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path, err := t.path("backfill")
			if err != nil {
				return err
			}
			now := time.Now()
			body := map[string]any{"since": windowTime(since, now)}
			if until != "" {
				body["until"] = windowTime(until, now)
			}
			if ts := splitList(types); len(ts) > 0 {
				body["event_types"] = ts
			}
			c, p, err := o.client(getenv, stdout)
			if err != nil {
				return err
			}
			raw, err := c.do(cmd.Context(), "POST", path, nil, body)
			if err != nil {
				return err
			}
			if follow {
				if raw, err = followBackfill(cmd.Context(), c, raw, progress, isTerminal(progress)); err != nil {
					return err
				}
			}
			return p.print(raw)
		},
	}
	addClientFlags(cmd, &o)
	t.add(cmd)
	cmd.AddCommand(newBackfillGetCommand(getenv, stdout, &o))
	cmd.Flags().BoolVar(&follow, "follow", true, "show the backfill's progress until every event is queued")
	cmd.Flags().StringVar(&since, "since", "", "start of the window: RFC 3339 or a duration before now")
	cmd.Flags().StringVar(&until, "until", "", "end of the window (default now)")
	cmd.Flags().StringVar(&types, "events", "", "only these event types, comma-separated")
	cmd.Flags().StringVar(&types, "types", "", "the former name of --events, still read")
	cmd.Flags().MarkHidden("types") // one name per concept: --events, as endpoints create and connections create have it
	fills(cmd, "since", "since", "until", "until", "events", "event_types")
	return cmd
}

// newBackfillGetCommand is `bellhop backfill get ID`: a backfill's progress.
func newBackfillGetCommand(getenv func(string) string, stdout io.Writer, o *clientOptions) *cobra.Command {
	return &cobra.Command{
		Use: "get BACKFILL_ID", Short: "Show a backfill's progress: events in the window, queued so far, status",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return callAndPrint(cmd, o, getenv, stdout, "GET", "/v1/backfills/"+url.PathEscape(args[0]), nil, nil, nil)
		},
	}
}

// windowTime turns a duration before now into RFC 3339 and leaves anything
// else as it is, for the API to accept or to name as the bad param.
func windowTime(v string, now time.Time) string {
	if d, err := time.ParseDuration(v); err == nil && d > 0 {
		return now.Add(-d).UTC().Format(time.RFC3339)
	}
	return v
}
