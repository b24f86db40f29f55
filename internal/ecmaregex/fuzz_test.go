package ecmaregex

import (
	"strings"
	"testing"
	"time"

	"github.com/dlclark/regexp2"
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

// FuzzEnginesAgree compares the Go path with the ECMAScript engine on every
// pattern both accept. Left out are the two places where regexp2 departs from
// ECMAScript: word characters (it counts non-ASCII letters for \b and \w)
// and "." next to "\r", U+2028, U+2029 or U+0085.
func FuzzEnginesAgree(f *testing.F) {
	for _, seed := range []string{`^\s*[a-z]+$`, `\u{1F600}`, `[\uD83D\uDE00-\uD83D\uDE4F]`, `\cJ\0[\b]`, `^[\w.-]+$`, `a{2,3}`, `[^\s]`, `\S+`} {
		f.Add(seed, "aé😀 \n\u00a0")
	}
	f.Fuzz(func(t *testing.T, pattern, input string) {
		if strings.Contains(pattern, `\b`) || strings.Contains(pattern, `\B`) || strings.Contains(pattern, `\w`) || strings.Contains(pattern, `\W`) {
			return
		}
		if strings.ContainsAny(input, "\r\u2028\u2029\u0085") {
			return
		}
		re, err := Compile(pattern)
		if err != nil || Backtracking(re) {
			return
		}
		ref, err := regexp2.Compile(pattern, regexp2.ECMAScript|regexp2.Unicode)
		if err != nil {
			return
		}
		want, err := ref.MatchString(input)
		if err != nil {
			return
		}
		if got := re.MatchString(input); got != want {
			g, _ := translate(pattern)
			t.Fatalf("%q (go %q) on %q: go %v, regexp2 %v", pattern, g, input, got, want)
		}
	})
}
