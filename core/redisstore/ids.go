package redisstore

import (
	"crypto/rand"
	"math/big"
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// randomBase62 returns n characters drawn uniformly from [0-9A-Za-z] with
// crypto/rand, for secrets and for ids that must not be guessable.
func randomBase62(n int) string {
	b := make([]byte, n)
	max := big.NewInt(int64(len(base62)))
	for i := range b {
		v, err := rand.Int(rand.Reader, max)
		if err != nil {
			// crypto/rand never fails on supported platforms (Go 1.24+).
			panic("crypto/rand: " + err.Error())
		}
		b[i] = base62[v.Int64()]
	}
	return string(b)
}

// newID returns prefix followed by 24 random base62 characters (about 143
// bits), e.g. newID("key_").
func newID(prefix string) string { return prefix + randomBase62(24) }

// isBase62 reports whether s is made of [0-9A-Za-z] only.
func isBase62(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}
