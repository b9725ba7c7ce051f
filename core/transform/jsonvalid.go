package transform

// validJSON says whether s is exactly one JSON value (white space around it
// allowed), as json.Valid does, nesting limit included, at a fraction of its
// cost: json.Valid steps a state machine through a function value per byte,
// which came to 3% of a Slack run. The lazy event objects rely on it: a
// document that passed it cannot fail to parse later, mid-script.
func validJSON(s string) bool {
	var stack []byte // the open '{' and '['
	i := skipWS(s, 0)
	for {
		// A value starts at i.
		if i >= len(s) {
			return false
		}
		switch c := s[i]; {
		case c == '{' || c == '[':
			if len(stack) >= maxJSONDepth {
				return false
			}
			stack = append(stack, c)
			i = skipWS(s, i+1)
			if i < len(s) && s[i] == closing(c) {
				stack = stack[:len(stack)-1]
				i++
				break
			}
			if c == '{' {
				if i = validKey(s, i); i < 0 {
					return false
				}
			}
			continue
		case c == '"':
			if i = validString(s, i); i < 0 {
				return false
			}
		case c == 't' || c == 'f' || c == 'n':
			if i = validLiteral(s, i); i < 0 {
				return false
			}
		default:
			if i = validNumber(s, i); i < 0 {
				return false
			}
		}
		// A value ended at i: close what it completes, then expect the next.
		for {
			i = skipWS(s, i)
			if len(stack) == 0 {
				return i == len(s)
			}
			if i >= len(s) {
				return false
			}
			top := stack[len(stack)-1]
			if s[i] == closing(top) {
				stack = stack[:len(stack)-1]
				i++
				continue
			}
			if s[i] != ',' {
				return false
			}
			i = skipWS(s, i+1)
			if top == '{' {
				if i = validKey(s, i); i < 0 {
					return false
				}
			}
			break
		}
	}
}

// maxJSONDepth is encoding/json's nesting limit, so that validJSON and
// json.Valid agree on every document.
const maxJSONDepth = 10000

func closing(open byte) byte {
	if open == '{' {
		return '}'
	}
	return ']'
}

func skipWS(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

// validKey reads `"key" :` at i and returns the index after the colon and
// white space, or -1.
func validKey(s string, i int) int {
	if i >= len(s) || s[i] != '"' {
		return -1
	}
	if i = validString(s, i); i < 0 {
		return -1
	}
	if i = skipWS(s, i); i >= len(s) || s[i] != ':' {
		return -1
	}
	return skipWS(s, i+1)
}

// validString reads a string literal at s[i] == '"' and returns the index
// after it, or -1.
func validString(s string, i int) int {
	for i++; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return i + 1
		case c < 0x20:
			return -1
		case c == '\\':
			if i++; i >= len(s) {
				return -1
			}
			switch s[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(s) {
					return -1
				}
				for _, h := range []byte(s[i+1 : i+5]) {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return -1
					}
				}
				i += 4
			default:
				return -1
			}
		}
	}
	return -1
}

func validLiteral(s string, i int) int {
	for _, lit := range [...]string{"true", "false", "null"} {
		if len(s)-i >= len(lit) && s[i:i+len(lit)] == lit {
			return i + len(lit)
		}
	}
	return -1
}

// validNumber reads -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? at i.
func validNumber(s string, i int) int {
	digits := func(i int) (int, bool) {
		start := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		return i, i > start
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i < len(s) && s[i] == '0' {
		i++
	} else {
		var ok bool
		if i, ok = digits(i); !ok {
			return -1
		}
	}
	if i < len(s) && s[i] == '.' {
		var ok bool
		if i, ok = digits(i + 1); !ok {
			return -1
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		var ok bool
		if i, ok = digits(i); !ok {
			return -1
		}
	}
	return i
}
