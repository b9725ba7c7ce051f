package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
)

// fuzzBodies are the request bodies the decoder fuzz target picks from by
// index: each is what one route decodes with decodeJSON.
var fuzzBodies = []func() any{
	func() any { return new(publishEventRequest) },
	func() any { return new(endpointRequest) },
	func() any { return new(connectionRequest) },
	func() any { return new(backfillRequest) },
	func() any { return new(createScriptRequest) },
}

// FuzzDecodeJSON sends arbitrary bodies through decodeJSON into the request
// structs of the API. Whatever the body, it must not panic and must refuse
// with an EINVALID (or, past the limit, ETOOLARGE) *core.Error with a
// message; when the error names a param, that param is a path that exists
// in the body as sent (a nested unknown field is data.objekt, not objekt),
// so the caller can find what to fix. A body it accepts decodes the same
// way once more after being encoded again.
func FuzzDecodeJSON(f *testing.F) {
	for i, s := range []string{
		`{"type":"reservation.created","property_id":"prop_1","data":{"object":{"id":"res_1"}}}`,
		`{"url":"https://example.com/h","enabled_events":["reservation.created"],"metadata":{"a":"b"},"rate_limit":5}`,
		`{"connector":"slack","name":"x","config":{"token":"xoxb-1"},"disabled":false}`,
		`{"since":"2026-04-13T00:00:00Z","event_types":["guest.created"]}`,
		`{"name":"n","source":"function transform(e){return e}"}`,
	} {
		f.Add(uint8(i), []byte(s))
	}
	for _, s := range []string{``, `{`, `[1]`, `null`, `{"typo":1}`, `{"type":5}`, `{"data":"x"}`, `{"data":{"objekt":{}}}`,
		`{"a":1} {}`, `{"metadata":{"k":1}}`, `{"enabled_events":[1]}`, `{"rate_limit":1e99}`, "\xef\xbb\xbf{}"} {
		f.Add(uint8(0), []byte(s))
		f.Add(uint8(1), []byte(s))
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		newDst := fuzzBodies[int(which)%len(fuzzBodies)]
		dst := newDst()
		err := decodeJSON(testContext("POST", "/", string(body), 1<<12), dst)
		if err != nil {
			e, ok := err.(*core.Error)
			if !ok || (e.Code != core.EINVALID && e.Code != core.ETOOLARGE) || e.Message == "" {
				t.Fatalf("decodeJSON(%q) = %v, want an EINVALID or ETOOLARGE *core.Error with a message", body, err)
			}
			if e.Param != "" && !pathInJSON(body, e.Param) {
				t.Fatalf("decodeJSON(%q) names param %q, which is not in the body", body, e.Param)
			}
			return
		}
		again, _ := json.Marshal(dst)
		dst2 := newDst()
		if err := decodeJSON(testContext("POST", "/", string(again), 0), dst2); err != nil {
			t.Fatalf("decodeJSON accepted %q but not its re-encoding %s: %v", body, again, err)
		}
		if !reflect.DeepEqual(normalize(t, dst), normalize(t, dst2)) {
			t.Fatalf("decodeJSON(%q) = %+v, but its re-encoding decodes to %+v", body, dst, dst2)
		}
	})
}

// normalize re-encodes v so that two decodings compare by content (a
// json.RawMessage keeps the sender's spacing).
func normalize(t *testing.T, v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// pathInJSON reports whether param, dotted (data.object), leads to a key of
// body decoded as JSON. A body it cannot decode, or whose keys hold dots,
// is given the benefit of the doubt.
func pathInJSON(body []byte, param string) bool {
	var v any
	if json.Unmarshal(body, &v) != nil || strings.Contains(string(body), ".") && hasDottedKey(v) {
		return true
	}
	for _, step := range strings.Split(param, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		if v, ok = m[step]; !ok {
			return false
		}
	}
	return true
}

func hasDottedKey(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if strings.Contains(k, ".") || hasDottedKey(e) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if hasDottedKey(e) {
				return true
			}
		}
	}
	return false
}

