// Package jsonenc writes JSON strings exactly as encoding/json does, for the
// few hot paths that build JSON by hand: encoding/json validates and
// compacts every json.RawMessage and Marshaler output it writes again, and
// reflects over every value, which on a batch publish cost a fifth of the
// hub's CPU (issue 12). Hand-built JSON must read the same as
// json.Marshal's, byte for byte, so that stored records and API answers do
// not depend on which path wrote them; the tests of each user hold it to
// that.
package jsonenc

import "unicode/utf8"

// AppendString appends s as a JSON string as encoding/json writes it:
// HTML characters (<, >, &) and U+2028/U+2029 escaped, control characters
// as short or \u00XX escapes, invalid UTF-8 as \ufffd.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = AppendRune(append(b, s[start:i]...), rune(c))
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = AppendRune(append(b, s[start:i]...), r)
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// AppendRune appends r as encoding/json writes it inside a string.
func AppendRune(b []byte, r rune) []byte {
	const hex = "0123456789abcdef"
	switch {
	case r >= utf8.RuneSelf:
		if r == '\u2028' || r == '\u2029' { // valid JSON, but not JavaScript in JSONP
			return append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		}
		return utf8.AppendRune(b, r)
	case r == '\\' || r == '"':
		return append(b, '\\', byte(r))
	case r == '\b':
		return append(b, '\\', 'b')
	case r == '\f':
		return append(b, '\\', 'f')
	case r == '\n':
		return append(b, '\\', 'n')
	case r == '\r':
		return append(b, '\\', 'r')
	case r == '\t':
		return append(b, '\\', 't')
	case r < 0x20 || r == '<' || r == '>' || r == '&':
		return append(b, '\\', 'u', '0', '0', hex[r>>4], hex[r&0xF])
	}
	return append(b, byte(r))
}
