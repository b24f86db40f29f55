package parsec

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestValidationErrors(t *testing.T) {
	var es ValidationErrors
	if es.Err() != nil {
		t.Fatal("empty list is an error")
	}
	es.Add(nil)
	es.Add(&ValidationError{Pointer: "/a", Message: "one"})
	if err := es.Err(); err == nil || err.Error() != "/a: one" {
		t.Fatalf("single = %v", err)
	}
	inner := ValidationErrors{{Pointer: "/b", Message: "two"}}
	es.Add(inner)
	cause := errors.New("three")
	es.Add(fmt.Errorf("wrapped: %w", cause))
	want := "/a: one\n/b: two\n(root): wrapped: three"
	if got := es.Err().Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(es.Err(), cause) {
		t.Error("cause of a foreign error lost")
	}
	located := fmt.Errorf("outer: %w", &ValidationError{Pointer: "/x", Message: "inner"})
	var one ValidationErrors
	one.Add(located)
	if one[0].Pointer != "/x" || one[0].Message != "outer: /x: inner" {
		t.Errorf("wrapped validation error = %+v", one[0])
	}
	for range 3 * MaxErrors {
		es.Add(&ValidationError{Message: "more"})
	}
	if len(es) != MaxErrors+1 || !strings.Contains(es[MaxErrors].Message, "too many") {
		t.Errorf("len = %d, last = %v", len(es), es[len(es)-1])
	}
}

func TestValidationErrorsUnwrap(t *testing.T) {
	es := ValidationErrors{{Message: "a"}, {Pointer: "/b", Message: "b"}}
	var target *ValidationError
	if !errors.As(error(es), &target) || target.Message != "a" {
		t.Errorf("errors.As = %v", target)
	}
}

func TestEscapePointer(t *testing.T) {
	for in, want := range map[string]string{"": "", "a": "a", "~": "~0", "/": "~1", "~1": "~01", "a/~b": "a~1~0b"} {
		if got := EscapePointer(in); got != want {
			t.Errorf("EscapePointer(%q) = %q, want %q", in, got, want)
		}
	}
}
