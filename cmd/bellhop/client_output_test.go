package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestSampleWithOverrides(t *testing.T) {
	typ := json.RawMessage(`{"type":"t","sample":{"id":"res_1","amount":12345678901234567890,"guest":{"email":"a@b.c"},"rooms":[{"n":1}]}}`)
	cases := []struct {
		name    string
		sets    []string
		want    string
		wantErr string
	}{
		{"none keeps big numbers exact", nil, `{"amount":12345678901234567890,"guest":{"email":"a@b.c"},"id":"res_1","rooms":[{"n":1}]}`, ""},
		{"string", []string{"guest.email=ada@example.com"}, `"email":"ada@example.com"`, ""},
		{"json number", []string{"rooms.0.n=2"}, `"rooms":[{"n":2}]`, ""},
		{"quoted digits stay a string", []string{`id="123"`}, `"id":"123"`, ""},
		{"new nested field", []string{"meta.source=cli"}, `"meta":{"source":"cli"}`, ""},
		{"object value", []string{`guest={"email":"x@y.z"}`}, `"guest":{"email":"x@y.z"}`, ""},
		{"index out of range", []string{"rooms.3.n=1"}, "", "not an index"},
		{"inside a scalar", []string{"id.x=1"}, "", "not an object"},
		{"no equals", []string{"guest.email"}, "", "want path=value"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			obj, err := sampleWithOverrides(typ, c.sets)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(obj)
			if !strings.Contains(string(got), c.want) {
				t.Errorf("got %s, want it to contain %s", got, c.want)
			}
		})
	}
}

