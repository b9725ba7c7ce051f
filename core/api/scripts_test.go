package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/transform"
)

// newScriptsAPI is the test API with the scripts service wired in.
func newScriptsAPI(t *testing.T) *testAPI {
	t.Helper()
	return newTestAPI(t, func(_ *Config, d *Deps) {
		e := transform.New(transform.Options{Timeout: 200 * time.Millisecond})
		t.Cleanup(e.Close)
		store := d.Keys.(*redisstore.Store)
		d.Scripts = transform.NewService(store, transform.NewRunner(e, store), d.EventTypes)
	})
}

// account returns the account of the test's main key.
func (a *testAPI) account(t *testing.T) string {
	t.Helper()
	k, err := a.Store.Authenticate(context.Background(), a.Key)
	if err != nil {
		t.Fatal(err)
	}
	return k.AccountID
}

func createScript(t *testing.T, a *testAPI, src string) *core.Script {
	t.Helper()
	r := a.do(t, http.MethodPost, "/v1/scripts", map[string]any{"name": "vip", "source": src})
	r.wantStatus(t, http.StatusCreated)
	var sc core.Script
	r.decode(t, &sc)
	return &sc
}

func TestScriptsCRUD(t *testing.T) {
	a := newScriptsAPI(t)
	sc := createScript(t, a, "function transform(e) { return {id: e.id} }")
	if !strings.HasPrefix(sc.ID, "scr_") || sc.Version != 1 || sc.Object != "script" {
		t.Fatalf("created %+v", sc)
	}
	r := a.do(t, http.MethodPost, "/v1/scripts/"+sc.ID, map[string]any{"source": "function transform(e) { return null }"})
	r.wantStatus(t, http.StatusOK)
	var up core.Script
	r.decode(t, &up)
	if up.Version != 2 || up.Name != "vip" {
		t.Errorf("updated = %+v, want version 2 keeping the name", up)
	}
	r = a.do(t, http.MethodGet, "/v1/scripts/"+sc.ID, nil)
	r.wantStatus(t, http.StatusOK)
	r = a.do(t, http.MethodGet, "/v1/scripts?limit=1", nil)
	r.wantStatus(t, http.StatusOK)
	a.do(t, http.MethodGet, "/v1/scripts/"+sc.ID, nil, withKey(a.OtherKey)).wantError(t, http.StatusNotFound, "invalid_request_error", "")
	a.do(t, http.MethodGet, "/v1/scripts/"+sc.ID, nil, withKey(a.LiveKey)).wantError(t, http.StatusNotFound, "invalid_request_error", "")

	if err := a.Store.AttachScript(context.Background(), core.Scope{AccountID: a.account(t)}, sc.ID, "whe_1"); err != nil {
		t.Fatal(err)
	}
	d := a.do(t, http.MethodDelete, "/v1/scripts/"+sc.ID, nil).wantError(t, http.StatusConflict, "invalid_request_error", "")
	if !strings.Contains(d.Message, "whe_1") {
		t.Errorf("conflict message %q does not list the user", d.Message)
	}
	a.Store.DetachScript(context.Background(), core.Scope{AccountID: a.account(t)}, sc.ID, "whe_1")
	a.do(t, http.MethodDelete, "/v1/scripts/"+sc.ID, nil).wantStatus(t, http.StatusOK)
	a.do(t, http.MethodGet, "/v1/scripts/"+sc.ID, nil).wantError(t, http.StatusNotFound, "invalid_request_error", "")
}

func TestScriptsRefuseBadSource(t *testing.T) {
	a := newScriptsAPI(t)
	tests := []struct {
		name  string
		body  map[string]any
		param string
		want  string
	}{
		{"syntax error", map[string]any{"name": "x", "source": "function transform(e) {\n  return {a: };\n}"}, "source", ":2:14: SyntaxError"},
		{"no source", map[string]any{"name": "x", "source": " "}, "source", "needs source"},
		{"no name", map[string]any{"source": "function transform(e) {}"}, "name", "needs a name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := a.do(t, http.MethodPost, "/v1/scripts", tt.body, badRequest()).wantError(t, http.StatusBadRequest, "invalid_request_error", tt.param)
			if !strings.Contains(d.Message, tt.want) {
				t.Errorf("message = %q, want %q", d.Message, tt.want)
			}
		})
	}
}

