package signature

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
)

// SecretPrefix starts every endpoint secret, as in Stripe and Standard
// Webhooks, so that a leaked secret is recognisable in logs and scanners.
const SecretPrefix = "whsec_"

// secretBytes is the amount of randomness in a secret: 256 bits, the HMAC-
// SHA256 block-size sweet spot.
const secretBytes = 32

// NewSecret returns a fresh endpoint secret: "whsec_" followed by the
// standard, padded base64 of 32 random bytes. It is the form both signature
// schemes expect: the whole string keys the prefixed header, the decoded bytes
// key the Standard Webhooks header.
func NewSecret() string {
	b := make([]byte, secretBytes)
	// crypto/rand.Read never returns an error on supported platforms (Go 1.24+).
	_, _ = rand.Read(b)
	return SecretPrefix + base64.StdEncoding.EncodeToString(b)
}

// standardKey returns the Standard Webhooks HMAC key of secret: the base64
// decoding of what follows "whsec_". A secret that is not valid base64 (one
// an operator typed by hand) keys with its raw bytes instead, as the Standard
// Webhooks libraries' NewWebhookRaw would, so that signing never fails.
func standardKey(secret string) []byte {
	s := strings.TrimPrefix(secret, SecretPrefix)
	if key, err := base64.StdEncoding.DecodeString(s); err == nil {
		return key
	}
	return []byte(s)
}
