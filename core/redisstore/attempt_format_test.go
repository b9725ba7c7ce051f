package redisstore

import (
	"encoding/json"
	"net/http"
	"reflect"
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
		},
		ResponseStatus: 500, ResponseHeaders: http.Header{"Content-Type": {"text/plain"}},
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
	old, _ := json.Marshal(a) // version 1: the API's JSON
	if len(raw) >= len(old) {
		t.Errorf("version 2 is %d bytes, version 1 %d: not smaller", len(raw), len(old))
	}
	if v1, err := decodeAttempt(string(old), "evt_1"); err != nil || !reflect.DeepEqual(v1, a) {
		t.Fatalf("version 1 record: %v\n got %+v", err, v1)
	}
}
