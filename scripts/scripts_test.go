package scripts

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/catalog"
	"github.com/bellhop/bellhop/core/transform"
)

var update = flag.Bool("update", false, "rewrite the expected outputs in testdata/")

// sample returns the catalog's sample of typ with a fixed id and time, so that
// outputs are stable.
func sample(t testing.TB, typ string, patch map[string]any) *core.Event {
	t.Helper()
	cat, err := catalog.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, et := range cat.Shipped() {
		if et.Type != typ {
			continue
		}
		ev := catalog.SampleEvent(et, core.Scope{AccountID: "acct_test"}, time.Date(2026, 4, 13, 14, 22, 31, 0, time.UTC))
		ev.ID = "evt_sample"
		if patch != nil {
			var obj map[string]any
			if err := json.Unmarshal(ev.Data.Object, &obj); err != nil {
				t.Fatal(err)
			}
			for k, v := range patch {
				obj[k] = v
			}
			ev.Data.Object, _ = json.Marshal(obj)
		}
		return ev
	}
	t.Fatalf("no catalog type %s", typ)
	return nil
}

func allTypes(t testing.TB) []string {
	cat, err := catalog.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, et := range cat.Shipped() {
		out = append(out, et.Type)
	}
	return out
}

func TestShippedScripts(t *testing.T) {
	type tcase struct {
		script, typ, golden string
		patch               map[string]any
	}
	var cases []tcase
	for _, typ := range allTypes(t) {
		cases = append(cases, tcase{script: "slack/default.js", typ: typ})
	}
	for _, typ := range []string{"reservation.created", "reservation.cancelled", "guest.created", "guest.checked_in", "payment.succeeded"} {
		cases = append(cases, tcase{script: "hubspot/default.js", typ: typ})
	}
	for _, typ := range []string{"reservation.created", "payment.refunded", "guest.created"} {
		cases = append(cases, tcase{script: "sheets/default.js", typ: typ})
	}
	cases = append(cases,
		tcase{script: "library/keep-properties.js", typ: "reservation.created"},
		tcase{script: "library/vip-filter.js", typ: "guest.created"},
		tcase{script: "library/vip-filter.js", typ: "guest.created", golden: "guest.created.gold", patch: map[string]any{"loyalty_tier": "gold"}},
		tcase{script: "library/redact-pii.js", typ: "guest.created"},
		tcase{script: "library/redact-pii.js", typ: "reservation.created"},
		tcase{script: "library/money-decimal.js", typ: "payment.refunded"},
		tcase{script: "library/flatten.js", typ: "inventory.updated"},
	)
	// A generous time limit: on a loaded machine a collector pause can pass
	// the default 50 ms, and the goldens compare outputs, not speed.
	e := transform.New(transform.Options{Timeout: 5 * time.Second})
	defer e.Close()
	for _, tc := range cases {
		golden := tc.golden
		if golden == "" {
			golden = tc.typ
		}
		t.Run(tc.script+"/"+golden, func(t *testing.T) {
			src, err := Read(tc.script)
			if err != nil {
				t.Fatal(err)
			}
			p, err := transform.Compile(tc.script, src)
			if err != nil {
				t.Fatal(err)
			}
			res, err := e.Run(context.Background(), p, transform.Input{Event: sample(t, tc.typ, tc.patch), Attempt: 1,
				Target: core.Target{Kind: "connection", ID: "conn_test"}})
			if err != nil {
				t.Fatal(err)
			}
			got := render(t, res)
			path := filepath.Join("testdata", strings.TrimSuffix(tc.script, ".js"), golden+".json")
			if *update {
				os.MkdirAll(filepath.Dir(path), 0o755)
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read expected output (run with -update to create it): %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output of %s on %s:\n%s\nwant:\n%s", tc.script, golden, got, want)
			}
		})
	}
}

// render shows an output indented, or a skip as {"skip": reason}.
func render(t *testing.T, res *core.TransformResult) []byte {
	t.Helper()
	raw := res.Output
	if res.Skip {
		raw, _ = json.Marshal(map[string]string{"skip": res.SkipReason})
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		t.Fatal(err)
	}
	buf.WriteByte('\n')
	return buf.Bytes()
}

func TestListNamesEveryScript(t *testing.T) {
	got := strings.Join(List(), ",")
	for _, want := range []string{"slack/default.js", "hubspot/default.js", "sheets/default.js", "library/flatten.js"} {
		if !strings.Contains(got, want) {
			t.Errorf("List() = %s, missing %s", got, want)
		}
	}
	if _, err := Read("nope.js"); err == nil {
		t.Error("Read(nope.js) succeeded, want an error")
	}
}
