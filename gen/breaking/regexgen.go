package breaking

import (
	"regexp/syntax"
	"strings"
)

// patternSamples returns up to three strings that a pattern is likely to
// match: the shortest, one taking the other branches, and a longer one. They
// are only candidates: every witness is checked with the real validator.
func patternSamples(pattern string) []string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	re = re.Simplify()
	var out []string
	for variant := 0; variant < 3; variant++ {
		var b strings.Builder
		if sample(&b, re, variant, 0) {
			out = append(out, b.String())
		}
	}
	return out
}

func sample(b *strings.Builder, re *syntax.Regexp, variant, depth int) bool {
	if depth > 50 || b.Len() > 256 {
		return false
	}
	switch re.Op {
	case syntax.OpNoMatch:
		return false
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	case syntax.OpLiteral:
		b.WriteString(string(re.Rune))
		return true
	case syntax.OpCharClass:
		r, ok := classRune(re.Rune, variant)
		if ok {
			b.WriteRune(r)
		}
		return ok
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteByte("abc"[variant])
		return true
	case syntax.OpCapture:
		return sample(b, re.Sub[0], variant, depth+1)
	case syntax.OpStar, syntax.OpQuest, syntax.OpPlus, syntax.OpRepeat:
		lo, hi := 0, -1
		switch re.Op {
		case syntax.OpQuest:
			hi = 1
		case syntax.OpPlus:
			lo = 1
		case syntax.OpRepeat:
			lo, hi = re.Min, re.Max
		}
		n := lo
		switch variant {
		case 1:
			if hi < 0 || lo+1 <= hi {
				n = lo + 1
			}
		case 2:
			n = lo + 3
			if hi >= 0 && n > hi {
				n = hi
			}
		}
		for i := 0; i < n; i++ {
			if !sample(b, re.Sub[0], variant, depth+1) {
				return false
			}
		}
		return true
	case syntax.OpConcat:
		for _, s := range re.Sub {
			if !sample(b, s, variant, depth+1) {
				return false
			}
		}
		return true
	case syntax.OpAlternate:
		i := 0
		if variant > 0 {
			i = len(re.Sub) - 1
		}
		return sample(b, re.Sub[i], variant, depth+1)
	}
	return false
}

// classRune picks a readable rune of a character class (pairs of lo, hi).
func classRune(ranges []rune, variant int) (rune, bool) {
	if len(ranges) < 2 {
		return 0, false
	}
	prefer := []rune{'a', 'b', '0', '1', 'A', 'B', '_', '-'}
	if variant > 0 {
		prefer = []rune{'z', '9', 'Z', 'b', '1', 'B', '.', '-'}
	}
	for _, p := range prefer {
		for i := 0; i+1 < len(ranges); i += 2 {
			if ranges[i] <= p && p <= ranges[i+1] {
				return p, true
			}
		}
	}
	for i := 0; i+1 < len(ranges); i += 2 {
		if ranges[i] >= 0x20 && ranges[i] != 0x7f {
			return ranges[i], true
		}
		if ranges[i+1] >= 0x20 {
			return 0x20, true
		}
	}
	return ranges[0], true
}
