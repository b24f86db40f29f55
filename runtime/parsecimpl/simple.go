package parsecimpl

import (
	"regexp/syntax"
	"unicode/utf8"
)

// simpleMatcher matches the anchored patterns that dominate real schemas
// (`^[A-Z]{3}$`, `^[a-z][a-z0-9_.]*$`, `^\d+\.\d+\.\d+$`) without the general
// regexp machinery: a sequence of atoms, each a set of code points repeated
// between min and max times, matched greedily left to right.
//
// Greedy matching without backtracking gives the same answer as a full
// regular expression engine only when no variable-length atom can take a code
// point that a later atom it may be directly followed by needs;
// compileSimple accepts a pattern only under that condition and otherwise
// leaves it to the general engine.
type simpleMatcher struct {
	atoms []atom
}

type atom struct {
	ascii [2]uint64 // code points below 128
	high  []rune    // ranges of code points >= 128, as lo, hi pairs
	min   int
	max   int // -1: unbounded
}

func (a *atom) has(r rune) bool {
	if r < 128 {
		return a.ascii[r>>6]&(1<<(r&63)) != 0
	}
	for i := 0; i < len(a.high); i += 2 {
		if a.high[i] <= r && r <= a.high[i+1] {
			return true
		}
	}
	return false
}

func (a *atom) addRange(lo, hi rune) {
	for ; lo <= hi && lo < 128; lo++ {
		a.ascii[lo>>6] |= 1 << (lo & 63)
	}
	if lo <= hi {
		a.high = append(a.high, lo, hi)
	}
}

func (a *atom) intersects(b *atom) bool {
	if a.ascii[0]&b.ascii[0] != 0 || a.ascii[1]&b.ascii[1] != 0 {
		return true
	}
	for i := 0; i < len(a.high); i += 2 {
		for j := 0; j < len(b.high); j += 2 {
			if a.high[i] <= b.high[j+1] && b.high[j] <= a.high[i+1] {
				return true
			}
		}
	}
	return false
}

// compileSimple returns a matcher for src, or nil when src is not of the
// simple form. src must already be known to compile with Go's regexp package,
// whose semantics the matcher reproduces.
func compileSimple(src string) *simpleMatcher {
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil || re.Op != syntax.OpConcat || len(re.Sub) < 2 {
		return nil
	}
	subs := re.Sub
	if subs[0].Op != syntax.OpBeginText || subs[len(subs)-1].Op != syntax.OpEndText {
		return nil
	}
	m := &simpleMatcher{}
	for _, s := range subs[1 : len(subs)-1] {
		switch s.Op {
		case syntax.OpLiteral:
			if s.Flags&syntax.FoldCase != 0 {
				return nil
			}
			for _, r := range s.Rune {
				a := atom{min: 1, max: 1}
				a.addRange(r, r)
				m.atoms = append(m.atoms, a)
			}
			continue
		case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
			if s.Flags&syntax.NonGreedy != 0 {
				return nil
			}
			a, ok := single(s.Sub[0])
			if !ok {
				return nil
			}
			switch s.Op {
			case syntax.OpStar:
				a.min, a.max = 0, -1
			case syntax.OpPlus:
				a.min, a.max = 1, -1
			case syntax.OpQuest:
				a.min, a.max = 0, 1
			default:
				a.min, a.max = s.Min, s.Max
			}
			m.atoms = append(m.atoms, a)
			continue
		}
		a, ok := single(s)
		if !ok {
			return nil
		}
		a.min, a.max = 1, 1
		m.atoms = append(m.atoms, a)
	}
	// The greedy condition: a variable atom must not share a code point with
	// any atom that can directly follow it.
	for i := range m.atoms {
		if m.atoms[i].min == m.atoms[i].max {
			continue
		}
		for j := i + 1; j < len(m.atoms); j++ {
			if m.atoms[i].intersects(&m.atoms[j]) {
				return nil
			}
			if m.atoms[j].min > 0 {
				break
			}
		}
	}
	return m
}

// single converts a one-code-point expression to an atom.
func single(s *syntax.Regexp) (atom, bool) {
	var a atom
	switch s.Op {
	case syntax.OpLiteral:
		if len(s.Rune) != 1 || s.Flags&syntax.FoldCase != 0 {
			return a, false
		}
		a.addRange(s.Rune[0], s.Rune[0])
	case syntax.OpCharClass:
		for i := 0; i < len(s.Rune); i += 2 {
			a.addRange(s.Rune[i], s.Rune[i+1])
		}
	case syntax.OpAnyCharNotNL:
		a.addRange(0, '\n'-1)
		a.addRange('\n'+1, utf8.MaxRune)
	case syntax.OpAnyChar:
		a.addRange(0, utf8.MaxRune)
	default:
		return a, false
	}
	return a, true
}

// MatchString reports whether the whole of s matches.
func (m *simpleMatcher) MatchString(s string) bool {
	pos := 0
	for i := range m.atoms {
		a := &m.atoms[i]
		n := 0
		for pos < len(s) && (a.max < 0 || n < a.max) {
			r, size := rune(s[pos]), 1
			if r >= utf8.RuneSelf {
				r, size = utf8.DecodeRuneInString(s[pos:])
			}
			if !a.has(r) {
				break
			}
			pos += size
			n++
		}
		if n < a.min {
			return false
		}
	}
	return pos == len(s)
}
