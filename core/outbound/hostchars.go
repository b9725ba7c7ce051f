package outbound

import (
	"errors"
	"strings"
	"unicode"
)

// ErrMalformedHost is returned for a URL host with percent-encoding, a
// control character or a space in it. No host that resolves or dials has
// one; they only serve to slip an address past a check (127.0.0.1%2509
// decodes to "127.0.0.1%09", which no address parser reads as loopback).
var ErrMalformedHost = errors.New("the host must not contain percent-encoded or control characters")

// checkHostChars refuses a host, decoded or as typed, that holds a '%', a
// control character or a space.
func checkHostChars(host string) error {
	if strings.ContainsFunc(host, func(r rune) bool { return r == '%' || unicode.IsControl(r) || unicode.IsSpace(r) }) {
		return ErrMalformedHost
	}
	return nil
}

// CheckURLHost checks the host of rawURL as it was typed, before url.Parse
// decodes it: ErrMalformedHost if it is percent-encoded or holds a control
// character or a space, else nil. A URL without "//" has no host to check.
func CheckURLHost(rawURL string) error {
	_, rest, ok := strings.Cut(rawURL, "//")
	if !ok {
		return nil
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		rest = rest[i+1:] // userinfo may be percent-encoded; the host may not
	}
	return checkHostChars(rest)
}
