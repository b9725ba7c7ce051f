package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/core"
)

// TestEndpointHeadersNeverReturned checks, through the API, that a static
// header's value reaches the receiver but never a response: not the create
// response, a read, a list, an update that sent it back masked, nor the
// delivery's attempts.
func TestEndpointHeadersNeverReturned(t *testing.T) {
	const apiKey = "pk_receiver_credential_from_the_api_5QX1"
	a := newDeliveryAPI(t)
	rc := newHookReceiver(t)
	ep := a.createEndpoint(t, rc.URL, map[string]any{"headers": map[string]string{"X-Api-Key": apiKey}})
	if got, want := ep.Headers["X-Api-Key"], core.SecretMask; got != want {
		t.Errorf("create response shows %q, want %q", got, want)
	}
	base := "/v1/webhook_endpoints/" + ep.ID
	responses := []*response{
		a.do(t, http.MethodGet, base, nil),
		a.do(t, http.MethodGet, "/v1/webhook_endpoints", nil),
		// Sending the masked value back keeps the real one.
		a.do(t, http.MethodPost, base, map[string]any{"description": "x", "headers": ep.Headers}),
	}
	for _, r := range responses {
		r.wantStatus(t, http.StatusOK)
	}
	ev := a.publish(t)
	if got := rc.waitHooks(t, 1)[0].header.Get("X-Api-Key"); got != apiKey {
		t.Errorf("receiver got X-Api-Key %q, want the real value", got)
	}
	d := waitDelivery(t, a, base, ev.ID, core.StatusSucceeded, &responses)
	full := a.do(t, http.MethodGet, "/v1/deliveries/"+d.ID, nil)
	full.wantStatus(t, http.StatusOK)
	var got core.Delivery
	full.decode(t, &got)
	if len(got.Attempts) != 1 || got.Attempts[0].RequestHeaders.Get("X-Api-Key") != core.SecretMask {
		t.Errorf("attempts = %+v, want one logging the masked header", got.Attempts)
	}
	responses = append(responses, full)
	for _, r := range responses {
		if strings.Contains(string(r.Body), apiKey) {
			t.Errorf("a response holds the header value: %s", r.Body)
		}
	}
}
