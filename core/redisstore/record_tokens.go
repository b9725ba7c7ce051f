package redisstore

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
)

// An ended record's random parts (ids in hex, the two signatures of every
// webhook attempt) are about half its entropy but cost a compressor that
// has no entropy coder, such as S2, a byte per character. Before it is
// packed (delivery_pack.go), the record's text is turned into its tokens
// form, where they take the bytes they encode:
//
//   - a run of 16 to 510 lowercase hex digits (an even count) becomes
//     tokenHex, the byte count, and the bytes;
//   - the 44 characters of standard, padded base64 after "v1," (a Standard
//     Webhooks signature of 32 bytes) become tokenBase64 and the 32 bytes,
//     when they are the canonical encoding of those bytes;
//   - the 24 base62 characters after an "_" (an event id, evt_…: 143
//     random bits), when one of them is not a lowercase hex digit (an id in
//     hex is better off as hex), become tokenBase62 and 18 bytes, 6 for
//     each 8 characters read as a base62 number.
//
// Both are exact: expandTokens gives back the text byte for byte. The
// markers are control characters a record never holds (it is JSON lines,
// and encoding/json escapes every control character but the newline
// between lines); should one occur, it is kept behind tokenEscape. This
// form is part of the stored formats packedV2 and packedV3: it must never change.
const (
	tokenHex    = 0x02
	tokenBase64 = 0x03
	tokenEscape = 0x04 // then a marker byte the text held
	tokenBase62 = 0x05

	minHexRun = 16  // shorter runs (timestamps, ports) gain too little
	maxHexRun = 510 // two digits per byte, a count in one byte

	base64SigPrefix = "v1,"
	base64SigLen    = 44 // 32 bytes, padded
	base64SigBytes  = 32

	base62IDLen    = 24
	base62Group    = 8 // characters of a group: 62^8 < 2^48,
	base62GroupLen = 6 // so a group takes 6 bytes
	base62IDBytes  = base62IDLen / base62Group * base62GroupLen
)

var strictBase64 = base64.StdEncoding.Strict()

// compactTokens appends text's tokens form to dst.
func compactTokens(dst, text []byte) []byte {
	for i := 0; i < len(text); {
		if !isLowerHex(text[i]) {
			j := i
			for j < len(text) && !isLowerHex(text[j]) && text[j] != ',' && text[j] != '_' && !isMarker(text[j]) {
				j++
			}
			dst, i = append(dst, text[i:j]...), j
			switch {
			case j == len(text):
			case text[j] == ',':
				dst, i = appendBase64Sig(append(dst, ','), text, j+1)
			case text[j] == '_':
				dst, i = appendBase62ID(append(dst, '_'), text, j+1)
			case isMarker(text[j]):
				dst, i = append(dst, tokenEscape, text[j]), j+1
			}
			continue
		}
		end := i
		for end < len(text) && isLowerHex(text[end]) {
			end++
		}
		for end-i >= minHexRun {
			n := min(end-i, maxHexRun) &^ 1
			dst, _ = hex.AppendDecode(append(dst, tokenHex, byte(n/2)), text[i:i+n]) // hex digits: no error
			i += n
		}
		dst = append(dst, text[i:end]...)
		i = end
	}
	return dst
}

// appendBase64Sig appends the token of a canonical signature at text[i:]
// when base64SigPrefix ends at i, and returns where text goes on.
func appendBase64Sig(dst, text []byte, i int) ([]byte, int) {
	if i < len(base64SigPrefix) || string(text[i-len(base64SigPrefix):i]) != base64SigPrefix ||
		len(text)-i < base64SigLen || text[i+base64SigLen-1] != '=' {
		return dst, i
	}
	for _, c := range text[i : i+base64SigLen-1] {
		if !isBase64(c) { // base64's decoder skips newlines: none may be counted
			return dst, i
		}
	}
	var sig [base64SigBytes]byte
	if n, err := strictBase64.Decode(sig[:], text[i:i+base64SigLen]); err != nil || n != base64SigBytes {
		return dst, i
	}
	return append(append(dst, tokenBase64), sig[:]...), i + base64SigLen
}

