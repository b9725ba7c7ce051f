package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/goccy/go-yaml"
)

// printer writes an API answer as indented JSON (the default, for scripts
// and jq), as YAML (for reading a nested answer), as a table (for a
// person), or as bare ids (for the shell: ENDPOINT=$(bellhop endpoints
// create … -o id)).
type printer struct {
	w     io.Writer
	table bool
	yaml  bool
	ids   bool
}

// outputFormats are the values of --output.
var outputFormats = []string{"json", "table", "yaml", "id"}

// newPrinter returns the printer of an --output value, or an error naming
// the ones there are.
func newPrinter(w io.Writer, output string) (*printer, error) {
	if !slices.Contains(outputFormats, output) {
		return nil, usageError{fmt.Errorf("--output: %q is not one of %s", output, strings.Join(outputFormats, ", "))}
	}
	return &printer{w: w, table: output == "table", yaml: output == "yaml", ids: output == "id"}, nil
}

// print writes body. In a table, a list shows one row per item with the
// given columns, and an object shows one row per field. YAML keeps the
// API's field order.
func (p *printer) print(body json.RawMessage, columns ...string) error {
	if p.ids {
		return p.printIDs(body)
	}
	if p.yaml {
		out, err := yaml.JSONToYAML(body)
		if err != nil {
			return fmt.Errorf("the API answered with invalid JSON: %w", err)
		}
		_, err = p.w.Write(out)
		return err
	}
	if !p.table {
		var buf bytes.Buffer
		if err := json.Indent(&buf, body, "", "  "); err != nil {
			return fmt.Errorf("the API answered with invalid JSON: %w", err)
		}
		buf.WriteByte('\n')
		_, err := p.w.Write(buf.Bytes())
		return err
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return fmt.Errorf("the API answered with invalid JSON: %w", err)
	}
	tw := tabwriter.NewWriter(p.w, 0, 4, 2, ' ', 0)
	if string(obj["object"]) == `"list"` {
		writeRows(tw, obj["data"], columns)
	} else {
		writeFields(tw, obj)
	}
	return tw.Flush()
}

// writeRows writes a header and one row per item of a list.
func writeRows(w io.Writer, data json.RawMessage, columns []string) {
	var items []map[string]json.RawMessage
	json.Unmarshal(data, &items)
	fmt.Fprintln(w, strings.ToUpper(strings.Join(columns, "\t")))
	for _, it := range items {
		cells := make([]string, len(columns))
		for i, c := range columns {
			cells[i] = cell(it[c])
		}
		fmt.Fprintln(w, strings.Join(cells, "\t"))
	}
}

// writeFields writes an object's fields in name order, one a line.
func writeFields(w io.Writer, obj map[string]json.RawMessage) {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "%s\t%s\n", k, cell(obj[k]))
	}
}

// cell shows one JSON value in a table cell: strings bare, lists of
// scalars joined by commas, anything else as compact JSON.
func cell(v json.RawMessage) string {
	if len(v) == 0 || string(v) == "null" {
		return "-"
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		q := strconv.Quote(s) // a newline or tab must not break the table
		return q[1 : len(q)-1]
	}
	var list []string
	if json.Unmarshal(v, &list) == nil {
		return strings.Join(list, ",")
	}
	var buf bytes.Buffer
	if json.Compact(&buf, v) != nil {
		return string(v)
	}
	return buf.String()
}

// printIDs writes the answer's id, or each listed item's id, one per line.
func (p *printer) printIDs(body json.RawMessage) error {
	var obj struct {
		Object string            `json:"object"`
		ID     string            `json:"id"`
		Data   []json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &obj); err != nil {
		return fmt.Errorf("the API answered with invalid JSON: %w", err)
	}
	if obj.Object != "list" {
		if obj.ID == "" {
			return usageError{fmt.Errorf("--output id: this answer (%s) has no id; use -o json", cmp.Or(obj.Object, "no object"))}
		}
		_, err := fmt.Fprintln(p.w, obj.ID)
		return err
	}
	for _, item := range obj.Data {
		var it struct{ ID string }
		json.Unmarshal(item, &it)
		if it.ID != "" {
			fmt.Fprintln(p.w, it.ID)
		}
	}
	return nil
}
