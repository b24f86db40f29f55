package parsec

import (
	"errors"
	"fmt"
	"strings"
)

// ValidationError reports one JSON value that does not satisfy its schema, or
// that could not be decoded at all.
type ValidationError struct {
	// Pointer is the RFC 6901 JSON pointer of the offending value within the
	// decoded document (or the validated Go value); "" is the root.
	Pointer string
	// Message states what is wrong and what was expected.
	Message string
	// Err is the underlying cause, if any (a syntax error, a parse error).
	Err error
}

// Error returns the pointer (or "(root)") followed by the message.
func (e *ValidationError) Error() string {
	p := e.Pointer
	if p == "" {
		p = "(root)"
	}
	return p + ": " + e.Message
}

// Unwrap returns the underlying cause.
func (e *ValidationError) Unwrap() error { return e.Err }

// errorf returns a *ValidationError at the root with a formatted message.
func errorf(format string, args ...any) error {
	return &ValidationError{Message: fmt.Sprintf(format, args...)}
}

// prefix is parsecimpl's Wrap: it puts seg in front of the pointer of every
// validation error in err, converting any other error to a *ValidationError
// at seg. The two are kept in step by parsecimpl's TestPrefixAgreesWithAdd.
func prefix(err error, seg string) error {
	switch e := err.(type) {
	case nil:
		return nil
	case *ValidationError:
		e.Pointer = seg + e.Pointer
		return e
	case ValidationErrors:
		for _, v := range e {
			v.Pointer = seg + v.Pointer
		}
		return e
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		// A wrapped *ValidationError: keep the outer message, locate it.
		return &ValidationError{Pointer: seg + ve.Pointer, Message: err.Error(), Err: err}
	}
	return &ValidationError{Pointer: seg, Message: err.Error(), Err: err}
}

// EscapePointer escapes one JSON pointer reference token (RFC 6901): "~"
// becomes "~0" and "/" becomes "~1".
func EscapePointer(token string) string {
	if !strings.ContainsAny(token, "~/") {
		return token
	}
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(token)
}

// MaxErrors caps how many errors a [ValidationErrors] collects; further
// errors are counted in a final "too many errors" entry.
const MaxErrors = 20

// ValidationErrors is every problem found in one value, in the order found.
// Generated Validate methods return it (as an error) when more than nothing
// is wrong.
type ValidationErrors []*ValidationError

// Error lists the errors one per line.
func (es ValidationErrors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap returns the errors for errors.Is and errors.As.
func (es ValidationErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Add appends err, flattening a ValidationErrors and converting any other
// error to a *ValidationError at the root. A nil err is ignored.
func (es *ValidationErrors) Add(err error) {
	switch e := err.(type) {
	case nil:
		return
	case *ValidationError:
		es.add(e)
	case ValidationErrors:
		for _, v := range e {
			es.add(v)
		}
	default:
		es.add(prefix(err, "").(*ValidationError))
	}
}

func (es *ValidationErrors) add(e *ValidationError) {
	switch n := len(*es); {
	case n < MaxErrors:
		*es = append(*es, e)
	case n == MaxErrors:
		*es = append(*es, &ValidationError{Message: "too many errors"})
	}
}

// Err returns nil when no error was added, the single error when there is
// one, else the list.
func (es ValidationErrors) Err() error {
	switch len(es) {
	case 0:
		return nil
	case 1:
		return es[0]
	}
	return es
}
