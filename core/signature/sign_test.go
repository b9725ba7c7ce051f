package signature

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

func TestNewSecret(t *testing.T) {
	a, b := NewSecret(), NewSecret()
	if a == b {
		t.Fatalf("two secrets are equal: %q", a)
	}
	for _, s := range []string{a, b} {
		if !strings.HasPrefix(s, "whsec_") {
			t.Errorf("secret %q lacks the whsec_ prefix", s)
		}
		key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, "whsec_"))
		if err != nil {
			t.Fatalf("secret %q is not std base64: %v", s, err)
		}
		if got, want := len(key), 32; got != want {
			t.Errorf("decoded secret length = %d, want %d", got, want)
		}
	}
}

// TestHeadersPrefixedSignature recomputes the Stripe-style signature by hand,
// the way the reference verifiers do, for each prefix and secret count.
func TestHeadersPrefixedSignature(t *testing.T) {
	body := []byte(`{"id":"evt_1","type":"reservation.created"}`)
	at := time.Unix(1744572300, 0)
	tests := []struct {
		name    string
		prefix  string
		header  string
		secrets []string
	}{
		{"default prefix", "", "Bellhop-Signature", []string{"whsec_one"}},
		{"brand prefix", "SwiftGuest", "SwiftGuest-Signature", []string{"whsec_one"}},
		{"rotation", "Bellhop", "Bellhop-Signature", []string{"whsec_old", "whsec_new"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := Signer{Prefix: tt.prefix}.Headers(tt.secrets, "evt_1", at, body)
			want := "t=1744572300"
			for _, s := range tt.secrets {
				m := hmac.New(sha256.New, []byte(s))
				m.Write([]byte("1744572300." + string(body)))
				want += ",v1=" + hex.EncodeToString(m.Sum(nil))
			}
			if got := h.Get(tt.header); got != want {
				t.Errorf("%s = %q, want %q", tt.header, got, want)
			}
			eventHeader := strings.TrimSuffix(tt.header, "Signature") + "Event-Id"
			if got := h.Get(eventHeader); got != "evt_1" {
				t.Errorf("%s = %q, want evt_1", eventHeader, got)
			}
			if got, want := h.Get("webhook-timestamp"), "1744572300"; got != want {
				t.Errorf("webhook-timestamp = %q, want %q", got, want)
			}
			if got, want := len(strings.Fields(h.Get("webhook-signature"))), len(tt.secrets); got != want {
				t.Errorf("webhook-signature has %d entries, want %d", got, want)
			}
		})
	}
}

// TestMaskedKeepsNoSignature: the headers a log keeps hold the timestamp
// and one mask per signature, under a brand prefix too, and the headers
// sent are left as they were.
func TestMaskedKeepsNoSignature(t *testing.T) {
	body := []byte(`{"id":"evt_1"}`)
	s := Signer{Prefix: "SwiftGuest"}
	sent := s.Headers([]string{"whsec_old", "whsec_new"}, "evt_1", time.Unix(1744572300, 0), body)
	sent.Set("X-Request-Id", "req_1")
	before := sent.Clone()
	logged := s.Masked(sent, "***")
	if got, want := logged.Get("SwiftGuest-Signature"), "t=1744572300,v1=***,v1=***"; got != want {
		t.Errorf("SwiftGuest-Signature logged as %q, want %q", got, want)
	}
	if got, want := logged.Get("webhook-signature"), "v1,*** v1,***"; got != want {
		t.Errorf("webhook-signature logged as %q, want %q", got, want)
	}
	for _, name := range []string{"Webhook-Id", "Webhook-Timestamp", "Swiftguest-Event-Id", "X-Request-Id"} {
		if got, want := logged.Get(name), sent.Get(name); got != want {
			t.Errorf("%s logged as %q, want %q as sent", name, got, want)
		}
	}
	if !reflect.DeepEqual(sent, before) {
		t.Errorf("the sent headers changed:\n%v\nwant\n%v", sent, before)
	}
}

