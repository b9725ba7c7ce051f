package api

import (
	"bytes"
	"io"
	"net/http"
	"testing"
)

// TestContractCheckCatchesDrift proves the harness's validator would fail a
// test whose response drifted from openapi.json, so that passing API tests
// mean something.
func TestContractCheckCatchesDrift(t *testing.T) {
	v := openAPIValidator(t)
	okHeaders := http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"req_1"},
		"X-Ratelimit-Limit": {"10"}, "X-Ratelimit-Remaining": {"9"}, "X-Ratelimit-Reset": {"1776038400"}}
	event := `{"id":"evt_1","type":"t","created_at":"2026-04-13T14:22:31Z","api_version":"2026-01-15","livemode":false,"property_id":"p","data":{"object":{}}}`
	tests := []struct {
		name    string
		status  int
		headers http.Header
		body    string
		wantOK  bool
	}{
		{"conforming event", 200, okHeaders, event, true},
		{"extra field", 200, okHeaders, event[:len(event)-1] + `,"extra":1}`, false},
		{"missing field", 200, okHeaders, `{"id":"evt_1"}`, false},
		{"no request id", 200, http.Header{"Content-Type": {"application/json"}}, event, false},
		{"error in the wrong shape", 404, okHeaders, `{"message":"nope"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:8080/v1/events/evt_1", nil)
			res := &http.Response{StatusCode: tt.status, Header: tt.headers, Body: io.NopCloser(bytes.NewReader([]byte(tt.body)))}
			got, errs := v.ValidateHttpResponse(req, res)
			if got != tt.wantOK {
				t.Errorf("valid = %v, want %v (%v)", got, tt.wantOK, errs)
			}
		})
	}
}
