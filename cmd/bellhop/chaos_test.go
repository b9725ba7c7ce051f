package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/bellhop/bellhop/plugins/plugintest"
)

// TestChaos runs `bellhop bench chaos` for 40s: hubs, Redis and a plugin
// killed under load, beside a hostile tenant's looping scripts and hanging
// endpoints, must lose nothing acknowledged, and no hub may die by itself. The command runs as a child of the test with a hard timeout and
// kills its own children when it dies, so nothing outlives the test.
func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two hubs and a redis-server for a minute, killing them")
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-server is missing: apt-get install -y redis-server")
		}
		t.Skip("redis-server is not installed: apt-get install -y redis-server")
	}
	bin, err := buildBellhop()
	if err != nil {
		t.Fatal(err)
	}
	plugins := slackPluginDir(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "bench", "chaos", "--duration", "40s", "--rate", "45",
		"--hostile=true", "--plugin-dir", plugins)
	cmd.SysProcAttr = childProcAttr()
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	t.Logf("bellhop bench chaos:\n%s", out.String())
	if ctx.Err() != nil {
		t.Fatal("bench chaos ran over its 3 minutes")
	}
	if err != nil {
		t.Fatalf("bench chaos failed: %v", err)
	}
	for _, want := range []string{`(?m)^lost: 0$`, `(?m)^hub A: .*crashed 0 times`, `(?m)^hub B: .*crashed 0 times`, `kill -9 Redis`, `kill -9 the Slack plugin`, `kill -9 hub`} {
		if !regexp.MustCompile(want).MatchString(out.String()) {
			t.Errorf("the output does not match %s", want)
		}
	}
}

// slackPluginDir returns a folder holding the Slack connector plugin: the
// one `make test` builds (BELLHOP_PLUGIN_DIR), else one built for the test.
func slackPluginDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("BELLHOP_PLUGIN_DIR")
	if dir == "" {
		dir = t.TempDir()
		if _, err := plugintest.Build(dir, "github.com/bellhop/bellhop/connectors/slack/cmd/"+slackPlugin); err != nil {
			t.Fatal(err)
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}
