// Package channel implements Parsec's channel pattern grammar: parsing a
// pattern, matching a channel name against it with the bindings of its
// variables, building a channel name from values, and choosing the most
// specific of several patterns that match one channel.
//
// A pattern is a sequence of segments separated by '.' or ':' (the
// separators are part of the pattern and must appear in the channel as
// written). A segment is one of:
//
//	literal   letters, digits and any byte but '.', ':', '{', '}', '*'; matches itself
//	{name}    binds one non-empty segment to name (a Go-style identifier)
//	*         matches one non-empty segment
//	**        matches one or more trailing segments (last segment only)
//
// A segment may not mix a literal and a wildcard ("user*" and "{id}x" are
// errors), a variable name may appear once, and no segment is empty.
//
// When several patterns match a channel the most specific wins: each
// segment scores literal 4, {var} 2, * 1, ** 0, the highest sum wins, and a
// tie goes to the pattern whose string sorts first.
package channel

import (
	"errors"
	"fmt"
	"strings"
)

// Kind is what a pattern segment matches.
type Kind int

// The segment kinds, with their specificity scores in Score.
const (
	Literal    Kind = iota + 1 // text that matches itself
	Var                        // {name}: one segment, bound to name
	Star                       // *: one segment
	DoubleStar                 // **: one or more trailing segments
)

