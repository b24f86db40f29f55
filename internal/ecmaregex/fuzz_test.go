package ecmaregex

import (
	"testing"
	"time"
)

// FuzzCompile checks that no pattern makes Compile or MatchString panic, and
// that a compiled pattern reports its source.
func FuzzCompile(f *testing.F) {
	for _, seed := range []string{`^(?!org\.bukkit\.)`, `\u{1F600}`, `[\uD83D\uDE00-\uD83D\uDE4F]`, `\cJ\0[\b]`,
		`[^\S\n]`, `(?<n>a)\k<n>`, `\p{L}\P{Lu}`, `[[:alpha:]]`, `\`, `[`, `\u{`, `\uD83D`, `(?`, `a{2,1}`} {
		f.Add(seed, "aé😀 \n")
	}
	f.Fuzz(func(t *testing.T, pattern, input string) {
		re, err := CompileTimeout(pattern, 20*time.Millisecond)
		if err != nil {
			return
		}
		if re.String() != pattern {
			t.Fatalf("String() = %q, want %q", re.String(), pattern)
		}
		re.MatchString(input)
	})
}

// FuzzEnginesAgree compares the Go path with the backtracking path on every
// pattern both accept.
func FuzzEnginesAgree(f *testing.F) {
	for _, seed := range []string{`^\s*[a-z]+$`, `\u{1F600}`, `[\uD83D\uDE00-\uD83D\uDE4F]`, `\cJ\0[\b]`, `^[\w.-]+$`,
		`a{2,3}`, `[^\s]`, `\S+`, `\bé.`, `\B.`} {
		f.Add(seed, "aé😀 \n\u00a0\r\u2028")
	}
	f.Fuzz(func(t *testing.T, pattern, input string) {
		fast, ok := compileGo(pattern)
		if !ok {
			return
		}
		slow, err := compileBacktracking(pattern, time.Second)
		if err != nil {
			return
		}
		if got, want := fast.MatchString(input), slow.MatchString(input); got != want {
			goPattern, _ := translate(pattern)
			t.Fatalf("%q (Go %q) on %q: Go path %v, backtracking path %v", pattern, goPattern, input, got, want)
		}
	})
}
