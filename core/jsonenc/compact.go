package jsonenc

import (
	"errors"
	"unicode/utf8"
)

// ErrSyntax is Compact's answer to a text that is not JSON.
var ErrSyntax = errors.New("jsonenc: not a JSON text")

// MaxDepth is encoding/json's nesting limit, which Compact keeps and the
// catalog's schema check follows.
const MaxDepth = 10000

// Compact appends src to dst without insignificant whitespace and with <,
// >, & and U+2028/U+2029 in strings escaped, the bytes json.Marshal writes
// for src as a json.RawMessage, or returns ErrSyntax if src is not one
// JSON value. It is json.Compact and json.HTMLEscape in one pass that
// copies a string's plain run in one append, where encoding/json's scanner
// calls a function per byte: compacting data.object was a sixth of a batch
// publish's CPU (issue 12). FuzzCompact holds it to encoding/json.
func Compact(dst, src []byte) ([]byte, error) {
	c := compactor{src: src, out: dst}
	c.space()
	if !c.value(0) {
		return dst, ErrSyntax
	}
	c.space()
	if c.i != len(src) {
		return dst, ErrSyntax
	}
	return c.out, nil
}

type compactor struct {
	src []byte
	i   int
	out []byte
}

func (c *compactor) space() { c.i = SpaceEnd(c.src, c.i) }

func (c *compactor) value(depth int) bool {
	if c.i >= len(c.src) {
		return false
	}
	switch b := c.src[c.i]; {
	case b == '{':
		return c.container(depth, '}', true)
	case b == '[':
		return c.container(depth, ']', false)
	case b == '"':
		return c.str()
	case b == 't' || b == 'f' || b == 'n':
		return c.token(LiteralEnd(c.src, c.i))
	case b == '-' || '0' <= b && b <= '9':
		return c.token(NumberEnd(c.src, c.i))
	}
	return false
}

// container copies an object (members: a string key, a colon, a value) or
// an array up to its closing byte.
func (c *compactor) container(depth int, closing byte, members bool) bool {
	if depth >= MaxDepth {
		return false
	}
	c.out = append(c.out, c.src[c.i])
	c.i++
	c.space()
	if c.i < len(c.src) && c.src[c.i] == closing {
		c.out = append(c.out, closing)
		c.i++
		return true
	}
	for {
		c.space()
		if members {
			if c.i >= len(c.src) || c.src[c.i] != '"' || !c.str() {
				return false
			}
			c.space()
			if c.i >= len(c.src) || c.src[c.i] != ':' {
				return false
			}
			c.out = append(c.out, ':')
			c.i++
			c.space()
		}
		if !c.value(depth + 1) {
			return false
		}
		c.space()
		if c.i >= len(c.src) {
			return false
		}
		switch c.src[c.i] {
		case ',':
			c.out = append(c.out, ',')
			c.i++
		case closing:
			c.out = append(c.out, closing)
			c.i++
			return true
		default:
			return false
		}
	}
}

// str copies a string, checking its escapes as encoding/json does (bytes
// below 0x20 refused; invalid UTF-8 passed through, as json.Compact does).
func (c *compactor) str() bool {
	c.out = append(c.out, '"')
	c.i++
	start := c.i
	for c.i < len(c.src) {
		b := c.src[c.i]
		switch {
		case b == '"':
			c.out = append(c.out, c.src[start:c.i]...)
			c.out = append(c.out, '"')
			c.i++
			return true
		case b == '\\':
			if !c.escape() {
				return false
			}
		case b < 0x20:
			return false
		case b == '<' || b == '>' || b == '&':
			c.out = append(c.out, c.src[start:c.i]...)
			c.out = AppendRune(c.out, rune(b))
			c.i++
			start = c.i
		case b == 0xe2 && c.i+2 < len(c.src) && c.src[c.i+1] == 0x80 && (c.src[c.i+2] == 0xa8 || c.src[c.i+2] == 0xa9):
			c.out = append(c.out, c.src[start:c.i]...)
			r, _ := utf8.DecodeRune(c.src[c.i:])
			c.out = AppendRune(c.out, r)
			c.i += 3
			start = c.i
		default:
			c.i++
		}
	}
	return false
}

// escape steps over one escape sequence of a string, which is copied as
// it is.
func (c *compactor) escape() bool {
	if c.i+1 >= len(c.src) {
		return false
	}
	switch c.src[c.i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		c.i += 2
		return true
	case 'u':
		if c.i+6 > len(c.src) {
			return false
		}
		for _, h := range c.src[c.i+2 : c.i+6] {
			if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
				return false
			}
		}
		c.i += 6
		return true
	}
	return false
}

// token copies a literal or a number that ends at end (-1: none does).
func (c *compactor) token(end int) bool {
	if end < 0 {
		return false
	}
	c.out = append(c.out, c.src[c.i:end]...)
	c.i = end
	return true
}
