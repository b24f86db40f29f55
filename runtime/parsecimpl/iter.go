package parsecimpl

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-faster/jx"

	"github.com/parsec-gen/parsec-gen/runtime/internal/quote"
	"github.com/parsec-gen/parsec-gen/runtime/parsec"
)

// ObjIter checks that the next value is an object and starts iterating over
// its members. The generated loop calls Next, switches on Key, decodes or
// skips the value, and finally passes Err to [IterErr].
func ObjIter(d *Decoder) (jx.ObjIter, error) {
	if got := d.Next(); got != jx.Object {
		return jx.ObjIter{}, KindError("an object", got)
	}
	it, err := d.ObjIter()
	if err != nil {
		return jx.ObjIter{}, SyntaxError(err)
	}
	return it, nil
}

// ArrIter is [ObjIter] for arrays.
func ArrIter(d *Decoder) (jx.ArrIter, error) {
	if got := d.Next(); got != jx.Array {
		return jx.ArrIter{}, KindError("an array", got)
	}
	it, err := d.ArrIter()
	if err != nil {
		return jx.ArrIter{}, SyntaxError(err)
	}
	return it, nil
}

// IterErr converts the error an iterator stopped with, if any.
func IterErr(err error) error {
	if err != nil {
		return SyntaxError(err)
	}
	return nil
}

// Missing reports the first required property whose bit is not set in seen;
// names[i] is the property of bit i, "" for a bit of an optional property;
// names past the last required property may be left out.
func Missing(seen []uint64, names ...string) error {
	for i, n := range names {
		if n != "" && seen[i/64]&(1<<(i%64)) == 0 {
			return Errorf("missing required property %q", n)
		}
	}
	return Errorf("missing required property")
}

// UnknownProperty reports a property that additionalProperties: false
// forbids, located at that property.
func UnknownProperty(key []byte) error {
	return Wrap(Errorf("property is not allowed (additionalProperties is false)"), string(key))
}

// DependencyError reports a property present without one it depends on
// (dependentRequired), located at the object.
func DependencyError(prop, needs string) error {
	return Errorf("property %q requires property %q", prop, needs)
}

// EnumError reports a value outside an enum; allowed are JSON texts. A string
// or []byte got is shown quoted, anything else as %v.
func EnumError(got any, allowed ...string) error {
	return Errorf("%s is not one of the allowed values %s", show(got), strings.Join(allowed, ", "))
}

// ConstError reports a value other than a const; want is JSON text. got is
// shown as by [EnumError].
func ConstError(got any, want string) error {
	return Errorf("%s is not the constant value %s", show(got), want)
}

func show(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(quote.Truncate(x))
	case []byte:
		return strconv.Quote(quote.Truncate(string(x)))
	case RawJSON:
		return quote.Truncate(string(x))
	}
	return quote.Truncate(fmt.Sprint(v))
}

// RawJSON marks JSON text passed to [EnumError] or [ConstError] so that it is
// shown as is.
type RawJSON string

// NeverError reports a value where the schema (false) allows none.
func NeverError() error {
	return Errorf("no value is allowed here (the schema is false)")
}

// NoVariant reports a value that does not decode as exactly one variant of a
// union: matched names the variants it decoded as (more than one for an
// ambiguous oneOf), failed holds why each other variant rejected it.
func NoVariant(matched []string, failed []error) error {
	if len(matched) > 1 {
		return Errorf("value matches %d variants (%s); oneOf requires exactly one", len(matched), strings.Join(matched, ", "))
	}
	msgs := make([]string, len(failed))
	for i, e := range failed {
		msgs[i] = e.Error()
	}
	return Errorf("value matches no variant: %s", strings.Join(msgs, "; "))
}

// VariantError labels why the union variant name rejected a value, for
// [NoVariant].
func VariantError(name string, err error) error {
	var ve *parsec.ValidationError
	if errors.As(err, &ve) && ve.Pointer == "" {
		return errors.New(name + ": " + ve.Message)
	}
	return errors.New(name + ": " + err.Error())
}

// DecodeNever reads a value where the schema (false) allows none and reports
// it; it never returns nil.
func DecodeNever(d *Decoder) error {
	if err := d.Skip(); err != nil {
		return SyntaxError(err)
	}
	return NeverError()
}
