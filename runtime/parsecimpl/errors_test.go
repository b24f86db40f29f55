package parsecimpl

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/parsec-gen/parsec-gen/runtime/parsec"
)

func TestWrapBuildsPointer(t *testing.T) {
	err := Errorf("too short")
	err = Wrap(err, "a/b~c")
	err = WrapIndex(err, 3)
	err = Wrap(err, "items")
	var ve *parsec.ValidationError
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
	var es parsec.ValidationErrors
	if es.Err() != nil {
		t.Fatal("empty list is an error")
	}
	es.Add(nil)
	es.Add(Wrap(Errorf("one"), "a"))
	if err := es.Err(); err == nil || err.Error() != "/a: one" {
		t.Fatalf("single = %v", err)
	}
	var inner parsec.ValidationErrors
	inner.Add(Errorf("two"))
	inner.Add(errors.New("three"))
	es.Add(Wrap(inner, "b"))
	want := "/a: one\n/b: two\n/b: three"
	if got := es.Err().Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	for range 3 * parsec.MaxErrors {
		es.Add(Errorf("more"))
	}
	if len(es) != parsec.MaxErrors+1 || !strings.Contains(es[parsec.MaxErrors].Message, "too many") {
		t.Errorf("len = %d, last = %v", len(es), es[len(es)-1])
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

// TestPrefixAgreesWithAdd keeps Wrap's conversion of a foreign error and the
// one parsec.ValidationErrors.Add makes the same.
func TestPrefixAgreesWithAdd(t *testing.T) {
	for _, err := range []error{errors.New("plain"), fmt.Errorf("outer: %w", Wrap(Errorf("inner"), "p"))} {
		var es parsec.ValidationErrors
		es.Add(err)
		got, want := es[0], prefix(err, "").(*parsec.ValidationError)
		if got.Pointer != want.Pointer || got.Message != want.Message || got.Err != want.Err {
			t.Errorf("Add(%v) = %+v, prefix = %+v", err, got, want)
		}
	}
}
