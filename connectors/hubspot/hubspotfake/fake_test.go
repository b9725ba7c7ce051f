package hubspotfake_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/bellhop/bellhop/connectors/hubspot/hubspotfake"
)

// post sends body to path with the fake's token and decodes the answer.
func post(t *testing.T, fake *hubspotfake.Server, path, body string) (int, http.Header, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, fake.URL+path, bytes.NewReader([]byte(body)))
	req.Header.Set("Authorization", "Bearer "+fake.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ans map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
		t.Fatalf("answer is not JSON: %v", err)
	}
	return resp.StatusCode, resp.Header, ans
}

const upsert = "/crm/v3/objects/contacts/batch/upsert"

// The error-handling guide: partial failures come as 207 only when every
// input carries a unique objectWriteTraceId; otherwise one bad input fails
// the batch with 400 and nothing is saved.
func TestUpsertMultiStatusNeedsTraceIDs(t *testing.T) {
	tests := []struct {
		name          string
		body          string
		noMultiStatus bool
		wantStatus    int
		wantSaved     bool
	}{
		{"no trace ids", `{"inputs":[{"idProperty":"email","id":"ok@example.com","properties":{}},{"idProperty":"email","id":"bad","properties":{}}]}`, false, 400, false},
		{"one input untraced", `{"inputs":[{"idProperty":"email","id":"ok@example.com","objectWriteTraceId":"0","properties":{}},{"idProperty":"email","id":"bad","properties":{}}]}`, false, 400, false},
		{"trace id repeated", `{"inputs":[{"idProperty":"email","id":"ok@example.com","objectWriteTraceId":"a","properties":{}},{"idProperty":"email","id":"bad","objectWriteTraceId":"a","properties":{}}]}`, false, 400, false},
		{"every input traced", `{"inputs":[{"idProperty":"email","id":"ok@example.com","objectWriteTraceId":"0","properties":{}},{"idProperty":"email","id":"bad","objectWriteTraceId":"1","properties":{}}]}`, false, 207, true},
		{"traced, multi-status off", `{"inputs":[{"idProperty":"email","id":"ok@example.com","objectWriteTraceId":"0","properties":{}},{"idProperty":"email","id":"bad","objectWriteTraceId":"1","properties":{}}]}`, true, 400, false},
		{"unknown property, traced", `{"inputs":[{"idProperty":"email","id":"ok@example.com","objectWriteTraceId":"0","properties":{}},{"idProperty":"email","id":"x@example.com","objectWriteTraceId":"1","properties":{"missing":"1"}}]}`, false, 207, true},
		{"properties missing", `{"inputs":[{"idProperty":"email","id":"ok@example.com","objectWriteTraceId":"0"}]}`, false, 400, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := hubspotfake.New(t)
			fake.NoMultiStatus = tt.noMultiStatus
			status, _, ans := post(t, fake, upsert, tt.body)
			if status != tt.wantStatus {
				t.Fatalf("status = %d (%v), want %d", status, ans, tt.wantStatus)
			}
			if _, saved := fake.Contact("ok@example.com"); saved != tt.wantSaved {
				t.Errorf("good contact saved = %v, want %v", saved, tt.wantSaved)
			}
			switch status {
			case 400:
				for _, k := range []string{"status", "message", "correlationId", "category"} {
					if ans[k] == nil || ans[k] == "" {
						t.Errorf("400 body has no %s: %v", k, ans)
					}
				}
				if ans["category"] != "VALIDATION_ERROR" {
					t.Errorf("category = %v, want VALIDATION_ERROR", ans["category"])
				}
			case 207:
				errs, _ := ans["errors"].([]any)
				if len(errs) != 1 || ans["numErrors"] != 1.0 {
					t.Fatalf("errors = %v, numErrors %v; want one", ans["errors"], ans["numErrors"])
				}
				ctx, _ := errs[0].(map[string]any)["context"].(map[string]any)
				if ids, _ := ctx["objectWriteTraceId"].([]any); len(ids) != 1 || ids[0] != "1" {
					t.Errorf("error context = %v, want objectWriteTraceId [1]", ctx)
				}
				results, _ := ans["results"].([]any)
				if len(results) != 1 || results[0].(map[string]any)["objectWriteTraceId"] != "0" {
					t.Errorf("results = %v, want one, traced 0", results)
				}
			}
		})
	}
}

// Past the limit the fake answers with the usage guidelines' 429: the
// rate-limit headers at zero and errorType RATE_LIMIT with a policyName.
func TestRateLimited(t *testing.T) {
	fake := hubspotfake.New(t)
	fake.Max, fake.Interval = 1, time.Minute
	body := `{"properties":{"hs_timestamp":"2026-05-12T10:00:00Z"},"associations":[]}`
	if status, _, ans := post(t, fake, "/crm/v3/objects/notes", body); status != http.StatusCreated {
		t.Fatalf("first = %d %v", status, ans)
	}
	status, h, ans := post(t, fake, "/crm/v3/objects/notes", body)
	if status != http.StatusTooManyRequests {
		t.Fatalf("second = %d, want 429", status)
	}
	if h.Get("X-HubSpot-RateLimit-Remaining") != "0" || h.Get("X-HubSpot-RateLimit-Interval-Milliseconds") != "60000" || h.Get("X-HubSpot-RateLimit-Max") != "1" {
		t.Errorf("headers = %v", h)
	}
	if ans["errorType"] != "RATE_LIMIT" || ans["policyName"] != "TEN_SECONDLY_ROLLING" || ans["status"] != "error" {
		t.Errorf("body = %v", ans)
	}
}
