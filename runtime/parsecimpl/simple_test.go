package parsecimpl

import (
	"math/rand/v2"
	"regexp"
	"testing"
)

// TestSimpleMatcherAgreesWithRegexp compares the fast path with Go's regexp
// on seeded random strings drawn from an alphabet that exercises every class.
func TestSimpleMatcherAgreesWithRegexp(t *testing.T) {
	simple := []string{
		`^[A-Z]{3}$`, `^[A-Z0-9-]{3,32}$`, `^[a-z][a-z0-9_.]*$`, `^\d+\.\d+\.\d+$`,
		`^v?\d+$`, `^[^/]+/[^/]+$`, `^é+x$`, `^.{2,4}$`, `^\w+-\d{1,3}$`, `^ab?c$`, `^$`,
	}
	notSimple := []string{
		`^[a-z]+[a-z0-9]*$`, // overlapping variable atoms
		`^a*b?a$`,           // a* may need to leave an a for the end
		`[A-Z]{3}`,          // unanchored
		`^(ab)+$`,           // group repetition
		`^a|b$`,             // alternation
		`^(?i)abc$`,         // case folding
		`^a+?b$`,            // non-greedy
	}
	for _, src := range notSimple {
		if compileSimple(src) != nil {
			t.Errorf("compileSimple(%q) accepted a pattern greedy matching gets wrong", src)
		}
	}
	alphabet := []rune("aAbcxzZ09-_./é\n")
	rng := rand.New(rand.NewPCG(1, 2))
	for _, src := range simple {
		m := compileSimple(src)
		if m == nil {
			t.Errorf("compileSimple(%q) = nil, want a matcher", src)
			continue
		}
		re := regexp.MustCompile(src)
		for range 3000 {
			n := rng.IntN(8)
			rs := make([]rune, n)
			for i := range rs {
				rs[i] = alphabet[rng.IntN(len(alphabet))]
			}
			s := string(rs)
			if got, want := m.MatchString(s), re.MatchString(s); got != want {
				t.Errorf("%q on %q: fast path %v, regexp %v", src, s, got, want)
			}
		}
	}
}

func TestPatternUsesFastPath(t *testing.T) {
	p := NewPattern(`^[A-Z]{3}$`)
	if p.Err() != nil || p.simple == nil {
		t.Fatal("fast path not used for a simple pattern")
	}
	if !p.MatchString("EUR") || p.MatchString("EURO") || p.MatchString("eur") {
		t.Error("fast path answers wrongly")
	}
}

func BenchmarkPattern(b *testing.B) {
	const src, in = `^[A-Z0-9-]{3,32}$`, "SKU-10042-BLK"
	b.Run("regexp", func(b *testing.B) {
		re := regexp.MustCompile(src)
		for b.Loop() {
			if !re.MatchString(in) {
				b.Fatal("no match")
			}
		}
	})
	b.Run("pattern", func(b *testing.B) {
		p := NewPattern(src)
		for b.Loop() {
			if p.Check(in) != nil {
				b.Fatal("no match")
			}
		}
	})
}
