package api

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// redocly is the pinned Redocly CLI the document is held to. 2.x needs
// Node 20.19 or later.
const redocly = "@redocly/cli@2.77.0"

// TestOpenAPIRedoclyStrict holds openapi.json to Redocly's
// recommended-strict rules, which SDK generators lean on: every operation
// has its 4XX, examples match their schemas, oneOf members exclude each
// other, tags and the licence are described.
func TestOpenAPIRedoclyStrict(t *testing.T) {
	if !nodeAtLeast(20, 19) {
		if os.Getenv("CI") == "true" {
			t.Fatal("Node 20.19 or later is needed to lint openapi.json with Redocly, and CI=true: .ci/run installs it")
		}
		t.Skip("needs Node 20.19 or later with npx to lint openapi.json with Redocly")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npx", "--yes", redocly, "lint", "openapi.json", "--extends", "recommended-strict", "--format", "stylish")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("redocly lint --extends recommended-strict: %v\n%s", err, out)
	}
}

// nodeAtLeast reports whether `node --version` is major.minor or later.
func nodeAtLeast(major, minor int) bool {
	out, err := exec.Command("node", "--version").Output()
	if err != nil {
		return false
	}
	parts := strings.Split(strings.TrimPrefix(strings.TrimSpace(string(out)), "v"), ".")
	if len(parts) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return false
	}
	return ma > major || ma == major && mi >= minor
}
