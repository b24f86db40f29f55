package parsecimpl

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/parsec-gen/parsec-gen/runtime/parsec"
)

// Errorf returns a *parsec.ValidationError at the root with a formatted
// message. Callers add the location with [Wrap] and [WrapIndex] as the error
// unwinds.
func Errorf(format string, args ...any) error {
	return &parsec.ValidationError{Message: fmt.Sprintf(format, args...)}
}

// Wrap locates err one level deeper: the property name becomes the first
// segment of the JSON pointer of every *parsec.ValidationError in err. Any
// other error becomes a *parsec.ValidationError at that property with err as
// its cause. Wrap returns nil for a nil err.
func Wrap(err error, name string) error {
	if err == nil {
		return nil // the common case: build no pointer
	}
	return prefix(err, "/"+parsec.EscapePointer(name))
}

// WrapIndex is [Wrap] for an array element.
func WrapIndex(err error, i int) error {
	if err == nil {
		return nil
	}
	return prefix(err, "/"+strconv.Itoa(i))
}

// prefix puts seg in front of the pointer of every validation error in err.
// parsec.ValidationErrors.Add converts a foreign error the same way (with an
// empty seg); TestPrefixAgreesWithAdd keeps the two in step.
func prefix(err error, seg string) error {
	switch e := err.(type) {
	case nil:
		return nil
	case *parsec.ValidationError:
		e.Pointer = seg + e.Pointer
		return e
	case parsec.ValidationErrors:
		for _, v := range e {
			v.Pointer = seg + v.Pointer
		}
		return e
	}
	var ve *parsec.ValidationError
	if errors.As(err, &ve) {
		// A wrapped *parsec.ValidationError: keep the outer message, locate it.
		return &parsec.ValidationError{Pointer: seg + ve.Pointer, Message: err.Error(), Err: err}
	}
	return &parsec.ValidationError{Pointer: seg, Message: err.Error(), Err: err}
}

// SchemaError turns the error of validating a value against its schema (for
// the keywords generated types check that way, such as if/then/else or not)
// into a *parsec.ValidationError at the value; nil stays nil.
func SchemaError(err error) error {
	if err == nil {
		return nil
	}
	return &parsec.ValidationError{Message: err.Error(), Err: err}
}
