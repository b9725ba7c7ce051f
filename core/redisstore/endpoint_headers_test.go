package redisstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
)

func newEndpoint(id string, headers map[string]string) *core.Endpoint {
	now := time.Now().UTC().Truncate(time.Second)
	return &core.Endpoint{ID: id, Object: "webhook_endpoint", URL: "https://example.com/hook",
		EnabledEvents: []string{"*"}, Headers: headers, CreatedAt: now, UpdatedAt: now}
}

func TestEndpointHeadersSealedAndMasked(t *testing.T) {
	s, r := newSealedStore(t)
	ctx := context.Background()
	scope := newScope(t, s)
	const key = "sk_endpoint_header_value_9876"
	ep := newEndpoint("whe_a", map[string]string{"X-Api-Key": key})
	if err := s.SaveEndpoint(ctx, scope, ep, []core.EndpointSecret{{Secret: "whsec_x"}}); err != nil {
		t.Fatal(err)
	}
	if got, want := ep.Headers["X-Api-Key"], core.SecretMask; got != want {
		t.Errorf("after save ep shows %q, want %q", got, want)
	}
	found, err := s.FindEndpoint(ctx, scope, "whe_a")
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.ListEndpoints(ctx, scope, core.Page{})
	if err != nil {
		t.Fatal(err)
	}
	matched, err := s.MatchEndpoints(ctx, scope, "guest.checked_in")
	if err != nil {
		t.Fatal(err)
	}
	shown := map[string]*core.Endpoint{"find": found, "list": list.Data[0], "match": matched[0]}
	for name, got := range shown {
		if got.Headers["X-Api-Key"] != core.SecretMask {
			t.Errorf("%s shows %q, want the mask", name, got.Headers["X-Api-Key"])
		}
	}
	opened, err := s.OpenEndpoint(ctx, scope, "whe_a", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if opened.Headers["X-Api-Key"] != key || len(opened.Secrets) != 1 {
		t.Errorf("opened = %v, %d secrets; want the real value and 1 secret", opened.Headers, len(opened.Secrets))
	}
	for _, v := range dumpPrefix(t, r) {
		if strings.Contains(v, key) {
			t.Fatalf("a Redis value holds the plaintext header: %q", v)
		}
	}
}

// TestEndpointHeadersLegacyPlaintext covers a record written before header
// values were sealed: reads mask it, deliveries open it, and the next save
// seals it.
func TestEndpointHeadersLegacyPlaintext(t *testing.T) {
	s, r := newSealedStore(t)
	ctx := context.Background()
	scope := newScope(t, s)
	const key = "legacy-plaintext-header-LGCY"
	if err := s.SaveEndpoint(ctx, scope, newEndpoint("whe_old", nil), []core.EndpointSecret{}); err != nil {
		t.Fatal(err)
	}
	var epKey string
	for _, k := range r.Client.Keys(ctx, r.Prefix+"*:ep:whe_old").Val() {
		epKey = k
	}
	if epKey == "" {
		t.Fatal("endpoint key not found")
	}
	raw := strings.Replace(r.Client.Get(ctx, epKey).Val(), `"headers":{}`, `"headers":{"X-Api-Key":"`+key+`"}`, 1)
	if !strings.Contains(raw, key) {
		t.Fatalf("could not plant a legacy header in %s", raw)
	}
	r.Client.Set(ctx, epKey, raw, 0)

	found, err := s.FindEndpoint(ctx, scope, "whe_old")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := found.Headers["X-Api-Key"], core.SecretMask; got != want {
		t.Errorf("legacy header shows %q, want %q", got, want)
	}
	if err := s.SaveEndpoint(ctx, scope, found, nil); err != nil {
		t.Fatal(err)
	}
	opened, err := s.OpenEndpoint(ctx, scope, "whe_old", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got := opened.Headers["X-Api-Key"]; got != key {
		t.Errorf("after a masked save the header opens to %q, want the legacy value", got)
	}
	for _, v := range dumpPrefix(t, r) {
		if strings.Contains(v, key) {
			t.Fatalf("a Redis value still holds the plaintext header: %q", v)
		}
	}
}

// TestEndpointHeadersOldMask covers a record saved when masks showed the
// last four characters: reads show core.SecretMask, and a client that sends
// back the old mask it read then keeps the stored value.
func TestEndpointHeadersOldMask(t *testing.T) {
	s, r := newSealedStore(t)
	ctx := context.Background()
	scope := newScope(t, s)
	const key = "sk_endpoint_header_value_9876"
	if err := s.SaveEndpoint(ctx, scope, newEndpoint("whe_om", map[string]string{"X-Api-Key": key}), []core.EndpointSecret{{Secret: "whsec_x"}}); err != nil {
		t.Fatal(err)
	}
	epKey := r.Client.Keys(ctx, r.Prefix+"*:ep:whe_om").Val()[0]
	raw := strings.Replace(r.Client.Get(ctx, epKey).Val(), `"X-Api-Key":"`+core.SecretMask+`"`, `"X-Api-Key":"••••9876"`, 1)
	if !strings.Contains(raw, "••••9876") {
		t.Fatalf("could not plant an old mask in %s", raw)
	}
	r.Client.Set(ctx, epKey, raw, 0)

	found, err := s.FindEndpoint(ctx, scope, "whe_om")
	if err != nil {
		t.Fatal(err)
	}
	if got := found.Headers["X-Api-Key"]; got != core.SecretMask {
		t.Errorf("an old mask shows %q, want %q", got, core.SecretMask)
	}
	found.Headers["X-Api-Key"] = "••••9876"
	if err := s.SaveEndpoint(ctx, scope, found, nil); err != nil {
		t.Fatal(err)
	}
	opened, err := s.OpenEndpoint(ctx, scope, "whe_om", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got := opened.Headers["X-Api-Key"]; got != key {
		t.Errorf("after sending the old mask back the header opens to %q, want the stored value", got)
	}
}
