package load

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Pos is a 1-based line and column (columns count bytes, as Go does).
type Pos struct {
	Line, Col int
}

// Index maps the JSON pointers of one document to where their values are
// written and keeps the order in which each object's keys are written.
type Index struct {
	pos  map[string]Pos
	keys map[string][]string
}

// Pos returns where the value at the JSON pointer ptr starts.
func (ix *Index) Pos(ptr string) (Pos, bool) {
	p, ok := ix.pos[ptr]
	return p, ok
}

// Keys returns the keys of the object at ptr in the order they are written.
func (ix *Index) Keys(ptr string) []string {
	return ix.keys[ptr]
}

// SyntaxError is malformed JSON at a position.
type SyntaxError struct {
	Pos Pos
	Msg string
}

// Error returns "line:col: msg".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%d:%d: %s", e.Pos.Line, e.Pos.Col, e.Msg)
}

// Parse decodes one JSON document into the values encoding/json produces
// with UseNumber (map[string]any, []any, json.Number, string, bool, nil) and
// indexes it. A duplicate object key is an error.
func Parse(data []byte) (any, *Index, error) {
	p := &parser{data: data, line: 1, lineStart: 0,
		ix: &Index{pos: make(map[string]Pos), keys: make(map[string][]string)}}
	p.skipSpace()
	v, err := p.value("", 0)
	if err != nil {
		return nil, nil, err
	}
	p.skipSpace()
	if p.i < len(p.data) {
		return nil, nil, p.errorf("unexpected %q after the top-level value", p.data[p.i])
	}
	return v, p.ix, nil
}

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 10000

type parser struct {
	data      []byte
	i         int
	line      int
	lineStart int
	ix        *Index
}

func (p *parser) pos() Pos {
	return Pos{Line: p.line, Col: p.i - p.lineStart + 1}
}

func (p *parser) errorf(format string, args ...any) error {
	return &SyntaxError{Pos: p.pos(), Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) skipSpace() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case '\n':
			p.line++
			p.lineStart = p.i + 1
		case ' ', '\t', '\r':
		default:
			return
		}
		p.i++
	}
}

// EscapePointerToken escapes one JSON pointer reference token.
func EscapePointerToken(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func (p *parser) value(ptr string, depth int) (any, error) {
	if depth > maxDepth {
		return nil, p.errorf("nesting deeper than %d", maxDepth)
	}
	if p.i >= len(p.data) {
		return nil, p.errorf("unexpected end of input, want a value")
	}
	p.ix.pos[ptr] = p.pos()
	switch c := p.data[p.i]; {
	case c == '{':
		return p.object(ptr, depth)
	case c == '[':
		p.i++
		arr := []any{}
		p.skipSpace()
		if p.i < len(p.data) && p.data[p.i] == ']' {
			p.i++
			return arr, nil
		}
		for {
			p.skipSpace()
			v, err := p.value(fmt.Sprintf("%s/%d", ptr, len(arr)), depth+1)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
			p.skipSpace()
			if p.i >= len(p.data) {
				return nil, p.errorf("unexpected end of input, want ',' or ']'")
			}
			if p.data[p.i] == ']' {
				p.i++
				return arr, nil
			}
			if p.data[p.i] != ',' {
				return nil, p.errorf("unexpected %q, want ',' or ']'", p.data[p.i])
			}
			p.i++
		}
	case c == '"':
		return p.str()
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	default:
		return nil, p.errorf("unexpected %q, want a value", c)
	}
}

func (p *parser) object(ptr string, depth int) (any, error) {
	p.i++
	obj := map[string]any{}
	keys := []string{}
	p.skipSpace()
	if p.i < len(p.data) && p.data[p.i] == '}' {
		p.i++
		p.ix.keys[ptr] = keys
		return obj, nil
	}
	for {
		p.skipSpace()
		if p.i >= len(p.data) || p.data[p.i] != '"' {
			if p.i >= len(p.data) {
				return nil, p.errorf("unexpected end of input, want an object key")
			}
			return nil, p.errorf("unexpected %q, want an object key", p.data[p.i])
		}
		keyPos := p.pos()
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		if _, dup := obj[k]; dup {
			return nil, &SyntaxError{Pos: keyPos, Msg: fmt.Sprintf("duplicate key %q", k)}
		}
		p.skipSpace()
		if p.i >= len(p.data) || p.data[p.i] != ':' {
			return nil, p.errorf("want ':' after object key %q", k)
		}
		p.i++
		p.skipSpace()
		v, err := p.value(ptr+"/"+EscapePointerToken(k), depth+1)
		if err != nil {
			return nil, err
		}
		obj[k] = v
		keys = append(keys, k)
		p.skipSpace()
		if p.i >= len(p.data) {
			return nil, p.errorf("unexpected end of input, want ',' or '}'")
		}
		if p.data[p.i] == '}' {
			p.i++
			p.ix.keys[ptr] = keys
			return obj, nil
		}
		if p.data[p.i] != ',' {
			return nil, p.errorf("unexpected %q, want ',' or '}'", p.data[p.i])
		}
		p.i++
	}
}

func (p *parser) literal(lit string) error {
	if len(p.data)-p.i < len(lit) || string(p.data[p.i:p.i+len(lit)]) != lit {
		return p.errorf("invalid literal, want %q", lit)
	}
	p.i += len(lit)
	return nil
}

func (p *parser) str() (string, error) {
	start := p.i
	p.i++ // opening quote
	escaped := false
	for p.i < len(p.data) {
		c := p.data[p.i]
		switch {
		case c == '"':
			p.i++
			raw := p.data[start:p.i]
			if !escaped && utf8.Valid(raw) {
				return string(raw[1 : len(raw)-1]), nil
			}
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				p.i = start
				return "", p.errorf("invalid string: %v", err)
			}
			return s, nil
		case c == '\\':
			escaped = true
			p.i += 2
		case c < 0x20:
			return "", p.errorf("control character %q in string", c)
		default:
			p.i++
		}
	}
	p.i = start
	return "", p.errorf("unterminated string")
}

func (p *parser) number() (any, error) {
	start := p.i
	digits := func() int {
		n := 0
		for p.i < len(p.data) && p.data[p.i] >= '0' && p.data[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.data[p.i] == '-' {
		p.i++
	}
	if p.i < len(p.data) && p.data[p.i] == '0' {
		p.i++
	} else if digits() == 0 {
		p.i = start
		return nil, p.errorf("invalid number")
	}
	if p.i < len(p.data) && p.data[p.i] == '.' {
		p.i++
		if digits() == 0 {
			p.i = start
			return nil, p.errorf("invalid number: want digits after '.'")
		}
	}
	if p.i < len(p.data) && (p.data[p.i] == 'e' || p.data[p.i] == 'E') {
		p.i++
		if p.i < len(p.data) && (p.data[p.i] == '+' || p.data[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			p.i = start
			return nil, p.errorf("invalid number: want digits in the exponent")
		}
	}
	return json.Number(p.data[start:p.i]), nil
}
