package transform

import (
	"context"
	"strconv"
	"testing"

	"github.com/bellhop/bellhop/core"
)

// memScripts is a ScriptStore fake: latest versions by id.
type memScripts struct {
	core.ScriptStore
	scripts map[string]*core.Script
}

func (m *memScripts) FindScript(ctx context.Context, scope core.Scope, id string) (*core.Script, error) {
	if sc, ok := m.scripts[scope.AccountID+"/"+id]; ok {
		return sc, nil
	}
	return nil, core.NotFound("script", id)
}

func TestRunnerRunsLatestVersion(t *testing.T) {
	store := &memScripts{scripts: map[string]*core.Script{}}
	r := NewRunner(newEngine(t, Options{}), store)
	scope := core.Scope{AccountID: "acct_1"}
	for v := 1; v <= 3; v++ {
		store.scripts["acct_1/scr_1"] = &core.Script{ID: "scr_1", Version: v, Source: "function transform(e) { return " + strconv.Itoa(v) + " }"}
		res, err := r.RunTransform(context.Background(), scope, "scr_1", testEvent(), core.Target{Kind: "webhook_endpoint", ID: "whe_1"}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(res.Output), strconv.Itoa(v); got != want || res.Version != v {
			t.Errorf("version %d: output %s (version %d), want %s", v, got, res.Version, want)
		}
	}
	tests := []struct {
		name, account, id, code string
	}{
		{"unknown script", "acct_1", "scr_nope", core.ENOTFOUND},
		{"another account's script", "acct_2", "scr_1", core.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := r.RunTransform(context.Background(), core.Scope{AccountID: tt.account}, tt.id, testEvent(), core.Target{}, 1)
			if res != nil || core.ErrorCode(err) != tt.code {
				t.Errorf("got %v, %v; want nil and %s", res, err, tt.code)
			}
		})
	}
	store.scripts["acct_1/scr_1"] = &core.Script{ID: "scr_1", Version: 4, Source: "function transform(e) { throw new Error('x') }"}
	store.scripts["acct_1/scr_1"].Source = "function transform(e) { console.log('about to fail'); throw new Error('x') }"
	res, err := r.RunTransform(context.Background(), scope, "scr_1", testEvent(), core.Target{}, 1)
	if core.ErrorCode(err) != core.EINVALID || res == nil || res.Version != 4 || len(res.Logs) != 1 {
		t.Errorf("throwing script: got %+v, %v; want EINVALID with the run's logs and version 4", res, err)
	}
}
