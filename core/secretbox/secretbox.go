package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the length of a master key in bytes (AES-256).
const KeySize = 32

// version1 is the first byte of every value sealed by this release.
const version1 byte = 1

// ErrOpen is returned by Open for a value that was tampered with, sealed
// under another key or is not a sealed value at all. It says no more, so
// that nothing about the secret leaks.
var ErrOpen = errors.New("secretbox: cannot open sealed value (wrong key or corrupted)")

// Box seals and opens secrets with one master key. It is safe for
// concurrent use.
type Box struct {
	aead cipher.AEAD
}

// New returns a Box for key, which must be exactly KeySize bytes.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secretbox: key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secretbox: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secretbox: %w", err)
	}
	return &Box{aead: aead}, nil
}

// ParseKey decodes a master key as BELLHOP_MASTER_KEY holds it: 32 random
// bytes in standard or URL-safe base64, padded or not.
func ParseKey(b64 string) ([]byte, error) {
	s := strings.TrimRight(strings.TrimSpace(b64), "=")
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		if key, err := enc.DecodeString(s); err == nil {
			if len(key) != KeySize {
				return nil, fmt.Errorf("BELLHOP_MASTER_KEY decodes to %d bytes; it must be 32 random bytes, base64 (openssl rand -base64 32)", len(key))
			}
			return key, nil
		}
	}
	return nil, errors.New("BELLHOP_MASTER_KEY is not base64; it must be 32 random bytes, base64 (openssl rand -base64 32)")
}

// GenerateKey returns a new random master key, for dev mode and for
// `openssl rand`-less set-ups. Encode it with EncodeKey to store it.
func GenerateKey() []byte {
	key := make([]byte, KeySize)
	rand.Read(key) // never fails (crypto/rand, Go 1.24+)
	return key
}

// EncodeKey returns key in the form ParseKey reads (standard base64).
func EncodeKey(key []byte) string { return base64.StdEncoding.EncodeToString(key) }

// Seal encrypts plaintext under a fresh random nonce.
func (b *Box) Seal(plaintext []byte) ([]byte, error) {
	ns := b.aead.NonceSize()
	out := make([]byte, 1+ns, 1+ns+len(plaintext)+b.aead.Overhead())
	out[0] = version1
	rand.Read(out[1:])
	return b.aead.Seal(out, out[1:1+ns], plaintext, out[:1]), nil
}

// Open decrypts a value made by Seal. Returns ErrOpen if it was altered,
// sealed under another key or has an unknown version.
func (b *Box) Open(sealed []byte) ([]byte, error) {
	ns := b.aead.NonceSize()
	if len(sealed) < 1+ns+b.aead.Overhead() || sealed[0] != version1 {
		return nil, ErrOpen
	}
	plain, err := b.aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], sealed[:1])
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}
