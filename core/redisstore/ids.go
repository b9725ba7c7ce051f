package redisstore

import "github.com/bellhop/bellhop/core"

// newID returns prefix followed by 24 random base62 characters (about 143
// bits), e.g. newID("key_").
func newID(prefix string) string { return prefix + core.RandomBase62(24) }

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
