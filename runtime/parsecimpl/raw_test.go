package parsecimpl

import "testing"

func TestCheckRaw(t *testing.T) {
	c := &RawConstraints{Minimum: "1", ExclusiveMaximum: "10", MultipleOf: "0.5", MinLength: 2, MaxLength: 3,
		Pattern: NewPattern("^a"), MinItems: 1, MaxItems: 2, UniqueItems: true, MinProperties: 1, MaxProperties: 1}
	tests := []struct {
		raw string
		ok  bool
	}{
		{`1.5`, true}, {`0.5`, false}, {`10`, false}, {`1.25`, false},
		{`"ab"`, true}, {`"a"`, false}, {`"abcd"`, false}, {`"ba"`, false},
		{`[1]`, true}, {`[]`, false}, {`[1,2,3]`, false}, {`[{"a":1},{"a":1}]`, false},
		{`{"a":1}`, true}, {`{}`, false}, {`{"a":1,"b":2}`, false},
		{`true`, true}, {`null`, true}, {`{`, false},
	}
	for _, tt := range tests {
		if err := CheckRaw([]byte(tt.raw), c); (err == nil) != tt.ok {
			t.Errorf("CheckRaw(%s) = %v, want ok=%v", tt.raw, err, tt.ok)
		}
	}
}

func TestNoVariant(t *testing.T) {
	if err := NoVariant([]string{"A", "B"}, nil); err == nil || err.Error() != "(root): value matches 2 variants (A, B); oneOf requires exactly one" {
		t.Errorf("ambiguous: %v", err)
	}
	if err := NoVariant(nil, []error{VariantError("A", Errorf("x")), VariantError("B", Wrap(Errorf("y"), "p"))}); err == nil || err.Error() != "(root): value matches no variant: A: x; B: /p: y" {
		t.Errorf("none: %v", err)
	}
}

// TestCheckRawHugeExponent must finish quickly: exact arithmetic on these
// would not.
func TestCheckRawHugeExponent(t *testing.T) {
	c := &RawConstraints{Maximum: "10", MinLength: -1, MaxLength: -1, MinItems: -1, MaxItems: -1, MinProperties: -1, MaxProperties: -1}
	if err := CheckRaw([]byte(`1e999999999`), c); err == nil {
		t.Error("1e999999999 is not greater than maximum 10")
	}
	if err := CheckRaw([]byte(`1e-999999999`), c); err != nil {
		t.Errorf("1e-999999999: %v", err)
	}
	if err := CheckRaw([]byte(`-1E+999999999`), &RawConstraints{Minimum: "0"}); err == nil {
		t.Error("-1e999999999 is not at least 0")
	}
}
