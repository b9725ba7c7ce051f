package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestClientScripts: a script file saved on the hub, a new version of it
// saved, listed, attached to an endpoint (whose deletion of the script is
// then refused), detached and deleted, all from the command line.
func TestClientScripts(t *testing.T) {
	h := startHub(t, nil)
	dir := t.TempDir()
	v1, v2 := filepath.Join(dir, "v1.js"), filepath.Join(dir, "v2.js")
	os.WriteFile(v1, []byte(`function transform(e) { return {id: e.id}; }`), 0o600)
	os.WriteFile(v2, []byte(`function transform(e) { return {id: e.id, type: e.type}; }`), 0o600)
	bad := filepath.Join(dir, "bad.js")
	os.WriteFile(bad, []byte("function transform(e) {\n  return {;\n}"), 0o600)

	s := mustCLI(t, h, "scripts", "create", v1, "--name", "ids only")
	id, _ := s["id"].(string)
	if !strings.HasPrefix(id, "scr_") || s["version"] != float64(1) || s["name"] != "ids only" {
		t.Fatalf("create = %v, want scr_ version 1 named ids only", s)
	}
	if _, err := cli(t, h, "scripts", "create", bad, "--name", "broken"); err == nil || !strings.Contains(err.Error(), "SyntaxError") || !strings.Contains(err.Error(), ".js:3:1") {
		t.Errorf("create of a syntax error = %v, want the SyntaxError with its line and column", err)
	}
	if got := mustCLI(t, h, "scripts", "update", id, v2); got["version"] != float64(2) || !strings.Contains(got["source"].(string), "e.type") {
		t.Errorf("update = %v, want version 2 with the new source", got)
	}
	if list, err := cli(t, h, "scripts", "list", "-o", "table"); err != nil || !strings.Contains(list, id) || !strings.Contains(list, "ids only") {
		t.Errorf("scripts list = %v\n%s", err, list)
	}
	versions := mustCLI(t, h, "scripts", "versions", id)
	if data, _ := versions["data"].([]any); len(data) != 2 || dig(data[0], "version") != float64(2) || dig(data[1], "version") != float64(1) {
		t.Errorf("scripts versions = %v, want versions 2 and 1", versions)
	}
	if got := mustCLI(t, h, "scripts", "get", id, "--version", "1"); got["version"] != float64(1) || strings.Contains(got["source"].(string), "e.type") {
		t.Errorf("scripts get --version 1 = %v, want the first source", got)
	}

	ep := mustCLI(t, h, "endpoints", "create", "--url", "http://127.0.0.1:9/hooks", "--events", "guest.created")
	epID, _ := ep["id"].(string)
	if got := mustCLI(t, h, "scripts", "attach", id, "--endpoint", epID); got["id"] != epID || got["transform_script_id"] != id {
		t.Errorf("attach = %v, want %s running %s", got, epID, id)
	}
	if _, err := cli(t, h, "scripts", "delete", id); err == nil || !strings.Contains(err.Error(), epID) {
		t.Errorf("delete of a script in use = %v, want a refusal naming %s", err, epID)
	}
	if got := mustCLI(t, h, "scripts", "detach", "--endpoint", epID); got["transform_script_id"] != "" {
		t.Errorf("detach = %v, want no script", got)
	}
	if _, err := cli(t, h, "scripts", "attach", id); exitCodeOf(err) != 2 {
		t.Errorf("attach without a target = %v, want a usage error", err)
	}
	if _, err := cli(t, h, "scripts", "delete", id); err != nil {
		t.Errorf("delete after detach: %v", err)
	}
}