// String returns the kind's name.
func (k Kind) String() string {
	switch k {
	case Literal:
		return "literal"
	case Var:
		return "var"
	case Star:
		return "*"
	case DoubleStar:
		return "**"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Score is the kind's specificity per segment.
func (k Kind) Score() int {
	switch k {
	case Literal:
		return 4
	case Var:
		return 2
	case Star:
		return 1
	}
	return 0
}

// Segment is one segment of a pattern.
type Segment struct {
	Kind Kind
	// Text is the literal text, or the variable name of a Var.
	Text string
	// Sep is the separator before the segment ('.' or ':'); 0 for the first.
	Sep byte
}

// Pattern is a parsed channel pattern. Its methods are safe for concurrent
// use.
type Pattern struct {
	src  string
	segs []Segment
	vars []string
}

// ErrSyntax is wrapped by every error Parse returns.
var ErrSyntax = errors.New("invalid channel pattern")

// Parse parses a channel pattern.
func Parse(pattern string) (*Pattern, error) {
	if pattern == "" {
		return nil, fmt.Errorf("%w %q: empty", ErrSyntax, pattern)
	}
	p := &Pattern{src: pattern}
	seen := map[string]bool{}
	var sep byte
	start := 0
	for i := 0; i <= len(pattern); i++ {
		if i < len(pattern) && !isSep(pattern[i]) {
			continue
		}
		seg, err := parseSegment(pattern[start:i])
		if err != nil {
			return nil, fmt.Errorf("%w %q: segment %d: %s", ErrSyntax, pattern, len(p.segs)+1, err)
		}
		seg.Sep = sep
		if len(p.segs) > 0 && p.segs[len(p.segs)-1].Kind == DoubleStar {
			return nil, fmt.Errorf("%w %q: ** must be the last segment", ErrSyntax, pattern)
		}
		if seg.Kind == Var {
			if seen[seg.Text] {
				return nil, fmt.Errorf("%w %q: variable %q appears twice", ErrSyntax, pattern, seg.Text)
			}
			seen[seg.Text] = true
			p.vars = append(p.vars, seg.Text)
		}
		p.segs = append(p.segs, seg)
		if i < len(pattern) {
			sep = pattern[i]
		}
		start = i + 1
	}
	return p, nil
}

// MustParse is Parse that panics on error, for patterns known to be valid.
func MustParse(pattern string) *Pattern {
	p, err := Parse(pattern)
	if err != nil {
		panic(err)
	}
	return p
}

func isSep(c byte) bool { return c == '.' || c == ':' }

func parseSegment(s string) (Segment, error) {
	switch {
	case s == "":
		return Segment{}, errors.New("empty segment")
	case s == "*":
		return Segment{Kind: Star}, nil
	case s == "**":
		return Segment{Kind: DoubleStar}, nil
	case s[0] == '{' && s[len(s)-1] == '}' && len(s) > 1:
		name := s[1 : len(s)-1]
		if !isIdent(name) {
			return Segment{}, fmt.Errorf("variable name %q: want a letter or '_' followed by letters, digits or '_'", name)
		}
		return Segment{Kind: Var, Text: name}, nil
	case strings.ContainsAny(s, "{}*"):
		return Segment{}, fmt.Errorf("%q mixes a literal with a wildcard or variable (a segment is a literal, {name}, * or ** alone)", s)
	}
	return Segment{Kind: Literal, Text: s}, nil
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// String returns the pattern as written.
func (p *Pattern) String() string { return p.src }

// Segments returns the pattern's segments in order.
func (p *Pattern) Segments() []Segment { return append([]Segment(nil), p.segs...) }

// Vars returns the names of the pattern's variables in order.
func (p *Pattern) Vars() []string { return append([]string(nil), p.vars...) }

// Specificity is the sum of the segments' scores (see Kind.Score).
func (p *Pattern) Specificity() int {
	n := 0
	for _, s := range p.segs {
		n += s.Kind.Score()
	}
	return n
}

// Bindings maps a pattern's variable names to the segments they matched.
type Bindings map[string]string

// Match reports whether channel matches the pattern and returns the
// bindings of its variables (empty, not nil, for a pattern without any).
func (p *Pattern) Match(channel string) (Bindings, bool) {
	b := make(Bindings, len(p.vars))
	rest := channel
	for i, seg := range p.segs {
		if i > 0 {
			if rest == "" || rest[0] != seg.Sep {
				return nil, false
			}
			rest = rest[1:]
		}
		if seg.Kind == DoubleStar {
			// One or more segments: the rest must be non-empty segments.
			if !validTail(rest) {
				return nil, false
			}
			return b, true
		}
		end := strings.IndexAny(rest, ".:")
		if end < 0 {
			end = len(rest)
		}
		text := rest[:end]
		rest = rest[end:]
		if text == "" {
			return nil, false
		}
		switch seg.Kind {
		case Literal:
			if text != seg.Text {
				return nil, false
			}
		case Var:
			b[seg.Text] = text
		case Star:
		default:
			panic("unreachable: segment kind " + seg.Kind.String())
		}
	}
	if rest != "" {
		return nil, false
	}
	return b, true
}

// validTail reports whether s is one or more non-empty segments.
func validTail(s string) bool {
	if s == "" {
		return false
	}
	prev := true // at the start of a segment
	for i := 0; i < len(s); i++ {
		if isSep(s[i]) {
			if prev {
				return false
			}
			prev = true
			continue
		}
		prev = false
	}
	return !prev
}

// Build returns the channel for the pattern with values, one per
// non-literal segment in order: a variable's or a '*' segment's value is one
// segment, the '**' value one or more segments ("a.b"). A value that is not
// what its segment matches is an error, so the result always matches p.
func (p *Pattern) Build(values ...string) (string, error) {
	want := 0
	for _, s := range p.segs {
		if s.Kind != Literal {
			want++
		}
	}
	if len(values) != want {
		return "", fmt.Errorf("channel pattern %q: %d values for %d wildcard segments", p.src, len(values), want)
	}
	var b strings.Builder
	v := 0
	for _, s := range p.segs {
		if s.Sep != 0 {
			b.WriteByte(s.Sep)
		}
		if s.Kind == Literal {
			b.WriteString(s.Text)
			continue
		}
		val := values[v]
		v++
		switch {
		case s.Kind == DoubleStar && !validTail(val):
			return "", fmt.Errorf("channel pattern %q: value %q for **: want one or more non-empty segments", p.src, val)
		case s.Kind != DoubleStar && (val == "" || strings.ContainsAny(val, ".:")):
			return "", fmt.Errorf("channel pattern %q: value %q for %s: want one non-empty segment without '.' or ':'", p.src, val, segName(s))
		}
		b.WriteString(val)
	}
	return b.String(), nil
}

func segName(s Segment) string {
	if s.Kind == Var {
		return "{" + s.Text + "}"
	}
	return s.Kind.String()
}

// Compare orders patterns most specific first, ties by pattern string: it
// returns a negative number when a wins over b.
func Compare(a, b *Pattern) int {
	if sa, sb := a.Specificity(), b.Specificity(); sa != sb {
		return sb - sa
	}
	return strings.Compare(a.src, b.src)
}

// Best returns the index in patterns of the most specific pattern that
// matches channel, with its bindings; -1 when none matches.
func Best(patterns []*Pattern, channel string) (int, Bindings) {
	best := -1
	var bind Bindings
	for i, p := range patterns {
		b, ok := p.Match(channel)
		if !ok {
			continue
		}
		if best < 0 || Compare(p, patterns[best]) < 0 {
			best, bind = i, b
		}
	}
	return best, bind
}
