package core

import "crypto/rand"

// base62 is the alphabet of Bellhop's ids and secrets: [0-9A-Za-z].
const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// RandomBase62 returns n characters drawn uniformly from [0-9A-Za-z] with
// crypto/rand (bytes of 248 and over are skipped, so that none is more
// likely than another), for secrets and for ids that must not be guessable:
// 24 of them carry about 143 bits.
func RandomBase62(n int) string {
	out := make([]byte, 0, n)
	buf := make([]byte, n+8)
	for len(out) < n {
		rand.Read(buf) // never fails (crypto/rand since Go 1.24)
		for _, b := range buf {
			if b < 248 && len(out) < n { // 248 = 4*62
				out = append(out, base62[b%62])
			}
		}
	}
	return string(out)
}
