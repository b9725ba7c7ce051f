package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// connectionColumns are the columns of `connections list -o table`.
var connectionColumns = []string{"id", "connector", "name", "enabled_events", "disabled", "created_at"}

// connectionsCommand holds what every `bellhop connections` subcommand shares.
type connectionsCommand struct {
	apiCaller
	stdin *os.File
}

func connectionPath(id string) string { return "/v1/connections/" + url.PathEscape(id) }

// newConnectionsCommand is `bellhop connections`: configure connectors
// (Slack, HubSpot, Google Sheets) and watch what they deliver.
func newConnectionsCommand(getenv func(string) string, stdin *os.File, stdout io.Writer) *cobra.Command {
	c := &connectionsCommand{apiCaller: apiCaller{getenv: getenv, stdout: stdout}, stdin: stdin}
	cmd := &cobra.Command{Use: "connections", Short: "Configure connectors (Slack, HubSpot, Google Sheets) and see their deliveries"}
	addClientFlags(cmd, &c.o)
	cmd.AddCommand(c.create(), c.test(), disableCommand(c.call, connectionPath, "CONNECTION_ID", "connection"),
		listCommand(c.call, "/v1/connections", "connections", connectionColumns),
		targetDeliveries(c.call, connectionPath, "CONNECTION_ID", "A connection's delivery log, newest first"))
	cmd.AddCommand(idCommands(c.call, connectionPath, "CONNECTION_ID",
		idAction{"get", "Show one connection (secret fields masked)", "GET", ""},
		idAction{"delete", "Remove a connection; its pending deliveries fail", "DELETE", ""},
		idAction{"enable", "Re-enable a connection; its parked deliveries go out", "POST", "/enable"})...)
	return cmd
}

func (c *connectionsCommand) test() *cobra.Command {
	var typ string
	cmd := &cobra.Command{
		Use:   "test CONNECTION_ID [--type TYPE]",
		Short: "Check the connection live and dry-run a sample event through its transform; nothing is delivered",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			body := map[string]any{}
			if typ != "" {
				body["event_type"] = typ
			}
			return c.call(cmd, "POST", connectionPath(args[0])+"/test", nil, body)
		},
	}
	cmd.Flags().StringVar(&typ, "type", "", "the event type whose sample runs through the transform (default the connector's first suggested)")
	fills(cmd, "type", "event_type")
	return cmd
}

func (c *connectionsCommand) create() *cobra.Command {
	var connector, name, events, properties, script string
	var sets []string
	cmd := &cobra.Command{
		Use:   "create --connector NAME --events a,b [--config field=value …]",
		Short: "Configure a connector; asks for the form's missing required fields on a terminal",
		Long: `Create a connection of a connector plugin (bellhop connectors list shows
them with their forms). Each --config field=value fills one field of the
connector's form; a value is read as a number or true/false where the form
says so. On a terminal, the required fields not given are asked for, secret
ones without echo; elsewhere the API names the first one missing.`,
		Example: `  bellhop connections create --connector slack --events reservation.created --config channel=#front-desk
  bellhop connections create --connector sheets --events guest.checked_in --config spreadsheet_id=1AbC… --config sheet=Arrivals`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cl, p, err := c.o.client(c.getenv, c.stdout)
			if err != nil {
				return err
			}
			form, err := connectorForm(cmd.Context(), cl, connector)
			if err != nil {
				return err
			}
			config, err := form.values(sets)
			if err != nil {
				return err
			}
			if isTerminal(c.stdin) {
				if err := form.ask(config, newPrompter(c.stdin, c.stdout)); err != nil {
					return err
				}
			}
			body := map[string]any{"connector": connector, "config": config, "enabled_events": splitList(events)}
			if name != "" {
				body["name"] = name
			}
			if ps := splitList(properties); len(ps) > 0 {
				body["property_ids"] = ps
			}
			if script != "" {
				body["transform_script_id"] = script
			}
			raw, err := cl.do(cmd.Context(), "POST", "/v1/connections", nil, body)
			if err != nil {
				return err
			}
			return p.print(raw)
		},
	}
	cmd.Flags().StringVar(&connector, "connector", "", "the connector plugin: slack, hubspot, sheets, …")
	cmd.Flags().StringVar(&events, "events", "", `event types, comma-separated, or "*" for all`)
	cmd.Flags().StringArrayVar(&sets, "config", nil, "a field of the connector's form: field=value (repeatable)")
	cmd.Flags().StringVar(&name, "name", "", "a name for people (default the connector's)")
	cmd.Flags().StringVar(&properties, "properties", "", "only events of these property_ids, comma-separated (default every property)")
	cmd.Flags().StringVar(&script, "script", "", "a transform script (scr_…) instead of the connector's default")
	cmd.MarkFlagRequired("connector")
	fills(cmd, "connector", "connector", "events", "enabled_events", "config", "config", "name", "name",
		"properties", "property_ids", "script", "transform_script_id")
	return cmd
}

