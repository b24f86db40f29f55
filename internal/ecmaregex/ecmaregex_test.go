package ecmaregex

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestCompileMatch(t *testing.T) {
	tests := []struct {
		pattern      string
		backtracking bool
		match        []string
		noMatch      []string
	}{
		{`^(?!org\.bukkit\.)`, true, []string{"com.example.Plugin", ""}, []string{"org.bukkit.Plugin"}},
		{`^(?=.*[0-9])[a-z0-9]+$`, true, []string{"abc1"}, []string{"abc", "ABC1"}},
		{`(?<=\$)\d+`, true, []string{"$42"}, []string{"42"}},
		{`^(a+)\1$`, true, []string{"aaaa"}, []string{"aaa"}},
		{`^[^]$`, true, []string{"x", "\n"}, []string{"", "xy"}},
		{`^\d{3}$`, false, []string{"123"}, []string{"12", "1234", "١٢٣"}},
		{`^\w+$`, false, []string{"abc_9"}, []string{"é", "a-b"}},
		{`^[a-z]+-\d+$`, false, []string{"order-7"}, []string{"Order-7"}},
		{`^\p{L}+$`, false, []string{"Grüße", "日本"}, []string{"a1"}},
		{`^.{2}$`, false, []string{"日本", "é!"}, []string{"日本語"}},
		{`^\u00e9$`, false, []string{"é"}, []string{"e"}},
		{`^\s$`, false, []string{" ", "\t", "\u00a0", "\u2028", "\ufeff", "\u3000"}, []string{"x", "\u200b"}},
		{`^\S+$`, false, []string{"ab"}, []string{"a\u00a0b"}},
		{`^[\s,]+$`, false, []string{" ,\u2003"}, []string{"a"}},
		{`^[^\s]$`, false, []string{"a"}, []string{"\u00a0"}},
		{`^.$`, false, []string{"a", "日", "😀"}, []string{"\n", "\r", "\u2028", "\u2029"}},
		{`^[.]$`, false, []string{"."}, []string{"a"}},
		{`^\uD83D\uDE00$`, false, []string{"😀"}, []string{"\ufffd"}},
		{`^[\uD83D\uDE00-\uD83D\uDE4F]$`, false, []string{"🙂"}, []string{"a"}},
		{`^\u{1F600}$`, false, []string{"😀"}, []string{"x"}},
		{`^\cJ\0$`, false, []string{"\n\x00"}, []string{"cJ0"}},
		{`^[\b]$`, false, []string{"\b"}, []string{"b"}},
		{`^\x41\/\-$`, false, []string{"A/-"}, []string{"x41"}},
		{`^(?:ab)+(?<tail>c)?$`, false, []string{"abab", "abc"}, []string{"a"}},
		{`^[[a]$`, false, []string{"[", "a"}, []string{"b"}},
		{`\bword\b`, false, []string{"a word here"}, []string{"swordfish"}},
		{`^[^\S\n]$`, true, []string{" "}, []string{"\n", "x"}},
		{`^(?!\d)\p{L}{2}$`, true, []string{"日本"}, []string{"日"}},
		{`ab`, false, []string{"xxabyy"}, []string{"a b"}},
	}
	for _, tt := range tests {
		re, err := Compile(tt.pattern)
		if err != nil {
			t.Errorf("Compile(%q): %v", tt.pattern, err)
			continue
		}
		if got := re.String(); got != tt.pattern {
			t.Errorf("Compile(%q).String() = %q", tt.pattern, got)
		}
		if got := Backtracking(re); got != tt.backtracking {
			t.Errorf("Backtracking(%q) = %v, want %v", tt.pattern, got, tt.backtracking)
		}
		for _, s := range tt.match {
			if !re.MatchString(s) {
				t.Errorf("%q should match %q", tt.pattern, s)
			}
		}
		for _, s := range tt.noMatch {
			if re.MatchString(s) {
				t.Errorf("%q should not match %q", tt.pattern, s)
			}
		}
	}
}

func TestCompileErrors(t *testing.T) {
	for _, pattern := range []string{`(`, `[a-`, `a{2,1}`, `*a`, `a**`} {
		re, err := Compile(pattern)
		if err == nil {
			t.Errorf("Compile(%q) = %v, want error", pattern, re)
			continue
		}
		if re != nil {
			t.Errorf("Compile(%q) returned a non-nil Regexp with error", pattern)
		}
		if !strings.Contains(err.Error(), "ecmaregex: invalid pattern") {
			t.Errorf("Compile(%q) error %q does not name the pattern", pattern, err)
		}
	}
	if _, err := CompileTimeout(`a`, 0); err == nil {
		t.Error("CompileTimeout with zero timeout should fail")
	}
}

func TestMustCompilePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustCompile of an invalid pattern did not panic")
		}
	}()
	MustCompile(`(`)
}

