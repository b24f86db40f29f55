package parsec

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestWrapBuildsPointer(t *testing.T) {
	err := Errorf("too short")
	err = Wrap(err, "a/b~c")
	err = WrapIndex(err, 3)
	err = Wrap(err, "items")
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %T", err)
	}
	if ve.Pointer != "/items/3/a~1b~0c" {
		t.Errorf("Pointer = %q", ve.Pointer)
	}
	if got := err.Error(); got != "/items/3/a~1b~0c: too short" {
		t.Errorf("Error() = %q", got)
	}
	if Wrap(nil, "x") != nil {
		t.Error("Wrap(nil) != nil")
	}
}

func TestWrapForeignError(t *testing.T) {
	cause := errors.New("boom")
	err := Wrap(fmt.Errorf("decoding: %w", cause), "p")
	if !errors.Is(err, cause) {
		t.Error("cause lost")
	}
	if got := err.Error(); got != "/p: decoding: boom" {
		t.Errorf("Error() = %q", got)
	}
	if got := Errorf("x").Error(); got != "(root): x" {
		t.Errorf("root error = %q", got)
	}
}

func TestValidationErrors(t *testing.T) {
	var es ValidationErrors
	if es.Err() != nil {
		t.Fatal("empty list is an error")
	}
	es.Add(nil)
	es.Add(Wrap(Errorf("one"), "a"))
	if err := es.Err(); err == nil || err.Error() != "/a: one" {
		t.Fatalf("single = %v", err)
	}
	var inner ValidationErrors
	inner.Add(Errorf("two"))
	inner.Add(errors.New("three"))
	es.Add(Wrap(inner, "b"))
	want := "/a: one\n/b: two\n/b: three"
	if got := es.Err().Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	for range 3 * MaxErrors {
		es.Add(Errorf("more"))
	}
	if len(es) != MaxErrors+1 || !strings.Contains(es[MaxErrors].Message, "too many") {
		t.Errorf("len = %d, last = %v", len(es), es[len(es)-1])
	}
}

func TestEscapePointer(t *testing.T) {
	for in, want := range map[string]string{"": "", "a": "a", "~": "~0", "/": "~1", "~1": "~01", "a/~b": "a~1~0b"} {
		if got := EscapePointer(in); got != want {
			t.Errorf("EscapePointer(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSchemaError(t *testing.T) {
	if SchemaError(nil) != nil {
		t.Error("nil became an error")
	}
	cause := errors.New("does not match")
	err := Wrap(SchemaError(cause), "x")
	if !errors.Is(err, cause) || err.Error() != "/x: does not match" {
		t.Errorf("err = %v", err)
	}
}

func TestWrapNilAllocatesNothing(t *testing.T) {
	name := "a/b"
	if n := testing.AllocsPerRun(100, func() {
		if Wrap(nil, name) != nil || WrapIndex(nil, 12345) != nil {
			t.Fatal("nil wrapped into an error")
		}
	}); n != 0 {
		t.Errorf("Wrap(nil) allocates %v times", n)
	}
}
