package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// complete asks for completions the way the shell scripts of `bellhop
// completion bash|zsh|fish` do, and returns the offered values.
func complete(t *testing.T, args ...string) []string {
	t.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), append([]string{"__complete"}, args...), func(string) string { return "" }, &out); err != nil {
		t.Fatalf("__complete %v: %v", args, err)
	}
	var values []string
	for _, line := range strings.Split(out.String(), "\n") {
		if line == "" || strings.HasPrefix(line, ":") || strings.HasPrefix(line, "Completion ended") {
			continue
		}
		values = append(values, line)
	}
	return values
}

func TestCompletionOffersFlagValues(t *testing.T) {
	if got := strings.Join(complete(t, "events", "list", "-o", ""), " "); got != "json table yaml id" {
		t.Errorf("-o completes to %q", got)
	}
	got := complete(t, "endpoints", "create", "--events", "reservation.created,reservation.c")
	want := "reservation.created,reservation.cancelled reservation.created,reservation.checked_in reservation.created,reservation.checked_out"
	if strings.Join(got, " ") != want {
		t.Errorf("--events completes to %q, want %q (the typed item left out, the rest by prefix)", got, want)
	}
	if got := complete(t, "connections", "create", "--events", ""); len(got) < 20 || got[0] != "*" {
		t.Errorf("an empty --events offers %d values starting %v; want * and every shipped type", len(got), got[:min(len(got), 1)])
	}
	if got := strings.Join(complete(t, "scripts", "test", "--type", "guest.c"), " "); got != "guest.checked_in guest.created" {
		t.Errorf("--type completes to %q", got)
	}
	if got := complete(t, "bench", "deliver", "--events", ""); len(got) != 0 {
		t.Errorf("bench's --events is a count, yet completes to %v", got)
	}
	if got := strings.Join(complete(t, "conn"), " "); !strings.Contains(got, "connections") || !strings.Contains(got, "connectors") {
		t.Errorf("commands complete to %q", got)
	}
}
