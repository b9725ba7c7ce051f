package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestScriptsTestCommand(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.js")
	os.WriteFile(good, []byte("function transform(e, c) { console.log('hi', e.type); return {t: e.type, k: c.target.kind} }"), 0o644)
	bad := filepath.Join(dir, "bad.js")
	os.WriteFile(bad, []byte("function transform(e) {\n  throw new Error('nope')\n}"), 0o644)
	evFile := filepath.Join(dir, "ev.json")
	os.WriteFile(evFile, []byte(`{"id":"evt_1","type":"custom.thing","created_at":"2026-01-01T00:00:00Z","data":{"object":{"a":1}}}`), 0o644)
	tests := []struct {
		name, wantOut, wantErr, wantStderr string
		args                               []string
	}{
		{name: "type sample", args: []string{"test", good, "--type", "payment.failed", "--target-kind", "connection"}, wantOut: `"t": "payment.failed"`, wantStderr: "console log: hi payment.failed"},
		{name: "type sample by --event, as before", args: []string{"test", good, "--event", "payment.failed"}, wantOut: `"t": "payment.failed"`},
		{name: "default sample", args: []string{"test", good}, wantOut: `"t": "reservation.created"`},
		{name: "type and file", args: []string{"test", good, "--type", "payment.failed", "--event", evFile}, wantErr: "not both"},
		{name: "event file", args: []string{"test", good, "--event", evFile}, wantOut: `"t": "custom.thing"`},
		{name: "shipped script", args: []string{"test", "hubspot/default.js", "--event", "payment.failed"}, wantOut: "skipped: no guest email"},
		{name: "script error", args: []string{"test", bad}, wantErr: "bad.js:2:9: Error: nope"},
		{name: "unknown type", args: []string{"test", good, "--type", "nope.nope"}, wantErr: "unknown event type"},
		{name: "missing file", args: []string{"test", filepath.Join(dir, "none.js")}, wantErr: "no shipped script"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			cmd := newScriptsCommand(func(string) string { return "" }, &out, &errOut)
			cmd.SetArgs(tt.args)
			err := cmd.ExecuteContext(context.Background())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("stdout = %q, want %q", out.String(), tt.wantOut)
			}
			if !strings.Contains(errOut.String(), tt.wantStderr) {
				t.Errorf("stderr = %q, want %q", errOut.String(), tt.wantStderr)
			}
		})
	}
}
