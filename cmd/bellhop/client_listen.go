package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/spf13/cobra"
)

// newListenCommand is `bellhop listen`: see the hub's deliveries on this
// machine, signatures checked, and hand them to a local app, as
// `stripe listen` does, with no endpoint to register or clean up by hand.
func newListenCommand(getenv func(string) string, stdout io.Writer) *cobra.Command {
	var o clientOptions
	var events, forwardTo, host string
	var port int
	cmd := &cobra.Command{
		Use:   "listen [--events a,b|*] [--forward-to URL] [--port N]",
		Short: "Receive webhooks locally through a temporary test-mode endpoint",
		Long: `Start a local receiver and register a temporary test-mode webhook endpoint
that points at it. Every delivery's signature is verified with the endpoint's
secret, printed on the first line, and one line is printed per event. With
--forward-to, the raw body and the signature headers are POSTed on to your
app, which can verify them with the same secret; the hub sees your app's
status. The endpoint is deleted when the command stops (Ctrl-C).

The hub must reach this machine at --host (default 127.0.0.1: a hub running
here). Only test keys may listen: live events do not go to a laptop.`,
		Example: `  bellhop listen --forward-to http://localhost:3000/webhooks
  bellhop listen --events reservation.created,guest.checked_in`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, _, err := o.client(getenv, stdout)
			if err != nil {
				return err
			}
			if strings.HasPrefix(c.key, core.LiveKeyPrefix) {
				return errors.New("listen needs a test key (bh_test_…): it registers a test-mode endpoint on this machine, and live events must not go there")
			}
			l := &listener{api: c, out: newEventPrinter(stdout, o.output == "table"), forwardTo: forwardTo,
				http: &http.Client{Timeout: 30 * time.Second}}
			return l.run(cmd.Context(), host, port, splitList(events))
		},
	}
	addClientFlags(cmd, &o)
	cmd.Flags().StringVar(&events, "events", "*", `event types to receive, comma-separated, or "*" for all`)
	fills(cmd, "events", "enabled_events")
	cmd.Flags().StringVar(&forwardTo, "forward-to", "", "POST each delivery on to this URL, such as http://localhost:3000/webhooks")
	cmd.Flags().StringVar(&host, "host", "127.0.0.1", "the address the receiver listens on and the hub sends to")
	cmd.Flags().IntVar(&port, "port", 0, "the receiver's port (0: any free one)")
	return cmd
}

// listener is one `bellhop listen` run: its endpoint, its secret, and where
// it forwards.
type listener struct {
	api       *apiClient
	out       *eventPrinter
	forwardTo string
	http      *http.Client
	secret    string
}

// listenEndpoint is the part of POST /v1/webhook_endpoints' answer listen
// needs.
type listenEndpoint struct {
	ID     string `json:"id"`
	URL    string `json:"url"`
	Secret string `json:"secret"`
}

// run listens, registers the endpoint, serves until ctx ends, and deletes
// the endpoint even when ctx is what ended.
func (l *listener) run(ctx context.Context, host string, port int, events []string) error {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("listen on %s:%d: %w", host, port, err)
	}
	defer ln.Close()
	if len(events) == 0 {
		events = []string{"*"}
	}
	body := map[string]any{"url": "http://" + ln.Addr().String() + "/webhooks", "enabled_events": events,
		"description": "bellhop listen (temporary: deleted when the command stops)"}
	raw, err := l.api.do(ctx, "POST", "/v1/webhook_endpoints", nil, body)
	if err != nil {
		return err
	}
	var ep listenEndpoint
	if err := json.Unmarshal(raw, &ep); err != nil || ep.ID == "" || ep.Secret == "" {
		return fmt.Errorf("the API's endpoint answer lacks an id or secret: %s", raw)
	}
	l.secret = ep.Secret
	defer l.deleteEndpoint(ctx, ep.ID)
	l.out.ready(ep, events, l.forwardTo)

	srv := &http.Server{Handler: http.HandlerFunc(l.receive), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err := <-served:
		return fmt.Errorf("the local receiver stopped: %w", err)
	}
	shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	srv.Shutdown(shut)
	return nil
}

// deleteEndpoint removes the temporary endpoint; the command's context has
// usually ended by then, so the call gets a few seconds of its own.
func (l *listener) deleteEndpoint(ctx context.Context, id string) {
	del, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := l.api.do(del, "DELETE", endpointPath(id), nil, nil); err != nil {
		l.out.note(fmt.Sprintf("could not delete the temporary endpoint %s; delete it with `bellhop endpoints delete %s`: %v", id, id, err))
		return
	}
	l.out.note("deleted the temporary endpoint " + id)
}
