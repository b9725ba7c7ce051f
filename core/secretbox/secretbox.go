package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the length of a master key in bytes (AES-256).
const KeySize = 32

// version1 was the first byte of every value sealed before key ids: the
// nonce follows it. Open still reads it, so that values sealed by an older
// release open until a rotation re-seals them.
const version1 byte = 1

// version2 is the first byte of every value sealed by this release: the
// sealing key's id follows it, then the nonce. The id lets a master key
// rotation tell a value it already re-sealed from one it has yet to.
const version2 byte = 2

// keyIDLen is the length in bytes of a key id inside a sealed value.
const keyIDLen = 8

// keyIDLabel is what a key id is the HMAC of. An HMAC of a fixed label
// under the key names the key without revealing anything about it: it is
// not the key, nor a hash of it that other software might also publish, and
// it is only 8 bytes of a PRF output.
const keyIDLabel = "bellhop secretbox key id v1"

// ErrOpen is returned by Open for a value that was tampered with, sealed
// under another key or is not a sealed value at all. It says no more, so
// that nothing about the secret leaks.
var ErrOpen = errors.New("secretbox: cannot open sealed value (wrong key or corrupted)")

// Box seals and opens secrets with one master key. It is safe for
// concurrent use.
type Box struct {
	aead  cipher.AEAD
	keyID [keyIDLen]byte
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
	b := &Box{aead: aead}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(keyIDLabel))
	copy(b.keyID[:], mac.Sum(nil))
	return b, nil
}

// KeyID names the box's key in 16 hex digits: an HMAC of a fixed label
// under the key, so that it can be stored, logged and compared without
// revealing anything about the key.
func (b *Box) KeyID() string { return hex.EncodeToString(b.keyID[:]) }

// SealedKeyID returns the id of the key that sealed a value, or "" for a
// value sealed before values carried one (or not a sealed value at all).
// It says which key to open a value with; it proves nothing: only Open
// does.
func (b *Box) SealedKeyID(sealed []byte) string { return KeyIDOf(sealed) }

// KeyIDOf returns the id of the key that sealed a value, or "" for a value
// sealed before values carried one (or not a sealed value at all).
func KeyIDOf(sealed []byte) string {
	if len(sealed) < 1+keyIDLen || sealed[0] != version2 {
		return ""
	}
	return hex.EncodeToString(sealed[1 : 1+keyIDLen])
}

// ParseKey decodes a master key as BELLHOP_MASTER_KEY holds it: 32 random
// bytes in standard or URL-safe base64, padded or not.
func ParseKey(b64 string) ([]byte, error) { return ParseKeyFor("BELLHOP_MASTER_KEY", b64) }

// ParseKeyFor is ParseKey for a key read from another setting (the new key
// of a rotation), which its errors name.
func ParseKeyFor(setting, b64 string) ([]byte, error) {
	s := strings.TrimRight(strings.TrimSpace(b64), "=")
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		if key, err := enc.DecodeString(s); err == nil {
			if len(key) != KeySize {
				return nil, fmt.Errorf("%s decodes to %d bytes; it must be 32 random bytes, base64 (openssl rand -base64 32)", setting, len(key))
			}
			return key, nil
		}
	}
	return nil, fmt.Errorf("%s is not base64; it must be 32 random bytes, base64 (openssl rand -base64 32)", setting)
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

// Seal encrypts plaintext under a fresh random nonce. The value starts with
// version2 and the key id, both authenticated with the ciphertext.
func (b *Box) Seal(plaintext []byte) ([]byte, error) {
	const head = 1 + keyIDLen
	ns := b.aead.NonceSize()
	out := make([]byte, head+ns, head+ns+len(plaintext)+b.aead.Overhead())
	out[0] = version2
	copy(out[1:head], b.keyID[:])
	rand.Read(out[head:])
	return b.aead.Seal(out, out[head:head+ns], plaintext, out[:head]), nil
}

// Open decrypts a value made by Seal, or by an older release's Seal (a
// version1 value, without key id). Returns ErrOpen if it was altered, sealed
// under another key or has an unknown version.
func (b *Box) Open(sealed []byte) ([]byte, error) {
	head := 0
	switch {
	case len(sealed) == 0:
		return nil, ErrOpen
	case sealed[0] == version1:
		head = 1
	case sealed[0] == version2:
		head = 1 + keyIDLen
		if len(sealed) < head || subtle.ConstantTimeCompare(sealed[1:head], b.keyID[:]) != 1 {
			return nil, ErrOpen
		}
	default:
		return nil, ErrOpen
	}
	ns := b.aead.NonceSize()
	if len(sealed) < head+ns+b.aead.Overhead() {
		return nil, ErrOpen
	}
	plain, err := b.aead.Open(nil, sealed[head:head+ns], sealed[head+ns:], sealed[:head])
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}
