package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/bellhop/bellhop/core/pluginhost"
	"github.com/bellhop/bellhop/plugins/plugintest"
)

// The event bench deliver publishes by default, as issue 12 measures: a
// custom type whose schema accepts any object (so that validation costs
// what a permissive account's does) and a data object of about 100 bytes.
const (
	benchEventType = "bench.event"
	benchSchema    = `{"type":"object"}`
	benchProperty  = "prop_8hJk3m"
)

var benchObject = json.RawMessage(`{"reservation_id":"res_4fJ8kQ2m","guest":"Ada Lovelace","room":"412","nights":3,"total":"389.00 EUR"}`)

// recorderPlugin is the no-op connector plugin of core/delivery's tests and
// BenchmarkConnectionDeliveries: it posts each input to a URL and reports
// the answer, so that --target connection measures the hub's plugin path.
const (
	recorderPlugin  = pluginhost.BinaryPrefix + "recorder"
	recorderPackage = "github.com/bellhop/bellhop/core/delivery/testdata/recorder"
	recorderToken   = "good-token-1234567890" // the token its Check accepts
)

// benchPublishBody returns the body of every publish and the type it is
// of: for "custom", benchObject of benchEventType, registered here; for a
// catalog type, the catalog's sample.
func benchPublishBody(ctx context.Context, hub benchAPI, event string) ([]byte, string, error) {
	if event != "custom" {
		body, err := hub.samplePublishBody(event)
		return body, event, err
	}
	t, _ := json.Marshal(map[string]any{"type": benchEventType, "description": "bellhop bench deliver: any object",
		"schema": json.RawMessage(benchSchema), "sample": benchObject})
	if err := hub.post(ctx, "/v1/event_types", t, http.StatusCreated); err != nil {
		return nil, "", fmt.Errorf("register the custom event type: %w", err)
	}
	body, err := json.Marshal(map[string]any{"type": benchEventType, "property_id": benchProperty,
		"data": map[string]any{"object": benchObject}})
	return body, benchEventType, err
}

// benchTarget is one endpoint or connection of the run, on its own path
// of the receiver.
type benchTarget struct {
	kind string // the API collection: webhook_endpoints or connections
	id   string
}

// createTargets subscribes n endpoints, or n recorder connections, to typ,
// each on its own path of the receiver at base.
func createTargets(ctx context.Context, hub benchAPI, kind string, n int, typ, base string) ([]benchTarget, error) {
	targets := make([]benchTarget, 0, n)
	for i := range n {
		var body map[string]any
		switch kind {
		case "endpoint":
			body = map[string]any{"url": fmt.Sprintf("%s/ep/%d", base, i), "enabled_events": []string{typ}, "rate_limit": 0}
		case "connection":
			body = map[string]any{"connector": "recorder", "name": fmt.Sprintf("bench %d", i), "enabled_events": []string{typ},
				"config": map[string]any{"url": fmt.Sprintf("%s/conn/%d", base, i), "token": recorderToken}}
		default:
			return nil, fmt.Errorf("--target %q: must be endpoint or connection", kind)
		}
		b, _ := json.Marshal(body)
		t := benchTarget{kind: kind + "s"}
		if kind == "endpoint" {
			t.kind = "webhook_endpoints"
		}
		var created struct{ ID string }
		if err := hub.call(ctx, http.MethodPost, "/v1/"+t.kind, b, http.StatusCreated, &created); err != nil {
			return nil, err
		}
		t.id = created.ID
		targets = append(targets, t)
	}
	return targets, nil
}

// succeeded sums the targets' succeeded attempts of the last hour, as
// their stats in the API say: an attempt counts there once it is recorded,
// which is later than the receiver sees it.
func succeeded(ctx context.Context, hub benchAPI, targets []benchTarget) (int, error) {
	total := 0
	for _, t := range targets {
		var st struct {
			LastHour struct{ Succeeded int } `json:"last_hour"`
		}
		if err := hub.call(ctx, http.MethodGet, "/v1/"+t.kind+"/"+t.id+"/stats", nil, http.StatusOK, &st); err != nil {
			return 0, err
		}
		total += st.LastHour.Succeeded
	}
	return total, nil
}

// waitRecorded returns once the targets' stats count want succeeded
// attempts, or at the timeout, with how many they count.
func waitRecorded(ctx context.Context, hub benchAPI, targets []benchTarget, want int, timeout time.Duration) (int, error) {
	deadline := time.Now().Add(timeout)
	for {
		n, err := succeeded(ctx, hub, targets)
		if err != nil || n >= want || time.Now().After(deadline) || ctx.Err() != nil {
			return n, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// recorderPluginDir returns an absolute folder holding the recorder
// plugin: dir if it has one, else a temporary folder it is built into
// (which needs the Go toolchain and this module's source: bench deliver
// --target connection is run from a checkout). cleanup removes what was
// built.
func recorderPluginDir(dir string) (abs string, cleanup func(), err error) {
	if _, err := os.Stat(filepath.Join(dir, recorderPlugin)); err == nil {
		abs, err := filepath.Abs(dir)
		return abs, func() {}, err
	}
	tmp, err := os.MkdirTemp("", "bellhop-bench-plugins")
	if err != nil {
		return "", nil, err
	}
	cleanup = func() { os.RemoveAll(tmp) }
	if _, err := plugintest.Build(tmp, recorderPackage, recorderPlugin); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("no %s in %s, and building it failed (run from a checkout of Bellhop): %w", recorderPlugin, dir, err)
	}
	return tmp, cleanup, nil
}
