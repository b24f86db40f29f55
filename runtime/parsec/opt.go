package parsec

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
)

var nullJSON = []byte("null")

// errNull is the cause reported when a JSON null reaches a type that cannot
// hold it.
var errNull = errors.New("null is not allowed here")

// Opt is an optional value: a property that may be absent but is never null.
// The zero value is absent. Used in a struct field tagged `omitzero`, an
// absent Opt is left out of the encoded object.
type Opt[T any] struct {
	// Value is the value when Set is true.
	Value T
	// Set reports whether the property was present.
	Set bool
}

// NewOpt returns a present Opt holding v.
func NewOpt[T any](v T) Opt[T] { return Opt[T]{Value: v, Set: true} }

// Get returns the value and whether it is present.
func (o Opt[T]) Get() (T, bool) { return o.Value, o.Set }

// Or returns the value if present, else def.
func (o Opt[T]) Or(def T) T {
	if o.Set {
		return o.Value
	}
	return def
}

// IsSet reports whether the value is present.
func (o Opt[T]) IsSet() bool { return o.Set }

// IsNull reports false: an Opt is never null. It is here so that the three
// presence types answer the same questions.
func (o Opt[T]) IsNull() bool { return false }

// IsZero reports whether the value is absent.
func (o Opt[T]) IsZero() bool { return !o.Set }

// SetTo makes the value present and equal to v.
func (o *Opt[T]) SetTo(v T) { o.Value, o.Set = v, true }

// Reset makes the value absent.
func (o *Opt[T]) Reset() { *o = Opt[T]{} }

// MarshalJSON encodes the value. An absent Opt outside a struct (where
// `omitzero` cannot drop it) encodes as null.
func (o Opt[T]) MarshalJSON() ([]byte, error) {
	if !o.Set {
		return nullJSON, nil
	}
	return json.Marshal(o.Value)
}

// UnmarshalJSON decodes a present value; null is rejected because an Opt
// cannot hold it (use [OptNullable] for that).
func (o *Opt[T]) UnmarshalJSON(data []byte) error {
	if isNull(data) {
		return &ValidationError{Message: errNull.Error(), Err: errNull}
	}
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	o.Value, o.Set = v, true
	return nil
}

// Nullable is a required value that may be null. The zero value is the zero
// T, not null.
type Nullable[T any] struct {
	// Value is the value when Null is false.
	Value T
	// Null reports whether the value is JSON null.
	Null bool
}

// NewNullable returns a non-null Nullable holding v.
func NewNullable[T any](v T) Nullable[T] { return Nullable[T]{Value: v} }

// Null returns a null Nullable.
func Null[T any]() Nullable[T] { return Nullable[T]{Null: true} }

// Get returns the value and whether it is non-null.
func (n Nullable[T]) Get() (T, bool) { return n.Value, !n.Null }

// Or returns the value if non-null, else def.
func (n Nullable[T]) Or(def T) T {
	if n.Null {
		return def
	}
	return n.Value
}

// IsSet reports true: a Nullable is a required value, always present (as
// null or a value).
func (n Nullable[T]) IsSet() bool { return true }

// IsNull reports whether the value is null.
func (n Nullable[T]) IsNull() bool { return n.Null }

// IsZero reports whether n is the zero Nullable: not null and holding the
// zero T.
func (n Nullable[T]) IsZero() bool { return !n.Null && reflect.ValueOf(&n.Value).Elem().IsZero() }

// SetTo makes the value non-null and equal to v.
func (n *Nullable[T]) SetTo(v T) { n.Value, n.Null = v, false }

// SetNull makes the value null.
func (n *Nullable[T]) SetNull() { *n = Nullable[T]{Null: true} }

// Reset makes n the zero Nullable (the zero T, not null).
func (n *Nullable[T]) Reset() { *n = Nullable[T]{} }

// MarshalJSON encodes the value or null.
func (n Nullable[T]) MarshalJSON() ([]byte, error) {
	if n.Null {
		return nullJSON, nil
	}
	return json.Marshal(n.Value)
}

// UnmarshalJSON decodes null or a value.
func (n *Nullable[T]) UnmarshalJSON(data []byte) error {
	if isNull(data) {
		n.SetNull()
		return nil
	}
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	n.SetTo(v)
	return nil
}

// OptNullable is an optional value that may also be null: absent, null and a
// value are three distinct states. The zero value is absent; used in a struct
// field tagged `omitzero`, an absent OptNullable is left out of the encoded
// object while a null one encodes as null.
type OptNullable[T any] struct {
	// Value is the value when Set is true and Null is false.
	Value T
	// Set reports whether the property was present (as null or a value).
	Set bool
	// Null reports whether the property was present as JSON null.
	Null bool
}

// NewOptNullable returns a present, non-null OptNullable holding v.
func NewOptNullable[T any](v T) OptNullable[T] { return OptNullable[T]{Value: v, Set: true} }

// OptNull returns a present OptNullable that is null.
func OptNull[T any]() OptNullable[T] { return OptNullable[T]{Set: true, Null: true} }

// Get returns the value and whether it is present and non-null.
func (o OptNullable[T]) Get() (T, bool) { return o.Value, o.Set && !o.Null }

// Or returns the value if present and non-null, else def.
func (o OptNullable[T]) Or(def T) T {
	if o.Set && !o.Null {
		return o.Value
	}
	return def
}

// IsSet reports whether the value is present (as null or a value).
func (o OptNullable[T]) IsSet() bool { return o.Set }

// IsNull reports whether the value is present and null.
func (o OptNullable[T]) IsNull() bool { return o.Set && o.Null }

// IsZero reports whether the value is absent.
func (o OptNullable[T]) IsZero() bool { return !o.Set }

// SetTo makes the value present, non-null and equal to v.
func (o *OptNullable[T]) SetTo(v T) { *o = OptNullable[T]{Value: v, Set: true} }

// SetNull makes the value present and null.
func (o *OptNullable[T]) SetNull() { *o = OptNullable[T]{Set: true, Null: true} }

// Reset makes the value absent.
func (o *OptNullable[T]) Reset() { *o = OptNullable[T]{} }

// MarshalJSON encodes the value, or null when null or absent (absent outside a
// struct cannot be represented otherwise).
func (o OptNullable[T]) MarshalJSON() ([]byte, error) {
	if !o.Set || o.Null {
		return nullJSON, nil
	}
	return json.Marshal(o.Value)
}

// UnmarshalJSON decodes null or a value; either makes the value present.
func (o *OptNullable[T]) UnmarshalJSON(data []byte) error {
	if isNull(data) {
		o.SetNull()
		return nil
	}
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	o.SetTo(v)
	return nil
}

func isNull(data []byte) bool {
	return bytes.Equal(bytes.TrimSpace(data), nullJSON)
}
