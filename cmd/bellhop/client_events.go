package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/bellhop/bellhop/core/catalog"
	"github.com/spf13/cobra"
)

// eventColumns are the columns of an event list in a table.
var eventColumns = []string{"id", "type", "property_id", "created_at"}

// newTriggerCommand is `bellhop trigger`: publish a realistic event without
// writing one, as `stripe trigger` does, to see an integration react.
func newTriggerCommand(getenv func(string) string, stdout io.Writer) *cobra.Command {
	var o clientOptions
	var property string
	var sets []string
	cmd := &cobra.Command{
		Use:   "trigger TYPE [--property prop_…] [--set path=value …]",
		Short: "Publish the catalog's sample event of TYPE, with overrides",
		Long: `Publish the catalog's sample of an event type (GET /v1/event_types/TYPE) as
a new event. --set changes a field of data.object by its dotted path
(guest.email=ada@example.com, items.0.amount=1200); the value is read as JSON
when it is JSON (a number, true, null, "quoted", {…}) and as a string
otherwise. It prints the published event; its id is the event's.`,
		Example: `  bellhop trigger reservation.created
  bellhop trigger guest.created --property prop_123 --set email=ada@example.com`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, p, err := o.client(getenv, stdout)
			if err != nil {
				return err
			}
			raw, err := c.do(cmd.Context(), "GET", "/v1/event_types/"+url.PathEscape(args[0]), nil, nil)
			if err != nil {
				return err
			}
			object, err := sampleWithOverrides(raw, sets)
			if err != nil {
				return err
			}
			body := map[string]any{"type": args[0], "property_id": property, "data": map[string]any{"object": object}}
			ev, err := c.do(cmd.Context(), "POST", "/v1/events", nil, body)
			if err != nil {
				return err
			}
			return p.print(ev, eventColumns...)
		},
	}
	addClientFlags(cmd, &o)
	cmd.Flags().StringVar(&property, "property", catalog.SampleProperty, "the property_id of the event")
	cmd.Flags().StringArrayVar(&sets, "set", nil, "override a field of data.object: path=value (repeatable)")
	fills(cmd, "property", "property_id", "set", "data.object")
	return cmd
}

// sampleWithOverrides takes the sample of an event type answer and applies
// each path=value of sets to it.
func sampleWithOverrides(eventType json.RawMessage, sets []string) (any, error) {
	var t struct {
		Type   string          `json:"type"`
		Sample json.RawMessage `json:"sample"`
	}
	if err := json.Unmarshal(eventType, &t); err != nil {
		return nil, fmt.Errorf("read event type: %w", err)
	}
	object := any(map[string]any{})
	if len(t.Sample) > 0 && string(t.Sample) != "null" {
		var err error
		if object, err = decodeJSONValue(t.Sample); err != nil {
			return nil, fmt.Errorf("read the sample of %s: %w", t.Type, err)
		}
	}
	for _, s := range sets {
		path, value, ok := strings.Cut(s, "=")
		if !ok || path == "" {
			return nil, fmt.Errorf("--set %q: want path=value, such as guest.email=ada@example.com", s)
		}
		var err error
		if object, err = setPath(object, strings.Split(path, "."), parseValue(value)); err != nil {
			return nil, fmt.Errorf("--set %s: %w", path, err)
		}
	}
	return object, nil
}

// decodeJSONValue decodes with json.Number, so that an amount or an id made
// of digits goes back to the API exactly as the sample had it.
func decodeJSONValue(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

// parseValue reads a --set value as JSON when it is JSON, else as a string.
func parseValue(s string) any {
	if v, err := decodeJSONValue([]byte(s)); err == nil && json.Valid([]byte(s)) {
		return v
	}
	return s
}

// setPath sets path in v to value and returns the new v. Missing objects on
// the way are created; a list is indexed by a number within its length.
func setPath(v any, path []string, value any) (any, error) {
	if len(path) == 0 {
		return value, nil
	}
	switch node := v.(type) {
	case map[string]any:
		child, err := setPath(node[path[0]], path[1:], value)
		node[path[0]] = child
		return node, err
	case []any:
		i, err := strconv.Atoi(path[0])
		if err != nil || i < 0 || i >= len(node) {
			return v, fmt.Errorf("%q is not an index of a list of %d", path[0], len(node))
		}
		node[i], err = setPath(node[i], path[1:], value)
		return node, err
	case nil:
		return setPath(map[string]any{}, path, value)
	default:
		return v, fmt.Errorf("%q is inside %v, which is not an object", path[0], v)
	}
}

// newEventsCommand is `bellhop events`: read what was published.
func newEventsCommand(getenv func(string) string, stdout io.Writer) *cobra.Command {
	var o clientOptions
	cmd := &cobra.Command{Use: "events", Short: "List and read published events"}
	addClientFlags(cmd, &o)
	var typ, property, after string
	var limit int
	list := &cobra.Command{
		Use:   "list",
		Short: "List events, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q := url.Values{}
			addQuery(q, "type", typ)
			addQuery(q, "property_id", property)
			addQuery(q, "starting_after", after)
			if limit != 0 {
				q.Set("limit", strconv.Itoa(limit))
			}
			return callAndPrint(cmd, &o, getenv, stdout, "GET", "/v1/events", q, nil, eventColumns)
		},
	}
	list.Flags().StringVar(&typ, "type", "", "only events of this type")
	list.Flags().StringVar(&property, "property", "", "only events of this property_id")
	list.Flags().StringVar(&after, "starting-after", "", "the page after this event id")
	list.Flags().IntVar(&limit, "limit", 0, "events per page, 1 to 100 (default the API's, 10)")
	fills(list, "type", "type", "property", "property_id", "starting-after", "starting_after", "limit", "limit")
	get := &cobra.Command{
		Use:   "get EVENT_ID",
		Short: "Show one event",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return callAndPrint(cmd, &o, getenv, stdout, "GET", "/v1/events/"+url.PathEscape(args[0]), nil, nil, nil)
		},
	}
	cmd.AddCommand(list, get)
	return cmd
}

// callAndPrint is the whole of a command that makes one request and prints
// its answer.
func callAndPrint(cmd *cobra.Command, o *clientOptions, getenv func(string) string, stdout io.Writer,
	method, path string, q url.Values, body any, columns []string) error {
	c, p, err := o.client(getenv, stdout)
	if err != nil {
		return err
	}
	raw, err := c.do(cmd.Context(), method, path, q, body)
	if err != nil {
		return err
	}
	return p.print(raw, columns...)
}

func addQuery(q url.Values, k, v string) {
	if v != "" {
		q.Set(k, v)
	}
}