// form is a connector's configuration form, as GET /v1/connectors gives it.
type form struct {
	connector string
	fields    map[string]formField
	order     []string // the schema's required fields, in its order
	secret    []string
}

// formField is one property of the form's JSON Schema.
type formField struct {
	Type        string `json:"type"`
	Title       string `json:"title"`
	Description string `json:"description"`
}

// connectorForm reads the form of connector, or says which connectors
// there are.
func connectorForm(ctx context.Context, c *apiClient, connector string) (*form, error) {
	raw, err := c.do(ctx, "GET", "/v1/connectors", nil, nil)
	if err != nil {
		return nil, err
	}
	var list struct {
		Data []struct {
			Name         string          `json:"name"`
			ConfigSchema json.RawMessage `json:"config_schema"`
			SecretFields []string        `json:"secret_fields"`
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("the API answered GET /v1/connectors with invalid JSON: %w", err)
	}
	var names []string
	for _, d := range list.Data {
		names = append(names, d.Name)
		if d.Name != connector {
			continue
		}
		var schema struct {
			Properties map[string]formField `json:"properties"`
			Required   []string             `json:"required"`
		}
		if len(d.ConfigSchema) > 0 {
			if err := json.Unmarshal(d.ConfigSchema, &schema); err != nil {
				return nil, fmt.Errorf("the %s connector's form is not a JSON Schema object: %w", connector, err)
			}
		}
		return &form{connector: connector, fields: schema.Properties, order: schema.Required, secret: d.SecretFields}, nil
	}
	return nil, usageError{fmt.Errorf("--connector: the hub has no connector %q; it has %s", connector, strings.Join(names, ", "))}
}

// values reads --config field=value pairs, typed as the form says.
func (f *form) values(sets []string) (map[string]any, error) {
	config := map[string]any{}
	for _, kv := range sets {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, usageError{fmt.Errorf("--config %q: want field=value", kv)}
		}
		typed, err := f.typed(k, v)
		if err != nil {
			return nil, usageError{fmt.Errorf("--config %s: %w", k, err)}
		}
		config[k] = typed
	}
	return config, nil
}

// typed reads v as the form's field k wants it: a number, a boolean, or
// the string as it is (and for a field the form does not have, for the API
// to name).
func (f *form) typed(k, v string) (any, error) {
	switch f.fields[k].Type {
	case "integer":
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a whole number", v)
		}
		return n, nil
	case "number":
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", v)
		}
		return n, nil
	case "boolean":
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("%q is not true or false", v)
		}
		return b, nil
	}
	return v, nil
}

// prompter asks a person for a value on a terminal.
type prompter interface {
	ask(label string, secret bool) (string, error)
}

// ask fills the form's required fields config lacks, one question each.
func (f *form) ask(config map[string]any, p prompter) error {
	for _, k := range f.order {
		if _, ok := config[k]; ok {
			continue
		}
		field := f.fields[k]
		label := k
		if about := firstNonEmpty(field.Title, field.Description); about != "" {
			label += " (" + about + ")"
		}
		v, err := p.ask(label, slices.Contains(f.secret, k))
		if err != nil {
			return err
		}
		if config[k], err = f.typed(k, v); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	return nil
}

// termPrompter asks on the terminal in, writing the questions to out;
// a secret is read without echo.
type termPrompter struct {
	in  *os.File
	rd  *bufio.Reader
	out io.Writer
}

func newPrompter(in *os.File, out io.Writer) *termPrompter {
	return &termPrompter{in: in, rd: bufio.NewReader(in), out: out}
}

func (t *termPrompter) ask(label string, secret bool) (string, error) {
	fmt.Fprintf(t.out, "%s: ", label)
	if secret {
		b, err := term.ReadPassword(int(t.in.Fd()))
		fmt.Fprintln(t.out)
		return strings.TrimSpace(string(b)), err
	}
	line, err := t.rd.ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("no answer for %s: %w", label, err)
	}
	return strings.TrimSpace(line), nil
}
