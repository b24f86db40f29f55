package ecmaregex

import (
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
		{`^\u00e9$`, true, []string{"é"}, []string{"e"}},
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