func TestWindowTime(t *testing.T) {
	now := time.Date(2026, 4, 12, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct{ in, want string }{
		{"90m", "2026-04-12T10:30:00Z"},
		{"24h", "2026-04-11T12:00:00Z"},
		{"2026-04-12T00:00:00Z", "2026-04-12T00:00:00Z"},
		{"yesterday", "yesterday"},
	} {
		if got := windowTime(c.in, now); got != c.want {
			t.Errorf("windowTime(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestPrinterTable(t *testing.T) {
	cases := []struct {
		name    string
		body    string
		columns []string
		want    []string
	}{
		{"list", `{"object":"list","data":[{"id":"whe_1","url":"http://x","enabled_events":["a","b"],"disabled":false}]}`,
			[]string{"id", "enabled_events", "disabled", "missing"}, []string{"ID  ENABLED_EVENTS  DISABLED  MISSING", "whe_1  a,b  false  -"}},
		{"object", `{"id":"evt_1","data":{"object":{"k":1}},"note":"two\nlines"}`, nil,
			[]string{"data  {\"object\":{\"k\":1}}", "id    evt_1", `note  two\nlines`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out strings.Builder
			if err := (&printer{w: &out, table: true}).print(json.RawMessage(c.body), c.columns...); err != nil {
				t.Fatal(err)
			}
			got := strings.Join(strings.Fields(out.String()), " ")
			for _, w := range c.want {
				if !strings.Contains(got, strings.Join(strings.Fields(w), " ")) {
					t.Errorf("table:\n%s\nlacks %q", out.String(), w)
				}
			}
		})
	}
}

// TestPrinterYAML: -o yaml keeps the API's field order and its values
// (a 20-digit integer is not rounded through a float), and an unknown
// format is a usage error naming the ones there are.
func TestPrinterYAML(t *testing.T) {
	p, err := newPrinter(new(strings.Builder), "yaml")
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	p.w = &out
	body := `{"id":"evt_1","type":"guest.created","data":{"object":{"count":12345678901234567890,"tags":["a","b"],"ok":true}}}`
	if err := p.print(json.RawMessage(body)); err != nil {
		t.Fatal(err)
	}
	want := "id: evt_1\ntype: guest.created\ndata:\n  object:\n    count: 12345678901234567890\n    tags:\n    - a\n    - b\n    ok: true\n"
	if out.String() != want {
		t.Errorf("yaml:\n%s\nwant:\n%s", out.String(), want)
	}
	_, err = newPrinter(new(strings.Builder), "xml")
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "json, table, yaml") {
		t.Errorf("-o xml = %v, want a usage error naming json, table, yaml", err)
	}
}

func TestPrinterIDs(t *testing.T) {
	for _, c := range []struct{ body, want string }{
		{`{"id":"whe_1","object":"webhook_endpoint","url":"https://example.com"}`, "whe_1\n"},
		{`{"object":"list","data":[{"id":"evt_2"},{"id":"evt_1"}],"has_more":true}`, "evt_2\nevt_1\n"},
		{`{"object":"list","data":[],"has_more":false}`, ""},
	} {
		var out strings.Builder
		p, err := newPrinter(&out, "id")
		if err != nil {
			t.Fatal(err)
		}
		if err := p.print(json.RawMessage(c.body)); err != nil {
			t.Fatalf("%s: %v", c.body, err)
		}
		if out.String() != c.want {
			t.Errorf("-o id of %s = %q, want %q", c.body, out.String(), c.want)
		}
	}
	p, _ := newPrinter(new(strings.Builder), "id")
	if err := p.print(json.RawMessage(`{"object":"webhook_endpoint_stats","total":3}`)); exitCode(err) != 2 || !strings.Contains(err.Error(), "no id") {
		t.Errorf("-o id of an answer without an id = %v, want a usage error saying so", err)
	}
}

func TestClientErrorsWithoutAnAPIBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "req_proxy")
		http.Error(w, "<html>bad gateway</html>", http.StatusBadGateway)
	}))
	defer srv.Close()
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"not the hub", map[string]string{"BELLHOP_API_URL": srv.URL, "BELLHOP_API_KEY": "bh_test_x"}, []string{"events", "list"}, "502 Bad Gateway"},
		{"no key", map[string]string{"BELLHOP_API_URL": srv.URL}, []string{"events", "list"}, "BELLHOP_API_KEY"},
		{"bad url", map[string]string{"BELLHOP_API_URL": "localhost:8080", "BELLHOP_API_KEY": "bh_test_x"}, []string{"events", "list"}, "BELLHOP_API_URL"},
		{"bad output", map[string]string{"BELLHOP_API_KEY": "bh_test_x"}, []string{"events", "list", "-o", "xml"}, "--output"},
		{"both targets", map[string]string{"BELLHOP_API_KEY": "bh_test_x"}, []string{"replay", "--endpoint", "whe_1", "--connection", "conn_1", "evt_1"}, "either --endpoint"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out syncBuffer
			err := run(context.Background(), c.args, func(k string) string { return c.env[k] }, &out)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestClientRetriesAPOSTWithTheSameIdempotencyKey(t *testing.T) {
	cases := []struct {
		name      string
		statuses  []int
		method    string
		wantCalls int
		wantErr   bool
	}{
		{"503 then ok", []int{503, 200}, "POST", 2, false},
		{"503 three times", []int{503, 503, 503, 200}, "POST", 3, true},
		{"400 is final", []int{400, 200}, "POST", 1, true},
		{"GET has no key but retries", []int{503, 200}, "GET", 2, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var keys []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				keys = append(keys, r.Header.Get("Idempotency-Key"))
				w.WriteHeader(c.statuses[len(keys)-1])
				w.Write([]byte(`{"error":{"type":"api_error","message":"try later","request_id":"req_1"},"id":"x"}`))
			}))
			defer srv.Close()
			api := &apiClient{base: srv.URL, key: "bh_test_x", http: srv.Client(), backoff: time.Millisecond}
			_, err := api.do(context.Background(), c.method, "/v1/events", nil, map[string]string{"a": "b"})
			if (err != nil) != c.wantErr || len(keys) != c.wantCalls {
				t.Fatalf("err = %v after %d calls; want error %v after %d", err, len(keys), c.wantErr, c.wantCalls)
			}
			for _, k := range keys {
				if (c.method == "POST") != strings.HasPrefix(k, "cli_") || k != keys[0] {
					t.Errorf("Idempotency-Keys %q: want one cli_ key on every POST attempt, none on a GET", keys)
				}
			}
		})
	}
}
