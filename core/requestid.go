package core

import (
	"crypto/rand"
	"encoding/binary"
	"strconv"
	"time"
)

// A request id is "req_", the Unix time of the request in milliseconds as
// 12 base-36 digits (zero-padded), then 12 random base-36 digits (62 bits):
// 24 lowercase letters and digits, as before, but ordered by time. The
// activity log files a request under its id's millisecond, so a request (or
// a page cursor naming one) is found with a range read of that millisecond
// instead of an index that cost ~96 bytes of Redis per request; and 12
// random digits fit in an int64, which Redis stores in 9 bytes instead of
// a 15-byte string.
const (
	requestIDPrefix = "req_"
	requestIDTime   = 12 // base-36 digits of milliseconds
	requestIDRandom = 12 // base-36 digits of randomness
)

// NewRequestID returns a fresh request id for a request received at t.
func NewRequestID(t time.Time) string {
	var b [8]byte
	rand.Read(b[:]) // never fails (crypto/rand panics rather than return an error)
	return FormatRequestID(max(t.UnixMilli(), 0), int64(binary.LittleEndian.Uint64(b[:])%maxRequestRandom))
}

// maxRequestRandom is 36^12, one more than the largest random part. The
// modulo bias it leaves (2^64 mod 36^12 is small next to 2^64) is a few
// parts in a billion.
const maxRequestRandom = 36 * 36 * 36 * 36 * 36 * 36 * 36 * 36 * 36 * 36 * 36 * 36

// ParseRequestID splits an id made by NewRequestID into its millisecond and
// its random part. ok is false for an id of another form. The 24 hex digits
// of the ids of earlier versions parse too, to a meaningless time: whoever
// looks such an id up must be ready not to find it there.
func ParseRequestID(id string) (ms, random int64, ok bool) {
	if len(id) != len(requestIDPrefix)+requestIDTime+requestIDRandom || id[:len(requestIDPrefix)] != requestIDPrefix {
		return 0, 0, false
	}
	rest := id[len(requestIDPrefix):]
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'z') {
			return 0, 0, false
		}
	}
	ms, err1 := strconv.ParseInt(rest[:requestIDTime], 36, 64)
	random, err2 := strconv.ParseInt(rest[requestIDTime:], 36, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return ms, random, true
}

// FormatRequestID is the inverse of ParseRequestID: the id made at ms with
// random part random (0 ≤ random < 36^12).
func FormatRequestID(ms, random int64) string {
	b := make([]byte, 0, len(requestIDPrefix)+requestIDTime+requestIDRandom)
	b = append(b, requestIDPrefix...)
	b = appendBase36(b, ms, requestIDTime)
	b = appendBase36(b, random, requestIDRandom)
	return string(b)
}

// appendBase36 appends v in base 36, zero-padded to width digits.
func appendBase36(b []byte, v int64, width int) []byte {
	var digits [13]byte
	d := strconv.AppendInt(digits[:0], v, 36)
	for range width - len(d) {
		b = append(b, '0')
	}
	return append(b, d...)
}
