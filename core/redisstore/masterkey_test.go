package redisstore_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/redistest"
	"github.com/bellhop/bellhop/core/secretbox"
)

func newBox(t testing.TB) *secretbox.Box {
	t.Helper()
	box, err := secretbox.New(secretbox.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	return box
}

// checkHash returns the master key check hash as Redis holds it.
func checkHash(t *testing.T, r *redistest.Redis) map[string]string {
	t.Helper()
	m, err := r.Client.HGetAll(context.Background(), r.Prefix+"meta:masterkey").Result()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func wantWrongKey(t *testing.T, err error, sealedWith string) {
	t.Helper()
	var wk *redisstore.WrongKeyError
	if !errors.As(err, &wk) || wk.SealedWith != sealedWith {
		t.Fatalf("err = %v, want a WrongKeyError naming key id %q", err, sealedWith)
	}
}

func TestCheckMasterKeyFirstStartThenRightAndWrongKey(t *testing.T) {
	r := redistest.New(t)
	ctx := context.Background()
	right, wrong := newBox(t), newBox(t)
	store := func(box *secretbox.Box) *redisstore.Store {
		return redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix, Sealer: box})
	}
	if err := store(right).CheckMasterKey(ctx, right); err != nil {
		t.Fatalf("first start: %v", err)
	}
	first := checkHash(t, r)
	if first["key_id"] != right.KeyID() || first["check"] == "" {
		t.Fatalf("check hash after a first start = %q", first)
	}
	if err := store(right).CheckMasterKey(ctx, right); err != nil {
		t.Fatalf("restart with the right key: %v", err)
	}
	wantWrongKey(t, store(wrong).CheckMasterKey(ctx, wrong), right.KeyID())
	if got := checkHash(t, r); got["check"] != first["check"] || got["key_id"] != first["key_id"] || len(got) != 2 {
		t.Fatalf("a wrong key changed the check hash: %q", got)
	}
}

func TestCheckMasterKeyUpgrade(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		sealer func(key []byte) redisstore.Sealer
		keyID  func(box *secretbox.Box) string // what a wrong key is told sealed the secrets
	}{
		{"values with key ids", func(key []byte) redisstore.Sealer { b, _ := secretbox.New(key); return b }, (*secretbox.Box).KeyID},
		{"values sealed before key ids", func(key []byte) redisstore.Sealer { return v1Sealer(key) }, func(*secretbox.Box) string { return "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := redistest.New(t)
			key := secretbox.GenerateKey()
			right, _ := secretbox.New(key)
			// An older release saved an endpoint and wrote no check value.
			old := redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix, Sealer: tt.sealer(key)})
			seedSecrets(t, old, newScope(t, old))

			wrong := newBox(t)
			s := redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix, Sealer: right})
			wantWrongKey(t, s.CheckMasterKey(ctx, wrong), tt.keyID(right))
			if got := checkHash(t, r); len(got) != 0 {
				t.Fatalf("a wrong key wrote the check hash: %q", got)
			}
			if err := s.CheckMasterKey(ctx, right); err != nil {
				t.Fatalf("upgrade with the right key: %v", err)
			}
			if got := checkHash(t, r); got["key_id"] != right.KeyID() {
				t.Fatalf("check hash after the upgrade = %q", got)
			}
			wantWrongKey(t, s.CheckMasterKey(ctx, wrong), right.KeyID())
		})
	}
}

// v1Sealer seals as releases before key ids did (secretbox version 1).
type v1Sealer []byte

func (k v1Sealer) aead() cipher.AEAD {
	block, _ := aes.NewCipher(k)
	aead, _ := cipher.NewGCM(block)
	return aead
}

func (k v1Sealer) Seal(plain []byte) ([]byte, error) {
	aead := k.aead()
	out := make([]byte, 1+aead.NonceSize())
	out[0] = 1
	rand.Read(out[1:])
	return aead.Seal(out, out[1:], plain, out[:1]), nil
}

func (k v1Sealer) Open(sealed []byte) ([]byte, error) {
	aead := k.aead()
	return aead.Open(nil, sealed[1:1+aead.NonceSize()], sealed[1+aead.NonceSize():], sealed[:1])
}
