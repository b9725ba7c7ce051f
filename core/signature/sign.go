package signature

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultPrefix is the brand prefix of the signature and id headers when a
// Signer has none.
const DefaultPrefix = "Bellhop"

// The Standard Webhooks header names.
const (
	HeaderWebhookID        = "webhook-id"
	HeaderWebhookTimestamp = "webhook-timestamp"
	HeaderWebhookSignature = "webhook-signature"
)

// Signer adds the signature headers to a delivery. Prefix is the brand prefix
// ("Bellhop", or "SwiftGuest" for a platform that ships Bellhop under its own
// name); it names the `<Prefix>-Signature` and `<Prefix>-Event-Id` headers.
// The zero Signer uses DefaultPrefix.
type Signer struct {
	Prefix string
}

// SignatureHeader returns the name of the Stripe-style signature header,
// "<Prefix>-Signature", so that callers and receivers agree on it.
func (s Signer) SignatureHeader() string { return s.prefix() + "-Signature" }

// EventIDHeader returns the name of the "<Prefix>-Event-Id" header.
func (s Signer) EventIDHeader() string { return s.prefix() + "-Event-Id" }

func (s Signer) prefix() string {
	if s.Prefix == "" {
		return DefaultPrefix
	}
	return s.Prefix
}

// Headers returns the signature headers of one attempt to deliver body:
//
//	<Prefix>-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]
//	webhook-id: <eventID>
//	webhook-timestamp: <unix>
//	webhook-signature: v1,<base64>[ v1,<base64>…]
//	<Prefix>-Event-Id: <eventID>
//
// with one signature per secret, in the order given, so that during a
// rotation a receiver holding either secret verifies. The verification code of
// the reference documents reads only the last `v1=` of the header, so pass the
// newest secret last. Headers signs the body exactly as given: send those
// bytes unchanged. The caller adds Content-Type, User-Agent and the per-attempt
// request id.
func (s Signer) Headers(secrets []string, eventID string, t time.Time, body []byte) http.Header {
	ts := strconv.FormatInt(t.Unix(), 10)
	stripe := make([]string, 0, len(secrets)+1)
	stripe = append(stripe, "t="+ts)
	standard := make([]string, 0, len(secrets))
	for _, secret := range secrets {
		stripe = append(stripe, "v1="+hex.EncodeToString(mac([]byte(secret), ts, ".", body)))
		sig := mac(standardKey(secret), eventID+"."+ts, ".", body)
		standard = append(standard, "v1,"+base64.StdEncoding.EncodeToString(sig))
	}
	h := make(http.Header, 5)
	h.Set(s.SignatureHeader(), strings.Join(stripe, ","))
	h.Set(HeaderWebhookID, eventID)
	h.Set(HeaderWebhookTimestamp, ts)
	h.Set(HeaderWebhookSignature, strings.Join(standard, " "))
	h.Set(s.EventIDHeader(), eventID)
	return h
}

// mac returns the HMAC-SHA256 under key of prefix, sep and body
// concatenated, without copying body.
func mac(key []byte, prefix, sep string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(prefix))
	m.Write([]byte(sep))
	m.Write(body)
	return m.Sum(nil)
}