func TestScriptsTest(t *testing.T) {
	a := newScriptsAPI(t)
	sc := createScript(t, a, "function transform(e, c) { console.log(c.target.kind); return {type: e.type, nights: e.data.object.nights} }")
	tests := []struct {
		name, path            string
		body                  map[string]any
		wantOutput, wantError string
		wantKind, wantLogs    string
	}{
		{name: "saved on a sample", path: "/v1/scripts/" + sc.ID + "/test", body: map[string]any{"event_type": "reservation.created", "target": map[string]any{"kind": "connection", "id": "conn_1"}},
			wantOutput: `{"type":"reservation.created","nights":4}`, wantLogs: "log: connection"},
		{name: "saved on an event", path: "/v1/scripts/" + sc.ID + "/test", body: map[string]any{"event": map[string]any{"type": "x.y", "data": map[string]any{"object": map[string]any{"nights": 2}}}},
			wantOutput: `{"type":"x.y","nights":2}`, wantLogs: "log: webhook_endpoint"},
		{name: "unsaved source", path: "/v1/scripts/test", body: map[string]any{"source": "function transform(e) { return e.type }", "event_type": "payment.failed"},
			wantOutput: `"payment.failed"`},
		{name: "unsaved source that throws", path: "/v1/scripts/test", body: map[string]any{"source": "function transform(e) {\n  throw new Error('no')\n}", "event_type": "payment.failed"},
			wantError: "script.js:2:9: Error: no", wantKind: "script_error"},
		// Scripts that call back into JavaScript after transform returns
		// (a getter, a thrown object's toString) stay inside the run's limits.
		{name: "looping getter in the output", path: "/v1/scripts/test", body: map[string]any{"source": "function transform(e){ return {get x(){ while(true){} }}; }", "event_type": "payment.failed"},
			wantError: "over its time limit", wantKind: "timeout"},
		{name: "thrown object with a looping toString", path: "/v1/scripts/test", body: map[string]any{"source": "function transform(e){ throw {toString(){ while(true){} }} }", "event_type": "payment.failed"},
			wantError: "over its time limit", wantKind: "timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := a.do(t, http.MethodPost, tt.path, tt.body)
			r.wantStatus(t, http.StatusOK)
			var res core.ScriptTestResult
			r.decode(t, &res)
			if tt.wantOutput != "" && string(res.Output) != tt.wantOutput {
				t.Errorf("output = %s, want %s", res.Output, tt.wantOutput)
			}
			if tt.wantError != "" && (res.Error == nil || !strings.Contains(*res.Error, tt.wantError)) {
				t.Errorf("error = %v, want %q", res.Error, tt.wantError)
			}
			if res.ErrorKind != tt.wantKind {
				t.Errorf("error_kind = %q, want %q", res.ErrorKind, tt.wantKind)
			}
			if tt.wantLogs != "" && strings.Join(res.Logs, "\n") != tt.wantLogs {
				t.Errorf("logs = %q, want %q", res.Logs, tt.wantLogs)
			}
		})
	}
	a.do(t, http.MethodPost, "/v1/scripts/test", map[string]any{"source": "function transform(e) {}", "event_type": "nope.nope"}).
		wantError(t, http.StatusBadRequest, "invalid_request_error", "event_type")
	a.do(t, http.MethodPost, "/v1/scripts/scr_nope/test", map[string]any{"event_type": "payment.failed"}).
		wantError(t, http.StatusNotFound, "invalid_request_error", "")
}

// TestScriptVersions: every saved version of a script is listed newest
// first, a page at a time with version numbers as cursors, and each can be
// read alone; a cursor or a version that is not one is named as the
// param at fault, and another account sees none of it.
func TestScriptVersions(t *testing.T) {
	a := newScriptsAPI(t)
	sc := createScript(t, a, "function transform(e) { return {v: 1} }")
	for v := 2; v <= 3; v++ {
		src := "function transform(e) { return {v: " + strings.Repeat("1+", v-1) + "1} }"
		a.do(t, http.MethodPost, "/v1/scripts/"+sc.ID, map[string]any{"source": src}).wantStatus(t, http.StatusOK)
	}
	base := "/v1/scripts/" + sc.ID + "/versions"
	for _, tt := range []struct {
		query   string
		want    []int
		hasMore bool
	}{
		{"", []int{3, 2, 1}, false},
		{"?limit=2", []int{3, 2}, true},
		{"?limit=2&starting_after=2", []int{1}, false},
		{"?starting_after=3", []int{2, 1}, false},
		{"?limit=1&ending_before=1", []int{2}, true},
		{"?ending_before=2", []int{3}, false},
	} {
		r := a.do(t, http.MethodGet, base+tt.query, nil)
		r.wantStatus(t, http.StatusOK)
		var l listBody[*core.Script]
		r.decode(t, &l)
		var got []int
		for _, s := range l.Data {
			got = append(got, s.Version)
			if s.ID != sc.ID || s.Source == "" {
				t.Errorf("%s: version %d is %+v, want the script whole", tt.query, s.Version, s)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) || l.HasMore != tt.hasMore {
			t.Errorf("%s: versions %v (has_more %v), want %v (%v)", tt.query, got, l.HasMore, tt.want, tt.hasMore)
		}
	}
	r := a.do(t, http.MethodGet, base+"/2", nil)
	r.wantStatus(t, http.StatusOK)
	var v2 core.Script
	r.decode(t, &v2)
	if v2.Version != 2 || !strings.Contains(v2.Source, "1+1}") {
		t.Errorf("version 2 = %+v, want its own source", v2)
	}
	a.do(t, http.MethodGet, base+"?starting_after=9", nil, badRequest()).wantError(t, http.StatusBadRequest, "invalid_request_error", "starting_after")
	a.do(t, http.MethodGet, base+"/zero", nil, badRequest()).wantError(t, http.StatusBadRequest, "invalid_request_error", "version")
	a.do(t, http.MethodGet, base+"/4", nil).wantError(t, http.StatusNotFound, "invalid_request_error", "")
	a.do(t, http.MethodGet, base, nil, withKey(a.OtherKey)).wantError(t, http.StatusNotFound, "invalid_request_error", "")
	a.do(t, http.MethodGet, "/v1/scripts/scr_none/versions", nil).wantError(t, http.StatusNotFound, "invalid_request_error", "")
}
