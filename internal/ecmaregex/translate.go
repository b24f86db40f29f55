package ecmaregex

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// ecmaSpace is the body of a character class equal to ECMAScript's \s:
// WhiteSpace and LineTerminator code points.
const ecmaSpace = `\t\n\v\f\r \x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}\x{feff}`

// ecmaDot is ECMAScript's "." without the s flag: anything but a line
// terminator.
const ecmaDot = `[^\n\r\x{2028}\x{2029}]`

// translate rewrites an ECMAScript pattern into Go regexp syntax with the
// same meaning, or reports false when it cannot (lookaround,
// back-references, constructs whose meaning differs and cannot be rewritten,
// or syntax ECMAScript rejects but Go would accept, such as inline flags,
// \z or [[:alpha:]]). Patterns it rejects go to the ECMAScript engine, which
// decides whether they are valid.
//
// Rewrites: \s and \S become ECMAScript's white-space set (Go's \s is ASCII
// only); "." excludes \r, U+2028 and U+2029 as well as \n; \uXXXX (including
// surrogate pairs), \u{X...}, \cX, \0 and [\b] become Go escapes. \d, \w, \b
// and everything else carry over unchanged.
func translate(p string) (string, bool) {
	var b strings.Builder
	b.Grow(len(p) + 16)
	inClass := false
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == '\\':
			n, ok := translateEscape(&b, p, i, inClass)
			if !ok {
				return "", false
			}
			i += n
			continue
		case inClass:
			switch c {
			case ']':
				inClass = false
			case '[':
				if i+1 < len(p) && (p[i+1] == ':' || p[i+1] == '.' || p[i+1] == '=') {
					return "", false // Go reads [: :] as a POSIX class
				}
				b.WriteString(`\[`)
				i++
				continue
			}
		case c == '[':
			inClass = true
			b.WriteByte('[')
			i++
			if i < len(p) && p[i] == '^' {
				b.WriteByte('^')
				i++
			}
			if i < len(p) && p[i] == ']' {
				return "", false // [] and [^] mean "nothing" and "anything" in ECMAScript
			}
			continue
		case c == '.':
			b.WriteString(ecmaDot)
			i++
			continue
		case c == '(' && i+1 < len(p) && p[i+1] == '?':
			// Only non-capturing and named groups carry over; lookaround goes
			// to the ECMAScript engine, and inline flags are not ECMAScript.
			rest := p[i+2:]
			if strings.HasPrefix(rest, ":") {
				break
			}
			if strings.HasPrefix(rest, "<") && !strings.HasPrefix(rest, "<=") && !strings.HasPrefix(rest, "<!") {
				break
			}
			return "", false
		}
		b.WriteByte(c)
		i++
	}
	if inClass {
		return "", false
	}
	return b.String(), true
}

// translateEscape writes the Go form of the escape at p[i] (a backslash) and
// returns how many bytes it consumed.
func translateEscape(b *strings.Builder, p string, i int, inClass bool) (int, bool) {
	if i+1 >= len(p) {
		return 0, false
	}
	c := p[i+1]
	switch c {
	case 'd', 'D', 'w', 'W', 't', 'n', 'r', 'f', 'v':
		b.WriteString(p[i : i+2])
		return 2, true
	case 'b', 'B':
		if inClass {
			if c == 'B' {
				return 0, false
			}
			b.WriteString(`\x08`) // [\b] is backspace
			return 2, true
		}
		b.WriteString(p[i : i+2])
		return 2, true
	case 's':
		if inClass {
			b.WriteString(ecmaSpace)
		} else {
			b.WriteString("[" + ecmaSpace + "]")
		}
		return 2, true
	case 'S':
		if inClass {
			return 0, false // a negated set cannot be merged into a class
		}
		b.WriteString("[^" + ecmaSpace + "]")
		return 2, true
	case '0':
		if i+2 < len(p) && p[i+2] >= '0' && p[i+2] <= '9' {
			return 0, false // legacy octal
		}
		b.WriteString(`\x00`)
		return 2, true
	case 'c':
		if i+2 < len(p) && isASCIILetter(p[i+2]) {
			writeCodePoint(b, rune(p[i+2]%32))
			return 3, true
		}
		return 0, false
	case 'x':
		if i+3 < len(p) && isHex(p[i+2]) && isHex(p[i+3]) {
			b.WriteString(p[i : i+4])
			return 4, true
		}
		return 0, false
	case 'u':
		return translateUnicodeEscape(b, p, i)
	case 'p', 'P':
		// Go knows general categories and scripts by their short names;
		// anything it does not know fails there and goes to the fallback.
		if i+2 < len(p) && p[i+2] == '{' {
			end := strings.IndexByte(p[i:], '}')
			if end < 0 || strings.ContainsRune(p[i:i+end], '=') {
				return 0, false
			}
			b.WriteString(p[i : i+end+1])
			return end + 1, true
		}
		return 0, false
	}
	if strings.IndexByte(`^$\.*+?()[]{}|/-`, c) >= 0 {
		b.WriteString(p[i : i+2])
		return 2, true
	}
	// Back-references (\1, \k<name>) and identity escapes of letters (which
	// Go reads as \A, \z, \Q... and ECMAScript's unicode mode rejects).
	return 0, false
}

