package transform

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestEventObjectsActLikeJSONParse runs the same expressions on the event's
// lazily built data.object and on JSON.parse of the same text inside the
// script, and wants the same answers: key order (integer keys first),
// repeated keys, escapes, identity of nested objects, writes, deletes and
// additions, and objects past the size where lookups go through a map.
func TestEventObjectsActLikeJSONParse(t *testing.T) {
	big := `{`
	for i := range 40 {
		big += `"k` + strconv.Itoa(i) + `":` + strconv.Itoa(i) + `,`
	}
	big += `"k3":"again","nested":{"a":[1,{"b":2}]}}`
	docs := map[string]string{
		"sample":     `{"id":"res_1","nights":4,"total":{"amount":86000,"currency":"USD"},"guest":{"first_name":"Ada","email":"ada@example.com"},"tags":["a","b"],"ok":true,"none":null,"x":1.5e300,"neg":-0.25}`,
		"int keys":   `{"b":1,"10":2,"a":3,"2":4,"01":5,"4294967295":6,"4294967294":7}`,
		"repeated":   `{"a":1,"b":2,"a":3}`,
		"escapes":    `{"q\"k":"line\nbreak","u":"\u00e9t\u00e9 \ud83c\udf89","\u0061b":"<&>","s":"\u2028"}`,
		"__proto__":  `{"__proto__":{"polluted":true},"a":1}`,
		"empty":      `{}`,
		"spaces":     " { \"a\" : [ 1 , { \"b\" : [ ] } ] ,\n\t\"c\" : { } } ",
		"big":        big,
		"deep array": `{"a":[[1,[2,[3]]],{"b":{"c":[{"d":null}]}}]}`,
	}
	exprs := []string{
		`o`,
		`Object.keys(o)`,
		`Object.entries(o)`,
		`JSON.stringify(o)`,
		`({...o, added: 1})`,
		`Object.assign({}, o)`,
		`(() => { const r = []; for (const k in o) r.push(k); return r })()`,
		`Object.keys(o).map(k => typeof o[k])`,
		`Object.keys(o).map(k => Array.isArray(o[k]))`,
		`Object.keys(o).map(k => o.hasOwnProperty(k) && k in o)`,
		`[o.nope, "nope" in o, o.hasOwnProperty("toString"), typeof o.toString, Object.getPrototypeOf(o) === Object.prototype]`,
		`Object.keys(o).map(k => o[k] === o[k])`,
		`(() => { o.z = 1; o.a = "set"; delete o.b; return [Object.keys(o), o] })()`,
		`(() => { for (const k of Object.keys(o)) delete o[k]; o.k1 = 1; return [Object.keys(o), o] })()`,
		`(() => { const t = o.total || o.nested || {}; t.changed = true; return (o.total || o.nested || {}).changed === true })()`,
		`(() => { o["3"] = "three"; o.k39 = "last"; return Object.keys(o) })()`,
		`[o.k3, o.k39, o.k0, o.nested && o.nested.a[1].b]`,
		`Object.getOwnPropertyDescriptor(o, Object.keys(o)[0] || "x")`,
		`o.tags ? [o.tags.length, o.tags.map(x => x + "!"), o.tags.join("-"), [...o.tags]] : null`,
		`o.__proto__ === Object.prototype`,
	}
	e := newEngine(t, Options{Timeout: time.Second}) // hundreds of runs on a shared machine
	for name, doc := range docs {
		for _, expr := range exprs {
			t.Run(name+"/"+expr, func(t *testing.T) {
				lazy := mustCompile(t, "function transform(e) { const o = e.data.object; return "+expr+" }")
				quoted, _ := json.Marshal(doc)
				parsed := mustCompile(t, "function transform(e) { const o = JSON.parse("+string(quoted)+"); return "+expr+" }")
				in := testInput()
				in.Event.Data.Object = json.RawMessage(doc)
				got, gotErr := e.Run(context.Background(), lazy, in)
				want, wantErr := e.Run(context.Background(), parsed, in)
				if (gotErr == nil) != (wantErr == nil) {
					t.Fatalf("error %v, want %v", gotErr, wantErr)
				}
				if gotErr != nil {
					return
				}
				if string(got.Output) != string(want.Output) {
					t.Errorf("event object gives %s\nJSON.parse gives   %s", got.Output, want.Output)
				}
			})
		}
	}
}

// TestLargeEventObjectWithRepeatedKeys reads an object of 60,000 keys, each
// given twice: one native call sorts that out (no interrupt reaches it), so
// it must go through a map; the pairwise way took minutes.
func TestLargeEventObjectWithRepeatedKeys(t *testing.T) {
	var b strings.Builder
	b.WriteString("{")
	for round := range 2 {
		for i := range 60_000 {
			fmt.Fprintf(&b, `"k%d":%d,`, i, round)
		}
	}
	b.WriteString(`"end":true}`)
	e := newEngine(t, Options{Timeout: 5 * time.Second, MaxInputBytes: 4 << 20})
	in := testInput()
	in.Event.Data.Object = json.RawMessage(b.String())
	p := mustCompile(t, `function transform(e) { const o = e.data.object; const k = Object.keys(o); return [k.length, k[0], k[k.length - 1], o.k0, o.k59999] }`)
	res, err := e.Run(context.Background(), p, in)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(res.Output), `[60001,"k0","end",1,1]`; got != want {
		t.Errorf("output = %s, want %s", got, want)
	}
}

// TestConsoleLogsEventObject: console.log shows the lazily built event
// object as the JSON it came from, as it showed JSON.parse's objects.
func TestConsoleLogsEventObject(t *testing.T) {
	e := newEngine(t, Options{Timeout: time.Second})
	res, err := e.Run(context.Background(), mustCompile(t, `function transform(e, c) { console.log(e.data.object, e.type, c.target); return 1 }`), testInput())
	if err != nil {
		t.Fatal(err)
	}
	want := `log: {"id":"res_1","nights":4,"guest":{"email":"ada@example.com"}} reservation.created {"kind":"webhook_endpoint","id":"whe_1"}`
	if len(res.Logs) != 1 || res.Logs[0] != want {
		t.Errorf("logs = %q, want %q", res.Logs, want)
	}
}
