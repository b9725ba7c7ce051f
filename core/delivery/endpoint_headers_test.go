package delivery

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/core"
)

// TestStaticHeadersSentButNeverShown checks that an endpoint's static
// header reaches the receiver with its real value while every read, the
// attempt log and Redis only ever hold its mask.
func TestStaticHeadersSentButNeverShown(t *testing.T) {
	const apiKey = "rk_live_static-header-credential-7Q9Z"
	h := newHarness(t)
	e := h.start(h.options())
	rc := newReceiver(t, nil)
	ep, _ := h.endpoint(e, rc.URL, func(in *core.EndpointInput) {
		in.Headers = map[string]string{"X-Api-Key": apiKey, "Authorization": "Bearer " + apiKey}
	})
	ctx := context.Background()
	found, err := eps(e).FindEndpoint(ctx, h.scope, ep.ID)
	if err != nil {
		t.Fatal(err)
	}
	list, err := eps(e).ListEndpoints(ctx, h.scope, core.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]any{"create": ep, "find": found, "list": list} {
		assertNotIn(t, name, got, apiKey)
	}
	if got, want := found.Headers["X-Api-Key"], core.SecretMask; got != want {
		t.Errorf("X-Api-Key shows %q, want %q", got, want)
	}
	if got, want := found.Headers["Authorization"], core.SecretMask; got != want {
		t.Errorf("Authorization shows %q, want %q", got, want)
	}

	h.publish(h.scope, "reservation.created", 1)
	eventually(t, "a delivery", func() bool { return rc.count() >= 1 })
	sent := rc.received()[0].header
	if got := sent.Get("X-Api-Key"); got != apiKey {
		t.Errorf("receiver got X-Api-Key %q, want the real value", got)
	}
	if got := sent.Get("Authorization"); got != "Bearer "+apiKey {
		t.Errorf("receiver got Authorization %q, want the real value", got)
	}
	eventually(t, "the attempt logged", func() bool {
		ds := h.deliveries(e, ep.ID)
		return len(ds) == 1 && ds[0].Status == core.StatusSucceeded
	})
	d, err := e.FindDelivery(ctx, h.scope, h.deliveries(e, ep.ID)[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Attempts) != 1 {
		t.Fatalf("attempts = %d, want 1", len(d.Attempts))
	}
	assertNotIn(t, "delivery", d, apiKey)
	if got, want := d.Attempts[0].RequestHeaders.Get("X-Api-Key"), core.SecretMask; got != want {
		t.Errorf("logged X-Api-Key = %q, want %q", got, want)
	}
	assertNoSecretInRedis(t, h, apiKey)
	// Nor does the log keep the signatures, which a reader could send
	// again within the receiver's tolerance.
	for _, name := range []string{"Bellhop-Signature", "Webhook-Signature"} {
		sig, logged := sent.Get(name), d.Attempts[0].RequestHeaders.Get(name)
		_, mac, _ := strings.Cut(sig, "v1")
		if len(mac) < 40 || strings.Contains(logged, mac[1:]) || !strings.HasSuffix(logged, "v1"+mac[:1]+core.SecretMask) {
			t.Errorf("%s sent %q, logged %q: want its signature masked", name, sig, logged)
		}
	}
}

// TestStaticHeadersUpdate checks the update rules: omitted headers or a
// header sent back with its mask keep the stored value, a new value
// replaces it, an empty map removes them all.
func TestStaticHeadersUpdate(t *testing.T) {
	const oldKey, newKey = "old-credential-value-AAAA", "new-credential-value-BBBB"
	h := newHarness(t)
	e := newEngine(h.options())
	ep, _ := h.endpoint(e, "http://127.0.0.1:1/hook", func(in *core.EndpointInput) {
		in.Headers = map[string]string{"X-Api-Key": oldKey, "X-Tenant": "tenant-0000000042"}
	})
	desc := "renamed"
	tests := []struct {
		name string
		in   core.EndpointInput
		want map[string]string // opened values after the update
	}{
		{"omitted keeps", core.EndpointInput{Description: &desc},
			map[string]string{"X-Api-Key": oldKey, "X-Tenant": "tenant-0000000042"}},
		{"masked round trip keeps", core.EndpointInput{Headers: ep.Headers},
			map[string]string{"X-Api-Key": oldKey, "X-Tenant": "tenant-0000000042"}},
		{"masked under another case keeps", core.EndpointInput{Headers: map[string]string{"x-api-key": core.SecretMask}},
			map[string]string{"x-api-key": oldKey}},
		{"new value replaces", core.EndpointInput{Headers: map[string]string{"X-Api-Key": newKey}},
			map[string]string{"X-Api-Key": newKey}},
		{"empty map removes", core.EndpointInput{Headers: map[string]string{}},
			map[string]string{}},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := eps(e).UpdateEndpoint(ctx, h.scope, ep.ID, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			assertNotIn(t, "update response", got, oldKey)
			assertNotIn(t, "update response", got, newKey)
			opened, err := h.store.OpenEndpoint(ctx, h.scope, ep.ID, ep.CreatedAt)
			if err != nil {
				t.Fatal(err)
			}
			if !equalMaps(opened.Headers, tt.want) {
				t.Errorf("stored headers = %v, want %v", opened.Headers, tt.want)
			}
			if len(got.Headers) != len(tt.want) {
				t.Errorf("response shows %d headers, want %d", len(got.Headers), len(tt.want))
			}
		})
	}
	assertNoSecretInRedis(t, h, "credential-value")
}

func assertNotIn(t *testing.T, what string, v any, secret string) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), secret) {
		t.Errorf("%s holds the plaintext header value: %s", what, b)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
