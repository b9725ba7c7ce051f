package main

import (
	"io"
	"net/url"
	"strconv"

	"github.com/spf13/cobra"
)

// Table columns of the endpoint commands' lists.
var (
	endpointColumns = []string{"id", "url", "enabled_events", "disabled", "created_at"}
	deliveryColumns = []string{"id", "event_id", "event_type", "status", "attempt_count", "last_status", "created_at"}
)

// apiCaller is what a group of API commands shares: the client flags and
// where answers go.
type apiCaller struct {
	o      clientOptions
	getenv func(string) string
	stdout io.Writer
}

// call makes one request and prints its answer.
func (a *apiCaller) call(cmd *cobra.Command, method, path string, q url.Values, body any, columns ...string) error {
	return callAndPrint(cmd, &a.o, a.getenv, a.stdout, method, path, q, body, columns)
}

// endpointsCommand holds what every `bellhop endpoints` subcommand shares.
type endpointsCommand struct{ apiCaller }

// newEndpointsCommand is `bellhop endpoints`: manage webhook endpoints
// without writing curl.
func newEndpointsCommand(getenv func(string) string, stdout io.Writer) *cobra.Command {
	e := &endpointsCommand{apiCaller{getenv: getenv, stdout: stdout}}
	cmd := &cobra.Command{Use: "endpoints", Short: "Manage webhook endpoints"}
	addClientFlags(cmd, &e.o)
	cmd.AddCommand(e.create(), e.list(), e.deliveries(), e.test(), e.rotate(), e.disable())
	cmd.AddCommand(idCommands(e.call, endpointPath, "ENDPOINT_ID",
		idAction{"get", "Show one endpoint (never its secret)", "GET", ""},
		idAction{"delete", "Remove an endpoint; its pending deliveries fail", "DELETE", ""},
		idAction{"enable", "Re-enable an endpoint; its parked deliveries go out", "POST", "/enable"})...)
	return cmd
}

func endpointPath(id string) string { return "/v1/webhook_endpoints/" + url.PathEscape(id) }

func (e *endpointsCommand) create() *cobra.Command {
	var u, events, description string
	cmd := &cobra.Command{
		Use:     "create --url URL --events a,b",
		Short:   "Register an endpoint and print its signing secret (shown only now)",
		Example: `  bellhop endpoints create --url https://example.com/webhooks --events reservation.created,reservation.cancelled`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			body := map[string]any{"url": u, "enabled_events": splitList(events)}
			if description != "" {
				body["description"] = description
			}
			return e.call(cmd, "POST", "/v1/webhook_endpoints", nil, body)
		},
	}
	cmd.Flags().StringVar(&u, "url", "", "where deliveries are POSTed")
	cmd.Flags().StringVar(&events, "events", "", `event types, comma-separated, or "*" for all`)
	cmd.Flags().StringVar(&description, "description", "", "a note for people")
	fills(cmd, "url", "url", "events", "enabled_events", "description", "description")
	return cmd
}

func (e *endpointsCommand) list() *cobra.Command {
	return listCommand(e.call, "/v1/webhook_endpoints", "endpoints", endpointColumns)
}

// listCommand is a `list` of a paginated collection at path: one page,
// --limit items, --starting-after the given id.
func listCommand(call callFunc, path, noun string, columns []string) *cobra.Command {
	var limit int
	var after string
	cmd := &cobra.Command{
		Use: "list", Short: "List " + noun + ", newest first", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return call(cmd, "GET", path, pageQuery(limit, after), nil, columns...)
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 0, noun+" per page, 1 to 100")
	cmd.Flags().StringVar(&after, "starting-after", "", "the page after this id")
	fills(cmd, "limit", "limit", "starting-after", "starting_after")
	return cmd
}

// idAction is a command that takes one id and makes one request about it.
type idAction struct{ use, short, method, suffix string }