// FuzzPublishEventInput checks what turns an accepted POST /v1/events body
// into core's EventInput: it refuses only with EINVALID naming created_at
// or data.object, and what it accepts has an object for data.object and a
// created_at in UTC that is the instant that was sent.
func FuzzPublishEventInput(f *testing.F) {
	f.Add(`{"type":"t","property_id":"p","created_at":"2026-04-13T16:22:31+02:00","data":{"object":{"a":1}}}`)
	f.Add(`{"type":"t","data":{"object":null}}`)
	f.Add(`{"type":"t","data":{"object":[1]}}`)
	f.Add(`{"type":"t","created_at":"yesterday","data":{"object":{}}}`)
	f.Add(`{"data":{"object":  {}}}`)
	f.Fuzz(func(t *testing.T, body string) {
		var req publishEventRequest
		if decodeJSON(testContext("POST", "/", body, 0), &req) != nil {
			return // FuzzDecodeJSON covers refusals of the body itself
		}
		in, err := req.input()
		if err != nil {
			e, ok := err.(*core.Error)
			if !ok || e.Code != core.EINVALID || (e.Param != "created_at" && e.Param != "data.object") || e.Message == "" {
				t.Fatalf("input(%q) = %v, want EINVALID naming created_at or data.object", body, err)
			}
			return
		}
		if !json.Valid(in.Object) || in.Object[0] != '{' {
			t.Fatalf("input(%q) accepted data.object %q, not an object", body, in.Object)
		}
		if req.CreatedAt != "" {
			sent, _ := time.Parse(time.RFC3339, req.CreatedAt)
			if in.CreatedAt == nil || in.CreatedAt.Location() != time.UTC || !in.CreatedAt.Equal(sent) {
				t.Fatalf("input(%q) created_at = %v, want %v in UTC", body, in.CreatedAt, sent)
			}
		}
	})
}

// FuzzListQuery sends arbitrary query strings to the list parameters every
// list route reads (limit, starting_after, ending_before, created[gte],
// created[lte], type, property_id). It must not panic; a refusal is
// EINVALID naming the param at fault, which the query holds and the message
// mentions; what it accepts is a limit from 1 to 100, the cursors as sent,
// and a created window whose bounds are the instants sent (clamped to
// years 0001-9999) and in order.
func FuzzListQuery(f *testing.F) {
	for _, q := range []string{"", "limit=1", "limit=100&starting_after=evt_1", "ending_before=evt_2", "limit=0", "limit=ten",
		"limit=%2B5", "starting_after=a&ending_before=b", "created[gte]=1776090151&created[lte]=2026-04-13T14:22:31Z",
		"created[gte]=2026-04-13T16:22:31%2B02:00", "created[lte]=0&created[gte]=1", "created[gte]=yesterday",
		"created%5Bgte%5D=-1&type=reservation.created&property_id=p", "limit=1&limit=200", "created[lte]=9223372036854775807&created[gte]=0"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, query string) {
		// Built by hand: httptest.NewRequest panics on a query a real
		// request line could not carry, and gin reads only URL.Query().
		u := &url.URL{Path: "/v1/events", RawQuery: query}
		values := u.Query()
		c := testContext("GET", "/", "", 0)
		c.Request = &http.Request{Method: "GET", URL: u, Header: http.Header{}}
		filter, err := eventFilter(c)
		if err != nil {
			e, ok := err.(*core.Error)
			if !ok || e.Code != core.EINVALID || e.Param == "" || !values.Has(e.Param) || !strings.Contains(e.Message, e.Param) {
				t.Fatalf("eventFilter(%q) = %v, want EINVALID naming a param of the query", query, err)
			}
			gte, okG := sentTime(values.Get("created[gte]"))
			lte, okL := sentTime(values.Get("created[lte]"))
			if strings.Contains(e.Message, "is before") && (!okG || !okL || lte.Unix() >= gte.Unix()) {
				t.Fatalf("eventFilter(%q) = %v, but created[lte] is not before created[gte]", query, err)
			}
			return
		}
		p := filter.Page
		if p.Limit < 1 || p.Limit > core.MaxPageLimit {
			t.Fatalf("eventFilter(%q) limit = %d", query, p.Limit)
		}
		if p.StartingAfter != values.Get("starting_after") || p.EndingBefore != values.Get("ending_before") {
			t.Fatalf("eventFilter(%q) cursors = %+v", query, p)
		}
		if p.StartingAfter != "" && p.EndingBefore != "" {
			t.Fatalf("eventFilter(%q) accepted both cursors", query)
		}
		gte, lte := filter.CreatedGTE, filter.CreatedLTE
		for _, b := range []struct {
			param string
			got   *time.Time
		}{{"created[gte]", gte}, {"created[lte]", lte}} {
			if b.got == nil {
				continue
			}
			if want, ok := sentTime(values.Get(b.param)); !ok || !b.got.Equal(want) || b.got.Unix() != want.Unix() {
				t.Fatalf("eventFilter(%q) %s = %v, not the instant sent", query, b.param, b.got)
			}
		}
		if gte != nil && lte != nil && lte.Unix() < gte.Unix() {
			t.Fatalf("eventFilter(%q) accepted created[lte] %v before created[gte] %v", query, lte, gte)
		}
	})
}

// sentTime reads a time param the way a client means it: unix seconds
// (past year 9999 or before year 1 meaning no bound, so clamped there), or
// RFC 3339.
func sentTime(v string) (time.Time, bool) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Unix(min(max(n, minUnix), maxUnix), 0), true
	}
	t, err := time.Parse(time.RFC3339, v)
	return t, err == nil
}
