package scripts

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/transform"
)

// TestSlackDefaultMatchesV1 holds slack/default.js, rewritten for speed in
// issue 12, to the output of the version before it (kept in
// testdata/slack/default.v1.js) byte for byte: on every catalog sample, on
// each sample with every top-level field removed or null, with every amount
// in other currencies and sizes, and under a type the script does not know.
// The goldens check one sample per type; this checks the edge cases the
// rewrite could have changed (missing guests, empty summaries, thousands
// separators, zero-decimal currencies).
func TestSlackDefaultMatchesV1(t *testing.T) {
	oldSrc, err := os.ReadFile("testdata/slack/default.v1.js")
	if err != nil {
		t.Fatal(err)
	}
	newSrc, err := Read("slack/default.js")
	if err != nil {
		t.Fatal(err)
	}
	oldP, err := transform.Compile("default.v1.js", string(oldSrc))
	if err != nil {
		t.Fatal(err)
	}
	newP, err := transform.Compile("slack/default.js", newSrc)
	if err != nil {
		t.Fatal(err)
	}
	// A generous time limit: thousands of runs on a shared machine meet a
	// collector pause over the default 50 ms now and then, and a timeout is
	// not what this test compares.
	e := transform.New(transform.Options{Timeout: 5 * time.Second})
	defer e.Close()
	run := func(p *transform.Program, ev *core.Event) string {
		res, err := e.Run(context.Background(), p, transform.Input{Event: ev, Attempt: 1,
			Target: core.Target{Kind: "connection", ID: "conn_test"}})
		if err != nil {
			return "error: " + err.Error()
		}
		return string(res.Output)
	}
	compared := 0
	for _, typ := range allTypes(t) {
		ev := sample(t, typ, nil)
		for _, v := range slackVariants(t, ev.Data.Object) {
			for _, asType := range []string{typ, "custom.unknown"} {
				ev := *ev
				ev.Type, ev.Data.Object = asType, v.obj
				want, got := run(oldP, &ev), run(newP, &ev)
				if got != want {
					t.Errorf("%s as %s, %s:\n got %s\nwant %s", typ, asType, v.name, got, want)
				}
				compared++
			}
		}
	}
	t.Logf("%d outputs compared", compared)
}

type slackVariant struct {
	name string
	obj  json.RawMessage
}

// slackVariants returns obj itself, obj with each field (at any depth)
// removed and set to null, and obj with every money object in it ({amount, currency},
// at any depth) set to each of a range of amounts and currencies.
func slackVariants(t *testing.T, obj json.RawMessage) []slackVariant {
	t.Helper()
	out := []slackVariant{{"as sampled", obj}}
	var top map[string]any
	if err := json.Unmarshal(obj, &top); err != nil {
		t.Fatal(err)
	}
	add := func(name string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, slackVariant{name, b})
	}
	for _, path := range fieldPaths(top, "") {
		v := decode(t, obj)
		add("without "+path, editPath(v, path, true))
		v = decode(t, obj)
		add(path+" null", editPath(v, path, false))
	}
	amounts := []any{0, 5, 999, 1000, 123456, -123456, 1234567890, 12.5, 1e21, 1.5e22, -1e23}
	currencies := []any{"USD", "EUR", "GBP", "JPY", "KRW", "CHF", nil, "toString"}
	for _, a := range amounts {
		for _, c := range currencies {
			v := setMoney(decode(t, obj), a, c)
			b, _ := json.Marshal(v)
			if !bytes.Equal(b, obj) {
				add("amounts "+string(mustJSON(a))+" "+string(mustJSON(c)), v)
			}
		}
	}
	return out
}

// fieldPaths lists the dotted paths of every field of every object in v.
func fieldPaths(v any, prefix string) []string {
	var out []string
	if m, ok := v.(map[string]any); ok {
		for k, inner := range m {
			out = append(out, prefix+k)
			out = append(out, fieldPaths(inner, prefix+k+".")...)
		}
	}
	return out
}

// editPath removes the field at a dotted path of v, or sets it to null.
func editPath(v any, path string, remove bool) any {
	m := v.(map[string]any)
	key, rest, nested := strings.Cut(path, ".")
	switch {
	case nested:
		editPath(m[key], rest, remove)
	case remove:
		delete(m, key)
	default:
		m[key] = nil
	}
	return v
}

func decode(t *testing.T, raw json.RawMessage) any {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func mustJSON(v any) []byte { b, _ := json.Marshal(v); return b }

// setMoney sets every {amount, currency} object in v to amount and currency.
func setMoney(v any, amount, currency any) any {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x["amount"].(float64); ok {
			if _, ok := x["currency"]; ok {
				x["amount"], x["currency"] = amount, currency
				return x
			}
		}
		for k, inner := range x {
			x[k] = setMoney(inner, amount, currency)
		}
	case []any:
		for i, inner := range x {
			x[i] = setMoney(inner, amount, currency)
		}
	}
	return v
}