// idCommands are the commands of actions on an object named by its id,
// each requesting pathOf(id) + the action's suffix.
func idCommands(call callFunc, pathOf func(id string) string, idName string, actions ...idAction) []*cobra.Command {
	out := make([]*cobra.Command, len(actions))
	for i, a := range actions {
		out[i] = &cobra.Command{
			Use: a.use + " " + idName, Short: a.short, Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				return call(cmd, a.method, pathOf(args[0])+a.suffix, nil, nil)
			},
		}
	}
	return out
}

func (e *endpointsCommand) deliveries() *cobra.Command {
	return targetDeliveries(e.call, endpointPath, "ENDPOINT_ID", "An endpoint's delivery log, newest first")
}

// callFunc makes one request and prints its answer (apiCaller.call).
type callFunc func(cmd *cobra.Command, method, path string, q url.Values, body any, columns ...string) error

// targetDeliveries is `endpoints deliveries ID` and `connections
// deliveries ID`: a target's delivery log, filtered, newest first.
func targetDeliveries(call callFunc, pathOf func(id string) string, idName, short string) *cobra.Command {
	var limit int
	var after, status, typ string
	cmd := &cobra.Command{
		Use: "deliveries " + idName, Short: short, Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			q := pageQuery(limit, after)
			addQuery(q, "status", status)
			addQuery(q, "event_type", typ)
			return call(cmd, "GET", pathOf(args[0])+"/deliveries", q, nil, deliveryColumns...)
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 0, "deliveries per page, 1 to 100")
	cmd.Flags().StringVar(&after, "starting-after", "", "the page after this delivery id")
	cmd.Flags().StringVar(&status, "status", "", "only deliveries in this status: pending, parked, succeeded, failed, skipped")
	cmd.Flags().StringVar(&typ, "type", "", "only deliveries of this event type")
	fills(cmd, "limit", "limit", "starting-after", "starting_after", "status", "status", "type", "event_type")
	return cmd
}

func (e *endpointsCommand) test() *cobra.Command {
	var typ string
	cmd := &cobra.Command{
		Use: "test ENDPOINT_ID --type TYPE", Short: "Send a sample event now and print the attempt", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.call(cmd, "POST", endpointPath(args[0])+"/test", nil, map[string]any{"event_type": typ})
		},
	}
	cmd.Flags().StringVar(&typ, "type", "", "the event type whose sample is sent")
	cmd.MarkFlagRequired("type")
	fills(cmd, "type", "event_type")
	return cmd
}

func (e *endpointsCommand) rotate() *cobra.Command {
	var grace int
	cmd := &cobra.Command{
		Use:   "rotate-secret ENDPOINT_ID",
		Short: "Make a new signing secret (shown only now); the old one keeps signing for the grace period",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			body := map[string]any{}
			if grace > 0 {
				body["grace_period"] = grace
			}
			return e.call(cmd, "POST", endpointPath(args[0])+"/rotate_secret", nil, body)
		},
	}
	cmd.Flags().IntVar(&grace, "grace-period", 0, "seconds the old secret keeps signing (default the hub's)")
	fills(cmd, "grace-period", "grace_period")
	return cmd
}

func (e *endpointsCommand) disable() *cobra.Command {
	return disableCommand(e.call, endpointPath, "ENDPOINT_ID", "endpoint")
}

// disableCommand is `endpoints disable ID` and `connections disable ID`:
// stop a target's deliveries, with a reason kept on it.
func disableCommand(call callFunc, pathOf func(id string) string, idName, noun string) *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use: "disable " + idName, Short: "Stop deliveries; they wait, parked, until enabled", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return call(cmd, "POST", pathOf(args[0])+"/disable", nil, map[string]any{"reason": reason})
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why, kept on the "+noun)
	fills(cmd, "reason", "reason")
	return cmd
}

// pageQuery is the query of a paginated list.
func pageQuery(limit int, after string) url.Values {
	q := url.Values{}
	if limit != 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	addQuery(q, "starting_after", after)
	return q
}
