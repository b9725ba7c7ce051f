package core

import (
	"crypto/rand"
	"strconv"
	"time"
)

// A request id is "req_", the Unix time of the request in milliseconds as 9
// base-36 digits, then 15 random base-36 digits (77 bits): 24 lowercase
// letters and digits, as before, but ordered by time. The activity log
// files a request under its id's millisecond, so a request (or a page
// cursor naming one) is found with a range read of that millisecond instead
// of an index that cost ~96 bytes of Redis per request.
const (
	requestIDPrefix = "req_"
	requestIDTime   = 9  // base-36 digits of milliseconds: enough until the year 5138
	requestIDRandom = 15 // base-36 digits of randomness
)

const base36 = "0123456789abcdefghijklmnopqrstuvwxyz"

// NewRequestID returns a fresh request id for a request received at t.
func NewRequestID(t time.Time) string {
	random := make([]byte, 0, requestIDRandom)
	var r [32]byte
	for len(random) < requestIDRandom {
		rand.Read(r[:]) // never fails (crypto/rand panics rather than return an error)
		for _, c := range r {
			// 252 = 7×36: dropping 252–255 keeps every digit equally likely.
			if c < 252 && len(random) < requestIDRandom {
				random = append(random, base36[c%36])
			}
		}
	}
	return FormatRequestID(max(t.UnixMilli(), 0), string(random))
}

// ParseRequestID splits an id made by NewRequestID into its millisecond and
// its random part. ok is false for an id of another form. The 24 hex digits
// of the ids of earlier versions parse too, to a meaningless time: whoever
// looks such an id up must be ready not to find it there.
func ParseRequestID(id string) (ms int64, random string, ok bool) {
	if len(id) != len(requestIDPrefix)+requestIDTime+requestIDRandom || id[:len(requestIDPrefix)] != requestIDPrefix {
		return 0, "", false
	}
	rest := id[len(requestIDPrefix):]
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'z') {
			return 0, "", false
		}
	}
	ms, err := strconv.ParseInt(rest[:requestIDTime], 36, 64)
	if err != nil {
		return 0, "", false
	}
	return ms, rest[requestIDTime:], true
}

// FormatRequestID is the inverse of ParseRequestID: the id made at ms with
// random part random.
func FormatRequestID(ms int64, random string) string {
	t := strconv.FormatInt(ms, 36)
	for len(t) < requestIDTime {
		t = "0" + t
	}
	return requestIDPrefix + t + random
}