// TestHeadersStandardWebhooks verifies the output with the Standard Webhooks
// reference library, an implementation independent of ours.
func TestHeadersStandardWebhooks(t *testing.T) {
	old, current := NewSecret(), NewSecret()
	body := []byte(`{"id":"evt_std","type":"guest.checked_in"}`)
	h := Signer{}.Headers([]string{old, current}, "evt_std", time.Now(), body)
	tests := []struct {
		name    string
		secret  string
		body    []byte
		wantErr error
	}{
		{"old secret", old, body, nil},
		{"new secret", current, body, nil},
		{"other secret", NewSecret(), body, standardwebhooks.ErrNoMatchingSignature},
		{"tampered body", current, append([]byte(nil), append(body, ' ')...), standardwebhooks.ErrNoMatchingSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wh, err := standardwebhooks.NewWebhook(tt.secret)
			if err != nil {
				t.Fatal(err)
			}
			err = wh.Verify(tt.body, h)
			if (err == nil) != (tt.wantErr == nil) || (tt.wantErr != nil && !strings.Contains(err.Error(), tt.wantErr.Error())) {
				t.Errorf("Verify() = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestHeadersStandardStaleTimestamp(t *testing.T) {
	secret := NewSecret()
	body := []byte(`{}`)
	h := Signer{}.Headers([]string{secret}, "evt_old", time.Now().Add(-10*time.Minute), body)
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.Verify(body, h); err == nil || !strings.Contains(err.Error(), standardwebhooks.ErrMessageTooOld.Error()) {
		t.Errorf("Verify() = %v, want %v", err, standardwebhooks.ErrMessageTooOld)
	}
}

func TestHeadersNonBase64Secret(t *testing.T) {
	// A hand-typed secret cannot be base64-decoded; it keys with its raw
	// bytes, as the library's NewWebhookRaw does.
	secret := "whsec_not base64!"
	body := []byte(`{}`)
	h := Signer{}.Headers([]string{secret}, "evt_raw", time.Now(), body)
	wh, _ := standardwebhooks.NewWebhookRaw([]byte("not base64!"))
	if err := wh.Verify(body, h); err != nil {
		t.Errorf("Verify() = %v, want nil", err)
	}
}

func BenchmarkHeaders1KiB(b *testing.B) {
	body := []byte(strings.Repeat("x", 1024))
	secrets := []string{NewSecret()}
	s := Signer{}
	now := time.Now()
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		s.Headers(secrets, "evt_bench", now, body)
	}
}

func BenchmarkHeaders1KiBRotation(b *testing.B) {
	body := []byte(strings.Repeat("x", 1024))
	secrets := []string{NewSecret(), NewSecret()}
	s := Signer{}
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		s.Headers(secrets, "evt_bench", now, body)
	}
}

// TestKeysSignAsFreshHMACs holds that Keys, whose HMACs are kept and reset
// between signatures, sign every attempt as HMACs made for it would, in
// turn and at once.
func TestKeysSignAsFreshHMACs(t *testing.T) {
	secrets := []string{NewSecret(), NewSecret()}
	keys := NewKeys(secrets)
	at := time.Unix(1796315147, 0)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 20 {
				body := []byte(`{"id":"evt_` + strconv.Itoa(i) + `","n":` + strconv.Itoa(j) + `}`)
				got := make(http.Header)
				Signer{Prefix: "SwiftGuest"}.Sign(got, keys, "evt_k", at, body)
				want := Signer{Prefix: "SwiftGuest"}.Headers(secrets, "evt_k", at, body)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("signed with kept keys: %v, want %v", got, want)
					return
				}
				if err := Verify(secrets[1], got.Get("SwiftGuest-Signature"), body, time.Since(at)+time.Minute); err != nil {
					t.Errorf("the signature does not verify: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
