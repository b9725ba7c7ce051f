package main

import (
	"errors"
	"io"
	"net/url"
	"strconv"

	"github.com/spf13/cobra"
)

// scriptColumns are the columns of `scripts list -o table`.
var scriptColumns = []string{"id", "name", "version", "updated_at"}

func scriptPath(id string) string { return "/v1/scripts/" + url.PathEscape(id) }

// addScriptAPICommands gives `bellhop scripts` the commands that keep
// scripts on a hub: save a file as a script or as a new version of one,
// list and read them, attach one to an endpoint or a connection, delete.
// `scripts test` stays local (scripts.go).
func addScriptAPICommands(cmd *cobra.Command, getenv func(string) string, stdout io.Writer) {
	e := &apiCaller{getenv: getenv, stdout: stdout}
	addClientFlags(cmd, &e.o)

	var name, description string
	create := &cobra.Command{
		Use:     "create FILE.js --name NAME",
		Short:   "Save a script file on the hub as version 1 (a syntax error names line and column)",
		Example: `  bellhop scripts create vip.js --name "VIP arrivals"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src, err := readScript(args[0])
			if err != nil {
				return err
			}
			return e.call(cmd, "POST", "/v1/scripts", nil, map[string]any{"name": name, "description": description, "source": src})
		},
	}
	create.Flags().StringVar(&name, "name", "", "a name for people")
	create.Flags().StringVar(&description, "description", "", "what it does")
	fills(create, "name", "name", "description", "description")

	update := &cobra.Command{
		Use:   "update SCRIPT_ID FILE.js",
		Short: "Save a file as the script's next version; the endpoints and connections using it run it from then on",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			src, err := readScript(args[1])
			if err != nil {
				return err
			}
			return e.call(cmd, "POST", scriptPath(args[0]), nil, map[string]any{"source": src})
		},
	}

	list := listCommand(e.call, "/v1/scripts", "scripts", scriptColumns)

	var t targetFlags
	attach := &cobra.Command{
		Use:     "attach SCRIPT_ID --endpoint whe_…|--connection conn_…",
		Short:   "Run a script on every delivery of an endpoint or a connection",
		Example: `  bellhop scripts attach scr_123 --endpoint whe_456`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return attachScript(cmd, e, t, args[0])
		},
	}
	t.add(attach)
	var dt targetFlags
	detach := &cobra.Command{
		Use:   "detach --endpoint whe_…|--connection conn_…",
		Short: "Stop running a script on a target's deliveries (a connection goes back to its connector's default)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return attachScript(cmd, e, dt, "")
		},
	}
	dt.add(detach)

	var version int
	get := &cobra.Command{
		Use: "get SCRIPT_ID [--version N]", Short: "Show a script, source included: its latest version or --version N",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := scriptPath(args[0])
			if version > 0 {
				path += "/versions/" + strconv.Itoa(version)
			}
			return e.call(cmd, "GET", path, nil, nil)
		},
	}
	get.Flags().IntVar(&version, "version", 0, "a saved version (1 for the first save); default the latest")
	fills(get, "version", "version")

	var limit int
	var after string
	versions := &cobra.Command{
		Use: "versions SCRIPT_ID", Short: "List a script's saved versions, newest first", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			q := url.Values{}
			if limit != 0 {
				q.Set("limit", strconv.Itoa(limit))
			}
			addQuery(q, "starting_after", after)
			return e.call(cmd, "GET", scriptPath(args[0])+"/versions", q, nil, scriptColumns...)
		},
	}
	versions.Flags().IntVar(&limit, "limit", 0, "versions per page, 1 to 100")
	versions.Flags().StringVar(&after, "starting-after", "", "the page after this version number")
	fills(versions, "limit", "limit", "starting-after", "starting_after")

	cmd.AddCommand(create, update, list, get, versions, attach, detach)
	cmd.AddCommand(idCommands(e.call, scriptPath, "SCRIPT_ID",
		idAction{"delete", "Delete a script no endpoint or connection uses (the answer names those that do)", "DELETE", ""})...)
}

// attachScript sets the target's transform_script_id to id ("" detaches)
// and prints the target.
func attachScript(cmd *cobra.Command, e *apiCaller, t targetFlags, id string) error {
	var path string
	switch {
	case (t.endpoint == "") == (t.connection == ""):
		return usageError{errors.New("give either --endpoint whe_… or --connection conn_…")}
	case t.endpoint != "":
		path = endpointPath(t.endpoint)
	default:
		path = connectionPath(t.connection)
	}
	return e.call(cmd, "POST", path, nil, map[string]any{"transform_script_id": id})
}
