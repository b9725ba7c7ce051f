package delivery

import (
	"context"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/plugins"
)

// Post hands the input to the connector as is; a connector's failure comes
// back as EUNAVAILABLE with its credentials redacted, and a disabled
// connection is refused without calling it.
func TestConnectionPost(t *testing.T) {
	h := newHarness(t)
	fc := &fakeConnector{deliver: func(n int) (plugins.Result, error) {
		if n == 1 {
			return plugins.Result{Outcome: plugins.Delivered}, nil
		}
		return plugins.Result{Outcome: plugins.Failed, Summary: "invalid_auth for " + fakeToken}, nil
	}}
	_, conns := h.startWithConnections(h.options(), fakeHost{"fake": fc})
	c := h.connection(conns, "fake", map[string]any{"channel": "#desk", "token": fakeToken})
	ctx := context.Background()
	if err := conns.Post(ctx, h.scope, c.ID, []byte(`{"text":"hello","channel":"#ops"}`)); err != nil {
		t.Fatal(err)
	}
	if got := string(fc.inputs[0]); got != `{"text":"hello","channel":"#ops"}` {
		t.Errorf("the connector got %s", got)
	}
	err := conns.Post(ctx, h.scope, c.ID, []byte(`{"text":"again"}`))
	if core.ErrorCode(err) != core.EUNAVAILABLE || strings.Contains(err.Error(), fakeToken) || !strings.Contains(core.ErrorMessage(err), "invalid_auth") {
		t.Errorf("a failed post = %v", err)
	}
	if _, err := conns.DisableConnection(ctx, h.scope, c.ID, "paused"); err != nil {
		t.Fatal(err)
	}
	if err := conns.Post(ctx, h.scope, c.ID, []byte(`{"text":"x"}`)); core.ErrorCode(err) != core.EINVALID || len(fc.inputs) != 2 {
		t.Errorf("a disabled connection's post = %v, %d calls", err, len(fc.inputs))
	}
	if err := conns.Post(ctx, h.scope, "conn_nope", []byte(`{}`)); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("an unknown connection's post = %v", err)
	}
}
