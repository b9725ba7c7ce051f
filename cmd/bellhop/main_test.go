package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestCommandLineUsage: what a user typing the command line gets for a
// typo, an unknown flag or --version, without a hub. A usage error exits 2
// and names what was wrong with the nearest commands; a command that only
// groups others still prints its help when called alone.
func TestCommandLineUsage(t *testing.T) {
	tests := []struct {
		args     []string
		wantExit int // 0: no error
		want     string
	}{
		{[]string{"--version"}, 0, "bellhop " + version + "\n"},
		{[]string{"events", "lst"}, 2, `unknown command "lst" for "bellhop events"; did you mean get or list?`},
		{[]string{"evnts"}, 2, `unknown command "evnts" for "bellhop"; did you mean events?`},
		{[]string{"scripts", "tset"}, 2, "did you mean get or test?"},
		{[]string{"zzzzzz"}, 2, `unknown command "zzzzzz" for "bellhop" (see bellhop --help)`},
		{[]string{"trigger", "--nope"}, 2, "unknown flag: --nope"},
		{[]string{"events"}, 0, "Usage:"},
		{[]string{"endpoints", "test", "whe_1"}, 1, `required flag(s) "type" not set`}, // refused before any request
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), tt.args, func(string) string { return "" }, &out)
			got := out.String()
			if err != nil {
				got = err.Error()
			}
			if code := exitCodeOf(err); code != tt.wantExit {
				t.Errorf("exit %d (%v), want %d", code, err, tt.wantExit)
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want it to contain %q", got, tt.want)
			}
		})
	}
}

// exitCodeOf is the status main exits with for err.
func exitCodeOf(err error) int {
	if err == nil {
		return 0
	}
	return exitCode(err)
}