// translateUnicodeEscape handles \uXXXX, a \uXXXX\uXXXX surrogate pair and
// \u{X...}.
func translateUnicodeEscape(b *strings.Builder, p string, i int) (int, bool) {
	if i+2 < len(p) && p[i+2] == '{' {
		end := strings.IndexByte(p[i:], '}')
		if end < 4 || end > 10 {
			return 0, false
		}
		v, err := strconv.ParseUint(p[i+3:i+end], 16, 32)
		if err != nil || v > utf8.MaxRune || (v >= 0xd800 && v <= 0xdfff) {
			return 0, false
		}
		writeCodePoint(b, rune(v))
		return end + 1, true
	}
	hi, ok := hex4(p, i+2)
	if !ok {
		return 0, false
	}
	if hi < 0xd800 || hi > 0xdfff {
		writeCodePoint(b, hi)
		return 6, true
	}
	if hi <= 0xdbff && i+7 < len(p) && p[i+6] == '\\' && p[i+7] == 'u' {
		if lo, ok := hex4(p, i+8); ok && lo >= 0xdc00 && lo <= 0xdfff {
			writeCodePoint(b, 0x10000+(hi-0xd800)<<10+(lo-0xdc00))
			return 12, true
		}
	}
	return 0, false // a lone surrogate matches nothing in UTF-8 text
}

func hex4(p string, i int) (rune, bool) {
	if i+4 > len(p) {
		return 0, false
	}
	var v rune
	for _, c := range []byte(p[i : i+4]) {
		if !isHex(c) {
			return 0, false
		}
		v = v<<4 | rune(hexVal(c))
	}
	return v, true
}

func writeCodePoint(b *strings.Builder, r rune) {
	b.WriteString(`\x{`)
	b.WriteString(strconv.FormatInt(int64(r), 16))
	b.WriteByte('}')
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func isHex(c byte) bool { return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f' }

func hexVal(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return (c | 0x20) - 'a' + 10
}

// Replacements for \b and \B on the backtracking path: regexp2 counts every
// Unicode letter as a word character there, ECMAScript only [A-Za-z0-9_]
// (regexp2's \w in ECMAScript mode).
const (
	ecmaBoundary    = `(?:(?<=\w)(?!\w)|(?<!\w)(?=\w))`
	ecmaNonBoundary = `(?:(?<=\w)(?=\w)|(?<!\w)(?!\w))`
	// regexp2's "." in ECMAScript mode excludes "\n" and "\r" only.
	ecmaDotBacktracking = `[^\n\r\u2028\u2029]`
)

// prepareBacktracking rewrites the constructs regexp2 reads differently from
// ECMAScript: "." outside a class, and \b and \B.
func prepareBacktracking(p string) string {
	if !strings.ContainsAny(p, `.\`) {
		return p
	}
	var b strings.Builder
	b.Grow(len(p) + 16)
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			next := p[i+1]
			i++
			switch {
			case !inClass && next == 'b':
				b.WriteString(ecmaBoundary)
			case !inClass && next == 'B':
				b.WriteString(ecmaNonBoundary)
			default:
				b.WriteByte(c)
				b.WriteByte(next)
			}
			continue
		case inClass:
			if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
		case c == '.':
			b.WriteString(ecmaDotBacktracking)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
