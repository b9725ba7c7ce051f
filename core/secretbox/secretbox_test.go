package secretbox_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/secretbox"
)

var _ redisstore.KeySealer = (*secretbox.Box)(nil)

func newBox(t *testing.T) *secretbox.Box {
	t.Helper()
	b, err := secretbox.New(secretbox.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRoundTrip(t *testing.T) {
	box := newBox(t)
	for _, plain := range []string{"", "whsec_abc", strings.Repeat("x", 10000)} {
		sealed, err := box.Seal([]byte(plain))
		if err != nil {
			t.Fatal(err)
		}
		if plain != "" && bytes.Contains(sealed, []byte(plain)) {
			t.Fatalf("sealed value contains the plaintext")
		}
		got, err := box.Open(sealed)
		if err != nil || string(got) != plain {
			t.Fatalf("Open = %q, %v; want %q", got, err, plain)
		}
	}
	a, _ := box.Seal([]byte("same"))
	b, _ := box.Seal([]byte("same"))
	if bytes.Equal(a, b) {
		t.Fatal("two seals of one plaintext are equal; the nonce is not random")
	}
}

func TestOpenRejects(t *testing.T) {
	box := newBox(t)
	sealed, _ := box.Seal([]byte("whsec_secret"))
	flip := func(i int) []byte {
		c := bytes.Clone(sealed)
		c[i] ^= 1
		return c
	}
	tests := []struct {
		name string
		box  *secretbox.Box
		in   []byte
	}{
		{"version byte", box, flip(0)},
		{"key id", box, flip(1)},
		{"nonce", box, flip(10)},
		{"ciphertext", box, flip(22)},
		{"tag", box, flip(len(sealed) - 1)},
		{"truncated", box, sealed[:10]},
		{"empty", box, nil},
		{"wrong key", newBox(t), sealed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.box.Open(tt.in); !errors.Is(err, secretbox.ErrOpen) {
				t.Fatalf("err = %v, want ErrOpen", err)
			}
		})
	}
}

func TestNewWantsKeySize(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33, 64} {
		if _, err := secretbox.New(make([]byte, n)); err == nil {
			t.Fatalf("New(%d bytes) succeeded", n)
		}
	}
}

func TestParseKey(t *testing.T) {
	key := secretbox.GenerateKey()
	tests := []struct {
		name    string
		in      string
		wantErr bool
	}{
		{"std", base64.StdEncoding.EncodeToString(key), false},
		{"url raw", base64.RawURLEncoding.EncodeToString(key), false},
		{"spaces", " " + secretbox.EncodeKey(key) + "\n", false},
		{"short", base64.StdEncoding.EncodeToString(key[:16]), true},
		{"not base64", "not base64!", true},
		{"empty", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := secretbox.ParseKey(tt.in)
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), "BELLHOP_MASTER_KEY") || !strings.Contains(err.Error(), "32") {
					t.Fatalf("err = %v, want one naming BELLHOP_MASTER_KEY and 32 bytes", err)
				}
				return
			}
			if err != nil || !bytes.Equal(got, key) {
				t.Fatalf("ParseKey = %x, %v; want %x", got, err, key)
			}
		})
	}
}

// sealV1 seals as releases before key ids did: version 1, nonce, ciphertext.
func sealV1(t *testing.T, key, plain []byte) []byte {
	t.Helper()
	block, _ := aes.NewCipher(key)
	aead, _ := cipher.NewGCM(block)
	out := make([]byte, 1+aead.NonceSize())
	out[0] = 1
	rand.Read(out[1:])
	return aead.Seal(out, out[1:], plain, out[:1])
}

func TestOpensValuesSealedBeforeKeyIDs(t *testing.T) {
	key := secretbox.GenerateKey()
	box, _ := secretbox.New(key)
	old := sealV1(t, key, []byte("whsec_old"))
	if got, err := box.Open(old); err != nil || string(got) != "whsec_old" {
		t.Fatalf("Open(v1) = %q, %v", got, err)
	}
	if id := secretbox.KeyIDOf(old); id != "" {
		t.Fatalf("KeyIDOf(v1) = %q, want none", id)
	}
	if _, err := newBox(t).Open(old); !errors.Is(err, secretbox.ErrOpen) {
		t.Fatalf("another key opened a v1 value: %v", err)
	}
}

func TestKeyID(t *testing.T) {
	key := secretbox.GenerateKey()
	a, _ := secretbox.New(key)
	b, _ := secretbox.New(bytes.Clone(key))
	if a.KeyID() != b.KeyID() || len(a.KeyID()) != 16 {
		t.Fatalf("KeyID = %q and %q, want one 16-digit id per key", a.KeyID(), b.KeyID())
	}
	if other := newBox(t); other.KeyID() == a.KeyID() {
		t.Fatal("two keys share an id")
	}
	for _, leak := range []string{hex.EncodeToString(key), secretbox.EncodeKey(key)} {
		if strings.Contains(leak, a.KeyID()) {
			t.Fatal("the key id is part of the key")
		}
	}
	sum := sha256.Sum256(key)
	if strings.HasPrefix(hex.EncodeToString(sum[:]), a.KeyID()) {
		t.Fatal("the key id is a plain hash of the key")
	}
	sealed, _ := a.Seal([]byte("x"))
	if got := a.SealedKeyID(sealed); got != a.KeyID() {
		t.Fatalf("SealedKeyID = %q, want %q", got, a.KeyID())
	}
}
