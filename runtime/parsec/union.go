package parsec

// UnionCodec is how a [Union] holder decodes, encodes and validates the union
// type U it holds. Generated code supplies one per union type
// (parsecimpl.UnionFuncs); hand-written code has no reason to implement it.
type UnionCodec[U any] interface {
	// UnmarshalUnion decodes and checks one JSON value.
	UnmarshalUnion(data []byte) (U, error)
	// MarshalUnion encodes u.
	MarshalUnion(u U) ([]byte, error)
	// ValidateUnion reports every constraint u violates.
	ValidateUnion(u U) error
}

// Union holds a value of a generated union type so that it can go through
// encoding/json and anything else that wants a concrete value with methods
// (an aspect whose root schema is a oneOf or anyOf is decoded into one).
type Union[U any] struct {
	// Value is the variant held; nil until decoded or set.
	Value U
	c     UnionCodec[U]
}

// NewUnion returns an empty holder for the union that c belongs to.
func NewUnion[U any](c UnionCodec[U]) *Union[U] { return &Union[U]{c: c} }

// IsZero reports whether the holder is nil or holds no variant.
func (h *Union[U]) IsZero() bool { return h == nil || any(h.Value) == nil }

// UnmarshalJSON decodes and checks data into the holder.
func (h *Union[U]) UnmarshalJSON(data []byte) error {
	v, err := h.c.UnmarshalUnion(data)
	if err != nil {
		return err
	}
	h.Value = v
	return nil
}

// MarshalJSON encodes the value held.
func (h *Union[U]) MarshalJSON() ([]byte, error) { return h.c.MarshalUnion(h.Value) }

// Validate reports every constraint the value held violates.
func (h *Union[U]) Validate() error { return h.c.ValidateUnion(h.Value) }
