package signature

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"sync"
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

// Keys are an endpoint's signing secrets made ready to sign: each secret's
// two HMAC-SHA256 keys (the secret string for the Stripe-style signature,
// its decoded key for the Standard Webhooks one) with their key schedules
// computed once. hmac.New hashes both padded keys and allocates two
// digests for every signature, and an attempt makes two per secret: a
// third of what signing cost the hub. Make Keys when the secrets are
// loaded and sign every attempt with them. Safe for concurrent use.
type Keys struct {
	stripe, standard []*macPool
}

// NewKeys makes Keys of secrets, in the order they are to be signed with.
func NewKeys(secrets []string) *Keys {
	k := &Keys{stripe: make([]*macPool, len(secrets)), standard: make([]*macPool, len(secrets))}
	for i, secret := range secrets {
		k.stripe[i], k.standard[i] = newMACPool([]byte(secret)), newMACPool(standardKey(secret))
	}
	return k
}

// macPool hands out HMACs keyed with one key, so that each signature
// starts from the kept key schedule (Reset) instead of a new HMAC.
type macPool struct{ sync.Pool }

func newMACPool(key []byte) *macPool {
	p := &macPool{}
	p.New = func() any { return hmac.New(sha256.New, key) }
	return p
}

// sum appends the HMAC of prefix, sep and body concatenated to dst,
// without copying body.
func (p *macPool) sum(dst []byte, prefix, sep string, body []byte) []byte {
	m := p.Get().(hash.Hash)
	m.Reset()
	writeSigned(m, prefix, sep, body)
	dst = m.Sum(dst)
	p.Put(m)
	return dst
}

// writeSigned writes what a signature covers, prefix, sep and body, to m.
func writeSigned(m hash.Hash, prefix, sep string, body []byte) {
	m.Write([]byte(prefix))
	m.Write([]byte(sep))
	m.Write(body)
}

// Canonical forms of the Standard Webhooks header names, set without
// http.Header.Set's canonicalizing them again for every attempt.
var (
	canonicalWebhookID        = http.CanonicalHeaderKey(HeaderWebhookID)
	canonicalWebhookTimestamp = http.CanonicalHeaderKey(HeaderWebhookTimestamp)
	canonicalWebhookSignature = http.CanonicalHeaderKey(HeaderWebhookSignature)
)

// Sign sets the signature headers of one attempt to deliver body in h:
//
//	<Prefix>-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]
//	webhook-id: <eventID>
//	webhook-timestamp: <unix>
//	webhook-signature: v1,<base64>[ v1,<base64>…]
//	<Prefix>-Event-Id: <eventID>
//
// with one signature per secret of keys, in their order, so that during a
// rotation a receiver holding either secret verifies. The verification code
// of the reference documents reads only the last `v1=` of the header, so
// put the newest secret last. Sign signs the body exactly as given: send
// those bytes unchanged. The caller adds Content-Type, User-Agent and the
// per-attempt request id.
func (s Signer) Sign(h http.Header, keys *Keys, eventID string, t time.Time, body []byte) {
	ts := strconv.FormatInt(t.Unix(), 10)
	n := len(keys.stripe)
	stripe := make([]byte, 0, 2+len(ts)+n*(4+2*sha256.Size))
	stripe = append(append(stripe, "t="...), ts...)
	standard := make([]byte, 0, n*(4+base64.StdEncoding.EncodedLen(sha256.Size)))
	var digest [sha256.Size]byte
	for i := range n {
		stripe = append(stripe, ",v1="...)
		stripe = hex.AppendEncode(stripe, keys.stripe[i].sum(digest[:0], ts, ".", body))
		if i > 0 {
			standard = append(standard, ' ')
		}
		standard = append(standard, "v1,"...)
		standard = base64.StdEncoding.AppendEncode(standard, keys.standard[i].sum(digest[:0], eventID+"."+ts, ".", body))
	}
	h.Set(s.SignatureHeader(), string(stripe))
	h[canonicalWebhookID] = []string{eventID}
	h[canonicalWebhookTimestamp] = []string{ts}
	h[canonicalWebhookSignature] = []string{string(standard)}
	h.Set(s.EventIDHeader(), eventID)
}

// Headers returns the signature headers Sign sets, signed with secrets: for
// a sender that signs once, or seldom, with each set of secrets.
func (s Signer) Headers(secrets []string, eventID string, t time.Time, body []byte) http.Header {
	h := make(http.Header, 5)
	s.Sign(h, NewKeys(secrets), eventID, t, body)
	return h
}

// Masked returns h, headers Sign set, as a log may keep them: every
// signature replaced by mask, the timestamp and the number of signatures
// kept. A signature is, for the minutes a receiver's tolerance allows, a
// request anyone who reads it may send again, and an attempt log is read
// by everyone who may see the account; a signature is also 44 to 64
// random characters that no record compresses. h is left as it is; the
// result shares its other values.
func (s Signer) Masked(h http.Header, mask string) http.Header {
	out := maps.Clone(h)
	if v := h.Get(s.SignatureHeader()); v != "" { // t=<unix>,v1=<hex>…
		parts := strings.Split(v, ",")
		for i, p := range parts {
			if scheme, _, ok := strings.Cut(p, "="); ok && scheme != "t" {
				parts[i] = scheme + "=" + mask
			}
		}
		out.Set(s.SignatureHeader(), strings.Join(parts, ","))
	}
	if v := h.Get(HeaderWebhookSignature); v != "" { // v1,<base64> …
		sigs := strings.Fields(v)
		for i, sig := range sigs {
			version, _, _ := strings.Cut(sig, ",")
			sigs[i] = version + "," + mask
		}
		out.Set(HeaderWebhookSignature, strings.Join(sigs, " "))
	}
	return out
}

// mac returns the HMAC-SHA256 under key of prefix, sep and body
// concatenated, without copying body: a one-off, as Verify needs.
func mac(key []byte, prefix, sep string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	writeSigned(m, prefix, sep, body)
	return m.Sum(nil)
}
