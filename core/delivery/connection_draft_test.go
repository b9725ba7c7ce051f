package delivery

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/plugins"
)

// listingConnector is a fakeConnector that lists channels for the token
// fakeToken only, so a test sees which token a draft's call carried.
type listingConnector struct{ *fakeConnector }

func (l listingConnector) Options(_ context.Context, c plugins.Config, field string) ([]plugins.Option, error) {
	if field != "channel" {
		return nil, core.ParamError("field", "no choices for %q", field)
	}
	if c["token"] != fakeToken {
		return nil, core.ParamError("token", "token %v is not valid", c["token"])
	}
	return []plugins.Option{{Value: "C1", Label: "#general"}, {Value: "C2", Label: "#front-desk"}}, nil
}

func TestConnectionDrafts(t *testing.T) {
	h := newHarness(t)
	fake := listingConnector{&fakeConnector{script: "slack/default.js"}}
	_, conns := h.startWithConnections(h.options(), fakeHost{"fake": fake})
	ctx := context.Background()
	name := "fake"
	draft := func(id string, config map[string]any) core.ConnectionDraft {
		d := core.ConnectionDraft{ID: id, Input: core.ConnectionInput{Config: config}}
		if id == "" {
			d.Input.Connector = &name
		}
		return d
	}

	t.Run("options before the connection exists", func(t *testing.T) {
		// Only the token is typed: the channel is what is being chosen.
		opts, err := conns.DraftOptions(ctx, h.scope, draft("", map[string]any{"token": fakeToken}), "channel")
		if err != nil || len(opts) != 2 || opts[1].Label != "#front-desk" {
			t.Fatalf("options = %v, %v", opts, err)
		}
	})
	t.Run("a wrong token's error does not quote it", func(t *testing.T) {
		const wrong = "tok-WRONG-secret-value"
		_, err := conns.DraftOptions(ctx, h.scope, draft("", map[string]any{"token": wrong}), "channel")
		if core.ErrorCode(err) != core.EINVALID || strings.Contains(err.Error(), wrong) || strings.Contains(core.ErrorMessage(err), wrong) {
			t.Errorf("got %v, want EINVALID without the token", err)
		}
	})
	t.Run("unknown connector", func(t *testing.T) {
		other := "nope"
		_, err := conns.DraftOptions(ctx, h.scope, core.ConnectionDraft{Input: core.ConnectionInput{Connector: &other}}, "channel")
		var e *core.Error
		if !errors.As(err, &e) || e.Code != core.EINVALID || e.Param != "connector" {
			t.Errorf("got %v, want EINVALID naming connector", err)
		}
	})

	c := h.connection(conns, "fake", map[string]any{"channel": "C1", "token": fakeToken})
	t.Run("an edit left empty or masked uses the stored secret", func(t *testing.T) {
		for _, token := range []any{"", core.SecretMask, nil} {
			config := map[string]any{"channel": "C1"}
			if token != nil {
				config["token"] = token
			}
			if _, err := conns.DraftOptions(ctx, h.scope, draft(c.ID, config), "channel"); err != nil {
				t.Errorf("token %q: %v", token, err)
			}
		}
		if _, err := conns.DraftOptions(ctx, h.scope, draft(c.ID, map[string]any{"token": "tok-typed-anew"}), "channel"); err == nil {
			t.Error("a newly typed token was not used")
		}
	})

	t.Run("test validates like a save, then checks and dry-runs", func(t *testing.T) {
		_, err := conns.TestDraft(ctx, h.scope, draft("", map[string]any{"token": fakeToken}), "")
		var e *core.Error
		if !errors.As(err, &e) || e.Param != "config.channel" {
			t.Errorf("incomplete draft: got %v, want EINVALID naming config.channel", err)
		}
		test, err := conns.TestDraft(ctx, h.scope, draft("", map[string]any{"token": fakeToken, "channel": "C2"}), "reservation.created")
		if err != nil || !test.OK || !test.Check.OK || len(test.Output) == 0 || test.EventType != "reservation.created" {
			t.Fatalf("test = %+v, %v", test, err)
		}
		test, err = conns.TestDraft(ctx, h.scope, draft(c.ID, map[string]any{"channel": "C2", "token": ""}), "")
		if err != nil || !test.OK {
			t.Errorf("edit draft test = %+v, %v", test, err)
		}
	})
	t.Run("nothing is stored", func(t *testing.T) {
		l, err := conns.ListConnections(ctx, h.scope, core.Page{Limit: 10})
		if err != nil || len(l.Data) != 1 {
			t.Errorf("connections = %d, %v; want only the one created", len(l.Data), err)
		}
		if _, secrets, _ := h.store.ConnectionSecrets(ctx, h.scope, c.ID); secrets["token"] != fakeToken {
			t.Errorf("stored token changed: %v", secrets)
		}
	})
}
