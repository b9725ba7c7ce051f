package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/delivery"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/secretbox"
	"github.com/bellhop/bellhop/core/transform"
	"github.com/bellhop/bellhop/plugins"
)

// noopConnector is an in-process connector with one plain field that takes
// every delivery.
type noopConnector struct{}

func (noopConnector) Describe(context.Context) (plugins.Description, error) {
	return plugins.Description{Name: "noop", DisplayName: "No-op",
		Fields: []plugins.Field{{Name: "channel", Type: "string"}}}, nil
}
func (noopConnector) Validate(context.Context, plugins.Config) ([]plugins.FieldError, error) {
	return nil, nil
}
func (noopConnector) Check(context.Context, plugins.Config) (plugins.CheckResult, error) {
	return plugins.CheckResult{}, nil
}
func (noopConnector) Deliver(context.Context, plugins.Config, json.RawMessage) (plugins.Result, error) {
	return plugins.Result{Outcome: plugins.Delivered}, nil
}

// noopHost hands out the no-op connector.
type noopHost struct{}

func (noopHost) Connector(_ context.Context, name string) (plugins.Connector, error) {
	if name != "noop" {
		return nil, core.NotFound("connector", name)
	}
	return noopConnector{}, nil
}

// newScriptUsersAPI is the API with scripts, endpoints and connections
// served over one store, as `bellhop serve` wires them.
func newScriptUsersAPI(t *testing.T) *testAPI {
	t.Helper()
	return newTestAPI(t, func(_ *Config, deps *Deps) {
		plain := deps.Keys.(*redisstore.Store)
		box, err := secretbox.New(secretbox.GenerateKey())
		if err != nil {
			t.Fatal(err)
		}
		store := redisstore.New(plain.Client(), redisstore.Options{Prefix: plain.Prefix(), Sealer: box})
		te := transform.New(transform.Options{Timeout: 200 * time.Millisecond})
		t.Cleanup(te.Close)
		runner := transform.NewRunner(te, store)
		deps.Scripts = transform.NewService(store, runner, deps.EventTypes)
		eng := delivery.New(delivery.Options{Store: store, Events: deps.Events, EventTypes: deps.EventTypes, Transforms: runner})
		conns := delivery.NewConnections(eng, delivery.ConnectionOptions{Host: noopHost{}})
		t.Cleanup(conns.Close)
		deps.Endpoints, deps.Deliveries, deps.Connections = delivery.NewEndpoints(eng, delivery.EndpointOptions{}), eng, conns
	})
}

// TestScriptInUseCannotBeDeleted attaches a script to an endpoint and a
// connection through their create and update calls, and checks that the
// script cannot be deleted until neither uses it any more.
func TestScriptInUseCannotBeDeleted(t *testing.T) {
	a := newScriptUsersAPI(t)
	sc := createScript(t, a, "function transform(e) { return e }")
	other := createScript(t, a, "function transform(e) { return null }")

	ep := a.createEndpoint(t, "http://127.0.0.1:1/hook", map[string]any{"transform_script_id": sc.ID})
	r := a.do(t, http.MethodPost, "/v1/connections", map[string]any{
		"connector": "noop", "enabled_events": []string{"*"}, "config": map[string]any{"channel": "x"}})
	r.wantStatus(t, http.StatusCreated)
	var conn core.Connection
	r.decode(t, &conn)
	a.do(t, http.MethodPost, "/v1/connections/"+conn.ID, map[string]any{"transform_script_id": sc.ID}).wantStatus(t, http.StatusOK)

	deleteWants := func(t *testing.T, id string, users ...string) {
		t.Helper()
		if len(users) == 0 {
			a.do(t, http.MethodDelete, "/v1/scripts/"+id, nil).wantStatus(t, http.StatusOK)
			return
		}
		d := a.do(t, http.MethodDelete, "/v1/scripts/"+id, nil).wantError(t, http.StatusConflict, "invalid_request_error", "")
		for _, u := range users {
			if !strings.Contains(d.Message, u) {
				t.Errorf("conflict message %q does not name user %s", d.Message, u)
			}
		}
	}
	deleteWants(t, sc.ID, ep.ID, conn.ID)

	// The endpoint moves to the other script: sc keeps one user, other gets one.
	a.do(t, http.MethodPost, "/v1/webhook_endpoints/"+ep.ID, map[string]any{"transform_script_id": other.ID}).wantStatus(t, http.StatusOK)
	deleteWants(t, other.ID, ep.ID)
	deleteWants(t, sc.ID, conn.ID)

	a.do(t, http.MethodDelete, "/v1/connections/"+conn.ID, nil).wantStatus(t, http.StatusOK)
	a.do(t, http.MethodPost, "/v1/webhook_endpoints/"+ep.ID, map[string]any{"transform_script_id": ""}).wantStatus(t, http.StatusOK)
	deleteWants(t, sc.ID)
	deleteWants(t, other.ID)
}

// TestScriptDetachedOnEndpointDelete checks that deleting an endpoint frees
// its script.
func TestScriptDetachedOnEndpointDelete(t *testing.T) {
	a := newScriptUsersAPI(t)
	sc := createScript(t, a, "function transform(e) { return e }")
	ep := a.createEndpoint(t, "http://127.0.0.1:1/hook", map[string]any{"transform_script_id": sc.ID})
	a.do(t, http.MethodDelete, "/v1/scripts/"+sc.ID, nil).wantError(t, http.StatusConflict, "invalid_request_error", "")
	a.do(t, http.MethodDelete, "/v1/webhook_endpoints/"+ep.ID, nil).wantStatus(t, http.StatusOK)
	a.do(t, http.MethodDelete, "/v1/scripts/"+sc.ID, nil).wantStatus(t, http.StatusOK)
}

// TestUnknownScriptRefused checks that naming a script that does not exist
// (or is another account's) is refused with the param named, and stores
// nothing.
func TestUnknownScriptRefused(t *testing.T) {
	a := newScriptUsersAPI(t)
	foreign := createScript(t, a, "function transform(e) { return e }")
	tests := []struct {
		name, path string
		body       map[string]any
		opts       []callOpt
	}{
		{"endpoint create", "/v1/webhook_endpoints", map[string]any{"url": "http://127.0.0.1:1/h", "enabled_events": []string{"*"}, "transform_script_id": "scr_nope"}, nil},
		{"endpoint create, other account's script", "/v1/webhook_endpoints", map[string]any{"url": "http://127.0.0.1:1/h", "enabled_events": []string{"*"}, "transform_script_id": foreign.ID}, []callOpt{withKey(a.OtherKey)}},
		{"connection create", "/v1/connections", map[string]any{"connector": "noop", "enabled_events": []string{"*"}, "config": map[string]any{}, "transform_script_id": "scr_nope"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a.do(t, http.MethodPost, tt.path, tt.body, tt.opts...).wantError(t, http.StatusBadRequest, "invalid_request_error", "transform_script_id")
		})
	}
	r := a.do(t, http.MethodGet, "/v1/webhook_endpoints", nil)
	var list struct{ Data []any }
	r.decode(t, &list)
	if len(list.Data) != 0 {
		t.Errorf("endpoints after refused creates = %d, want 0", len(list.Data))
	}
	ep := a.createEndpoint(t, "http://127.0.0.1:1/hook", nil)
	a.do(t, http.MethodPost, "/v1/webhook_endpoints/"+ep.ID, map[string]any{"transform_script_id": "scr_nope"}).wantError(t, http.StatusBadRequest, "invalid_request_error", "transform_script_id")
}