// appendBase62ID appends the token of the base62 id at text[i:], when one
// is there, and returns where text goes on.
func appendBase62ID(dst, text []byte, i int) ([]byte, int) {
	if len(text)-i < base62IDLen {
		return dst, i
	}
	id, hexOnly := text[i:i+base62IDLen], true
	for _, c := range id {
		if base62Digit[c] < 0 {
			return dst, i
		}
		hexOnly = hexOnly && isLowerHex(c)
	}
	if hexOnly {
		return dst, i
	}
	dst = append(dst, tokenBase62)
	for g := 0; g < base62IDLen; g += base62Group {
		var v uint64
		for _, c := range id[g : g+base62Group] {
			v = v*62 + uint64(base62Digit[c])
		}
		dst = append(dst, byte(v>>40), byte(v>>32), byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
	}
	return dst, i + base62IDLen
}

// appendBase62Group appends the base62 characters of one group's bytes,
// and reports false for bytes appendBase62ID never writes.
func appendBase62Group(dst, b []byte) ([]byte, bool) {
	v := uint64(b[0])<<40 | uint64(b[1])<<32 | uint64(b[2])<<24 | uint64(b[3])<<16 | uint64(b[4])<<8 | uint64(b[5])
	var chars [base62Group]byte
	for k := base62Group - 1; k >= 0; k-- {
		chars[k] = base62Alphabet[v%62]
		v /= 62
	}
	return append(dst, chars[:]...), v == 0
}

var errTokens = errors.New("damaged tokens")

// expandTokens appends the text whose tokens form is packed to dst.
func expandTokens(dst, packed []byte) ([]byte, error) {
	for i := 0; i < len(packed); {
		switch packed[i] {
		case tokenHex:
			if i+1 >= len(packed) || len(packed)-i-2 < int(packed[i+1]) {
				return nil, errTokens
			}
			n := int(packed[i+1])
			dst = hex.AppendEncode(dst, packed[i+2:i+2+n])
			i += 2 + n
		case tokenBase64:
			if len(packed)-i-1 < base64SigBytes {
				return nil, errTokens
			}
			dst = base64.StdEncoding.AppendEncode(dst, packed[i+1:i+1+base64SigBytes])
			i += 1 + base64SigBytes
		case tokenBase62:
			if len(packed)-i-1 < base62IDBytes {
				return nil, errTokens
			}
			for g := i + 1; g < i+1+base62IDBytes; g += base62GroupLen {
				var ok bool
				if dst, ok = appendBase62Group(dst, packed[g:g+base62GroupLen]); !ok {
					return nil, errTokens
				}
			}
			i += 1 + base62IDBytes
		case tokenEscape:
			if i+1 >= len(packed) {
				return nil, errTokens
			}
			dst = append(dst, packed[i+1])
			i += 2
		default:
			dst = append(dst, packed[i])
			i++
		}
	}
	return dst, nil
}

func isLowerHex(c byte) bool { return lowerHex[c] }

// lowerHex is isLowerHex's table: a record is scanned byte by byte.
var lowerHex = func() (t [256]bool) {
	for _, c := range "0123456789abcdef" {
		t[c] = true
	}
	return t
}()

func isMarker(c byte) bool { return tokenHex <= c && c <= tokenBase62 }

// base62Alphabet is the alphabet of Bellhop's ids (core.RandomBase62's), in
// the order of the digits' values. It is spelled out here rather than
// shared with core: it is part of the stored formats packedV2 and packedV3.
const base62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// base62Digit is each byte's value as a base62 digit, -1 for the others.
var base62Digit = func() (t [256]int8) {
	for c := range t {
		t[c] = -1
	}
	for v, c := range []byte(base62Alphabet) {
		t[c] = int8(v)
	}
	return t
}()

func isBase64(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/'
}
