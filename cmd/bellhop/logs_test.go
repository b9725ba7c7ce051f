package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestHubLogsHoldNoSecrets runs a hub at debug level through what handles
// secrets (an API key created, a bad key tried, an endpoint created and
// its secret rotated, signed deliveries that fail for good) and scans
// everything it logged for each of them: the key, the secrets, every
// signature it sent, the master key and a token in the endpoint's URL.
func TestHubLogsHoldNoSecrets(t *testing.T) {
	h := startHub(t, map[string]string{"BELLHOP_LOG_LEVEL": "debug", "BELLHOP_RETRY_SCHEDULE": "0s,100ms"})

	var mu sync.Mutex
	var signatures []string
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		for _, name := range []string{"Bellhop-Signature", "Webhook-Signature"} {
			for _, part := range strings.FieldsFunc(r.Header.Get(name), func(c rune) bool { return c == ',' || c == ' ' }) {
				if len(part) > 20 { // the MACs, not "t=…" or "v1"
					signatures = append(signatures, strings.TrimPrefix(part, "v1="))
				}
			}
		}
		mu.Unlock()
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer rc.Close()

	secrets := []string{testBootstrapKey, testMasterKey, "url-password"}
	decode := func(body string, field string) string {
		var m map[string]any
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		s, _ := m[field].(string)
		return s
	}
	code, body := h.do(t, "POST", "/v1/api_keys", `{"name":"ci"}`)
	if code != http.StatusCreated {
		t.Fatalf("create key: %d %s", code, body)
	}
	secrets = append(secrets, decode(body, "secret"))

	req, _ := http.NewRequest("GET", h.base+"/v1/events", nil)
	req.Header.Set("Authorization", "Bearer bh_test_notAKeyThatExists0000000000000000")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	secrets = append(secrets, "bh_test_notAKeyThatExists0000000000000000")

	url := rc.URL + "/hooks?token=url-password" // a receiver that takes a token in its URL
	code, body = h.do(t, "POST", "/v1/webhook_endpoints", `{"url":"`+url+`","enabled_events":["reservation.created"]}`)
	if code != http.StatusCreated {
		t.Fatalf("create endpoint: %d %s", code, body)
	}
	endpoint := decode(body, "id")
	secrets = append(secrets, decode(body, "secret"))
	code, body = h.do(t, "POST", "/v1/webhook_endpoints/"+endpoint+"/rotate_secret", `{}`)
	if code != http.StatusOK {
		t.Fatalf("rotate: %d %s", code, body)
	}
	secrets = append(secrets, decode(body, "secret"))

	code, body = h.do(t, "POST", "/v1/webhook_endpoints/"+endpoint+"/test", `{"event_type":"reservation.created"}`)
	if code != http.StatusOK {
		t.Fatalf("test endpoint: %d %s", code, body)
	}
	sample := reservationSample(t, h)
	code, body = h.do(t, "POST", "/v1/events", `{"type":"reservation.created","property_id":"prop_1","data":{"object":`+sample+`}}`)
	if code != http.StatusCreated {
		t.Fatalf("publish: %d %s", code, body)
	}
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(h.out.String(), "delivery failed"); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no delivery failed warning:\n%s", h.out.String())
		}
	}

	mu.Lock()
	secrets = append(secrets, signatures...)
	mu.Unlock()
	if len(signatures) < 2 {
		t.Fatalf("the receiver saw %d signatures; the scan would prove little", len(signatures))
	}
	logs := h.out.String()
	for _, s := range secrets {
		if s != "" && strings.Contains(logs, s) {
			t.Errorf("the hub logged a secret (%.12s…)", s)
		}
	}
}
