package secretbox_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/secretbox"
)

var _ redisstore.Sealer = (*secretbox.Box)(nil)

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
		{"nonce", box, flip(1)},
		{"ciphertext", box, flip(14)},
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