// TestTimeoutIsNoMatch uses a pattern that matches every input of only "a"s,
// but only after the negative lookahead has failed, which takes exponential
// time in the input length. A short input matches; a long one times out and
// must report no match instead of hanging.
func TestTimeoutIsNoMatch(t *testing.T) {
	re, err := CompileTimeout(`^(?!(a+)+b$)a*$`, 5*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if !Backtracking(re) {
		t.Fatal("pattern should need the backtracking engine")
	}
	if !re.MatchString("aaaa") {
		t.Fatal("short input should match")
	}
	if re.MatchString(strings.Repeat("a", 64)) {
		t.Fatal("a match that exceeds the timeout must report no match")
	}
}

// TestGoOnlySyntaxNotOnGoPath: constructs Go accepts but ECMAScript reads
// differently or rejects never take the Go path.
func TestGoOnlySyntaxNotOnGoPath(t *testing.T) {
	for _, pattern := range []string{`(?i)abc`, `a\z`, `\Aa`, `[[:alpha:]]`, `\pL`, `\Qa.b\E`, `(?P<n>a)`, `[]a]`, `[^]a]`, `a\1`, `(?s).`} {
		re, err := Compile(pattern)
		if err == nil && !Backtracking(re) {
			t.Errorf("%q compiled on the Go path", pattern)
		}
	}
}

// TestEnginesAgree compares the Go path with the backtracking path on
// patterns both accept, over seeded random inputs that include every line
// terminator and non-ASCII letters next to word boundaries.
func TestEnginesAgree(t *testing.T) {
	patterns := []string{
		`^\s*[a-z]+\s*$`, `\S+@\S+`, `^[\w.-]+$`, `^\d{2,4}$`, `^[^\s]*$`, `^a.c$`, `^[a-z]+\.[a-z]+$`,
		`^[\u00e0-\u00ff]+$`, `^(?:[A-Z][a-z]*)(?:-[A-Z][a-z]*)*$`, `^\p{L}+$`, `😀|\u{1F600}`, `[\s\d]{3}`,
		`\bé`, `é\b`, `\Bc`, `\ba`, `^.+$`, `a.b`, `[.\b]`,
	}
	alphabet := []rune("aZz09_ -.\t\u00a0é😀[]\nAbc@\u2003x\r\u2028\u2029\u0085\b")
	rng := rand.New(rand.NewPCG(7, 11))
	inputs := []string{""}
	for range 400 {
		n := rng.IntN(8)
		var b strings.Builder
		for range n {
			b.WriteRune(alphabet[rng.IntN(len(alphabet))])
		}
		inputs = append(inputs, b.String())
	}
	for _, pattern := range patterns {
		fast, ok := compileGo(pattern)
		if !ok {
			t.Fatalf("%q: want the Go path", pattern)
		}
		slow, err := compileBacktracking(pattern, time.Second)
		if err != nil {
			t.Fatalf("%q: backtracking path: %v", pattern, err)
		}
		for _, s := range inputs {
			if got, want := fast.MatchString(s), slow.MatchString(s); got != want {
				t.Errorf("%q on %q: Go path %v, backtracking path %v", pattern, s, got, want)
			}
		}
	}
}

// A timeout that regexp2 reports before the budget has passed by the wall
// clock is its starved clock catching up: the match runs again and its real
// answer counts. A timeout after the whole budget is believed at once.
func TestMatchBoundedRetriesSpuriousTimeouts(t *testing.T) {
	errTimeout := errors.New("match timeout")
	const budget = 100 * time.Millisecond
	var clock time.Time
	now := func() time.Time { return clock }

	calls := 0
	spuriousThenMatch := func() (bool, error) {
		calls++
		clock = clock.Add(time.Millisecond) // far less than the budget
		if calls < 3 {
			return false, errTimeout
		}
		return true, nil
	}
	if !matchBounded(budget, now, spuriousThenMatch) {
		t.Error("a match cut short twice before its budget, then matching, reported no match")
	}
	if calls != 3 {
		t.Errorf("match ran %d times, want 3", calls)
	}

	calls = 0
	genuine := func() (bool, error) {
		calls++
		clock = clock.Add(budget)
		return false, errTimeout
	}
	if matchBounded(budget, now, genuine) {
		t.Error("a genuine timeout reported a match")
	}
	if calls != 1 {
		t.Errorf("a genuine timeout ran the match %d times, want 1", calls)
	}

	calls = 0
	alwaysSpurious := func() (bool, error) {
		calls++
		return false, errTimeout
	}
	if matchBounded(budget, now, alwaysSpurious) {
		t.Error("a timeout that keeps recurring reported a match")
	}
	if calls != spuriousRetries+1 {
		t.Errorf("a recurring timeout ran the match %d times, want %d", calls, spuriousRetries+1)
	}
}
