package parsecimpl

import (
	"strings"
	"testing"
)

func TestLengthsCountCodePoints(t *testing.T) {
	const s = "héllo😀" // 6 code points, 10 bytes
	if CheckMinLength(s, 6) != nil || CheckMinLength(s, 7) == nil {
		t.Error("minLength does not count code points")
	}
	if CheckMaxLength(s, 6) != nil || CheckMaxLength(s, 5) == nil {
		t.Error("maxLength does not count code points")
	}
	if RuneCount(s) != 6 {
		t.Errorf("RuneCount = %d", RuneCount(s))
	}
	if err := CheckMaxLength(s, 5); err == nil || !strings.Contains(err.Error(), "length 6 is greater than maxLength 5") {
		t.Errorf("err = %v", err)
	}
}

func TestBounds(t *testing.T) {
	tests := []struct {
		name string
		err  error
		bad  bool
	}{
		{"min ok", CheckMinimum[int64](3, 3), false},
		{"min bad", CheckMinimum[int64](2, 3), true},
		{"max ok", CheckMaximum(2.5, 2.5), false},
		{"max bad", CheckMaximum(2.6, 2.5), true},
		{"xmin bad", CheckExclusiveMinimum[int32](3, 3), true},
		{"xmin ok", CheckExclusiveMinimum[int32](4, 3), false},
		{"xmax bad", CheckExclusiveMaximum[uint64](3, 3), true},
		{"xmax ok", CheckExclusiveMaximum[uint64](2, 3), false},
		{"mult int ok", CheckMultipleOfInt[int64](15, 5), false},
		{"mult int bad", CheckMultipleOfInt[int64](16, 5), true},
		{"mult frac ok", CheckMultipleOf(0.3, 0.1), false},
		{"mult frac ok2", CheckMultipleOf[int64](3, 0.5), false},
		{"mult frac bad", CheckMultipleOf(0.35, 0.1), true},
		{"items", CheckMinItems(1, 2), true},
		{"items ok", CheckMaxItems(2, 2), false},
		{"props", CheckMaxProperties(3, 2), true},
		{"props ok", CheckMinProperties(2, 2), false},
	}
	for _, tt := range tests {
		if (tt.err != nil) != tt.bad {
			t.Errorf("%s: err = %v, want error: %v", tt.name, tt.err, tt.bad)
		}
	}
	if err := CheckMinimum[int64](-9007199254740993, 0); err == nil || !strings.Contains(err.Error(), "-9007199254740993") {
		t.Errorf("large integer formatted inexactly: %v", err)
	}
}

func TestUnique(t *testing.T) {
	if CheckUnique([]string{"a", "b"}) != nil || CheckUnique([]string{"a", "b", "a"}) == nil {
		t.Error("CheckUnique on a short slice")
	}
	long := make([]int, 40)
	for i := range long {
		long[i] = i
	}
	if CheckUnique(long) != nil {
		t.Error("distinct long slice rejected")
	}
	long[39] = 7
	if err := CheckUnique(long); err == nil || !strings.Contains(err.Error(), "items 7 and 39") {
		t.Errorf("err = %v", err)
	}
	type s struct{ A []int }
	if CheckUniqueJSON([]s{{[]int{1}}, {[]int{2}}}) != nil || CheckUniqueJSON([]s{{[]int{1}}, {[]int{1}}}) == nil {
		t.Error("CheckUniqueJSON")
	}
}

func TestPattern(t *testing.T) {
	p := NewPattern(`^o-[0-9]+$`)
	if p.Check("o-12") != nil || p.Check("x-12") == nil {
		t.Error("RE2 pattern")
	}
	// Lookahead needs the ECMAScript engine.
	la := NewPattern(`^(?!org\.bukkit\.)[a-z.]+$`)
	if !la.MatchString("com.example") || la.MatchString("org.bukkit.x") {
		t.Error("lookahead pattern")
	}
	bad := NewPattern(`(`)
	if bad.Err() == nil || bad.MatchString("") || bad.Check("") == nil {
		t.Error("an invalid pattern must reject every value")
	}
	if err := p.CheckKey("nope"); err == nil || !strings.Contains(err.Error(), "property name") {
		t.Errorf("CheckKey err = %v", err)
	}
}
