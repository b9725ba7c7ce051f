package bellhop_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	bellhop "github.com/bellhop/bellhop/sdk/go"
	"github.com/bellhop/bellhop/sdk/go/webhook"
)

// onlyScheme returns the headers of d with only one signature scheme left:
// "bellhop" keeps Bellhop-Signature, "standard" the webhook-* headers.
func onlyScheme(h http.Header, scheme string) http.Header {
	h = h.Clone()
	switch scheme {
	case "bellhop":
		h.Del("webhook-signature")
		h.Del("webhook-timestamp")
		h.Del("webhook-id")
	case "standard":
		h.Del("Bellhop-Signature")
	}
	return h
}

var schemes = []string{"bellhop", "standard"}

// TestVerifyRealDeliveries verifies what a running hub delivers, with both
// signature schemes, before and during a secret rotation, and refuses it
// with a wrong secret, a tampered body or a stale clock.
func TestVerifyRealDeliveries(t *testing.T) {
	h := startHub(t)
	ctx := t.Context()
	recv := startReceiver(t)
	ep, err := h.Client.WebhookEndpoints.Create(ctx, bellhop.CreateWebhookEndpointRequest{
		URL: recv.URL, EnabledEvents: []string{"reservation.created"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ep.Secret, "whsec_") {
		t.Fatalf("secret %q", ep.Secret)
	}

	published, err := h.Client.Events.Publish(ctx, "prop_1", reservation("res_hooked"))
	if err != nil {
		t.Fatal(err)
	}
	d := recv.next(t)
	var ev bellhop.Event
	if err := json.Unmarshal(d.Body, &ev); err != nil {
		t.Fatal(err)
	}
	if obj, err := ev.Object(); err != nil || ev.ID != published.ID || obj.(*bellhop.ReservationCreated).ID != "res_hooked" {
		t.Fatalf("delivered %s (%v), want %s of res_hooked", d.Body, err, published.ID)
	}

	for _, scheme := range schemes {
		t.Run(scheme, func(t *testing.T) {
			headers := onlyScheme(d.Header, scheme)
			if err := webhook.Verify(ep.Secret, headers, d.Body); err != nil {
				t.Fatalf("a genuine delivery: %v", err)
			}
			other := "whsec_" + strings.Repeat("A", 43) + "="
			if err := webhook.Verify(other, headers, d.Body); !errors.Is(err, webhook.ErrSignatureMismatch) {
				t.Fatalf("another secret: %v, want %v", err, webhook.ErrSignatureMismatch)
			}
			tampered := []byte(strings.Replace(string(d.Body), "res_hooked", "res_hacked", 1))
			if err := webhook.Verify(ep.Secret, headers, tampered); !errors.Is(err, webhook.ErrSignatureMismatch) {
				t.Fatalf("a tampered body: %v, want %v", err, webhook.ErrSignatureMismatch)
			}
			later := webhook.WithNow(func() time.Time { return time.Now().Add(10 * time.Minute) })
			if err := webhook.Verify(ep.Secret, headers, d.Body, later); !errors.Is(err, webhook.ErrTimestampTooOld) {
				t.Fatalf("ten minutes later: %v, want %v", err, webhook.ErrTimestampTooOld)
			}
		})
	}

	rotated, err := h.Client.WebhookEndpoints.RotateSecret(ctx, ep.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if rotated.Secret == ep.Secret || rotated.PreviousSecretExpiresAt.IsZero() {
		t.Fatalf("rotation answered %+v", rotated)
	}
	if _, err := h.Client.Events.Publish(ctx, "prop_1", reservation("res_rotated")); err != nil {
		t.Fatal(err)
	}
	d = recv.next(t)
	if n := strings.Count(d.Header.Get("Bellhop-Signature"), "v1="); n != 2 {
		t.Fatalf("Bellhop-Signature %q during a rotation, want two v1=", d.Header.Get("Bellhop-Signature"))
	}
	if n := len(strings.Fields(d.Header.Get("webhook-signature"))); n != 2 {
		t.Fatalf("webhook-signature %q during a rotation, want two", d.Header.Get("webhook-signature"))
	}
	for _, scheme := range schemes {
		t.Run("rotation/"+scheme, func(t *testing.T) {
			headers := onlyScheme(d.Header, scheme)
			for name, secret := range map[string]string{"old": ep.Secret, "new": rotated.Secret} {
				if err := webhook.Verify(secret, headers, d.Body); err != nil {
					t.Fatalf("the %s secret: %v", name, err)
				}
			}
			if err := webhook.Verify(ep.Secret+"x", headers, d.Body); !errors.Is(err, webhook.ErrSignatureMismatch) {
				t.Fatalf("neither secret: %v, want %v", err, webhook.ErrSignatureMismatch)
			}
		})
	}
}
