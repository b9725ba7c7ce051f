package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/bellhop/bellhop/plugins"
	"github.com/bellhop/bellhop/plugins/plugintest"
)

// TestInProcessAndPlugin runs the same calls against Echo in process and as
// a plugin binary: the answers must be identical.
func TestInProcessAndPlugin(t *testing.T) {
	bin, err := plugintest.Build(t.TempDir(), "github.com/bellhop/bellhop/examples/connector-echo", "bellhop-connector-echo")
	if err != nil {
		t.Fatal(err)
	}
	p, err := plugins.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx := context.Background()
	for _, c := range []struct {
		name string
		c    plugins.Connector
	}{{"in process", Echo{}}, {"plugin", p}} {
		t.Run(c.name, func(t *testing.T) {
			d, err := c.c.Describe(ctx)
			if err != nil || d.Name != "echo" || !d.Fields[1].Secret {
				t.Errorf("Describe: %+v, %v", d, err)
			}
			errs, err := c.c.Validate(ctx, plugins.Config{})
			if got := fmt.Sprint(errs, err); got != "[{greeting is required}] <nil>" {
				t.Errorf("Validate: got %s", got)
			}
			r, err := c.c.Deliver(ctx, plugins.Config{"greeting": "ahoy"}, json.RawMessage(`{"guest":"Ada"}`))
			sum := sha256.Sum256([]byte(`{"guest":"Ada"}`))
			want := plugins.Result{Outcome: plugins.Delivered, ExternalID: hex.EncodeToString(sum[:8]), Summary: "ahoy: 15 bytes"}
			if err != nil || r != want {
				t.Errorf("Deliver: got %+v, %v", r, err)
			}
			opts, err := plugins.Options(ctx, c.c, nil, "greeting")
			if err != nil || len(opts) != 3 {
				t.Errorf("Options: %v, %v", opts, err)
			}
		})
	}
}
