package redisstore

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
)

// TestAttemptFormatRoundTrip holds that a version 2 record reads back as
// the attempt that was written, headers that repeat the event or attempt
// id and values that look like a reference included.
func TestAttemptFormatRoundTrip(t *testing.T) {
	next := time.UnixMilli(1796174400123).UTC()
	a := &core.Attempt{
		ID: "req_1", Number: 2, URL: "https://example.com/hook",
		RequestHeaders: http.Header{
			"Webhook-Id": {"evt_1"}, "Bellhop-Request-Id": {"req_1"}, "X-Literal": {"$e", "$$x", "plain"},
			"Bellhop-Signature": {"t=1,v1=ab"}, "Content-Type": {"application/json"}, "X-Custom": {"application/json; v=2"},
			"Webhook-Timestamp": {"1796174299"}, "Webhook-Signature": {"v1,••••••••"},
			"X-Times": {"t=1796174300,v1=••••••••", "t=1796174299-x", "t=01796174300", "1796000000", "$t0", "$s1,", "$d-1", "t=1796174300"},
		},
		ResponseStatus: 500, ResponseHeaders: http.Header{"Content-Type": {"text/plain"}, "Date": {"Wed, 02 Dec 2026 01:18:19 GMT"},
			"X-Dates": {"Mon, 02 Dec 2026 01:18:19 GMT", "Tue, 01 Dec 2026 01:18:19 GMT", "Wed, 02 Dec 2026 01:18:21 GMT", "Mon, 30 Nov 2026 01:18:19 GMT"}},
		ResponseBody: "line one\nline two", LatencyMS: 12.5, Error: "boom", Outcome: "retry",
		Logs: []string{"log"}, ScriptID: "scr_1", ScriptVersion: 3, ExternalID: "x1",
		NextRetryAt: &next, CreatedAt: time.UnixMilli(1796174300456).UTC(),
	}
	raw, err := encodeAttempt(a, "evt_1")
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeAttempt(string(raw), "evt_1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, a) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, a)
	}
	var stored storedAttempt
	if err := json.Unmarshal(raw, &stored); err != nil {
		t.Fatal(err)
	}
	// The attempt was recorded at 1796174300.456 (Wed, 02 Dec 2026 01:18:20
	// GMT): its signature's second and the answer's Date are references; a
	// date a day and a second off, or not as http.TimeFormat writes it (a
	// wrong weekday), is kept as it is.
	for _, want := range []string{":3$t1\n", "X-Times: $s0,v1=••••••••\n", "X-Times: $s1-x\n", "X-Times: $$t0\n", "X-Times: $s0\n"} {
		if !strings.Contains(stored.ReqHeaders, want) {
			t.Errorf("request headers stored as %q, want them to hold %q", stored.ReqHeaders, want)
		}
	}
	for _, want := range []string{":9$d-1\n", "X-Dates: Mon, 02 Dec 2026 01:18:19 GMT\n", "X-Dates: Tue, 01 Dec 2026 01:18:19 GMT\n", "X-Dates: $d1\n", "X-Dates: Mon, 30 Nov 2026 01:18:19 GMT\n"} {
		if !strings.Contains(stored.RespHeader, want) {
			t.Errorf("response headers stored as %q, want them to hold %q", stored.RespHeader, want)
		}
	}
	old, _ := json.Marshal(a) // version 1: the API's JSON
	if len(raw) >= len(old) {
		t.Errorf("version 2 is %d bytes, version 1 %d: not smaller", len(raw), len(old))
	}
	if v1, err := decodeAttempt(string(old), "evt_1"); err != nil || !reflect.DeepEqual(v1, a) {
		t.Fatalf("version 1 record: %v\n got %+v", err, v1)
	}
}
