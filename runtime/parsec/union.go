package parsec

// UnionFuncs are the generated functions of a union type U (a sealed
// interface): they are what a [Union] holder needs, since an interface type
// cannot carry methods of its own.
type UnionFuncs[U any] struct {
	// Decode reads and checks one value.
	Decode func(d *Decoder) (U, error)
	// Append appends the value held to b.
	Append func(b []byte, u U) []byte
	// Validate reports every constraint the value violates.
	Validate func(u U) error
}

// Union holds a value of a generated union type so that it can go through
// encoding/json and anything else that wants a concrete value with methods
// (an aspect whose root schema is a oneOf or anyOf is decoded into one).
type Union[U any] struct {
	// Value is the variant held; nil until decoded or set.
	Value U
	fns   *UnionFuncs[U]
}

// NewUnion returns an empty holder for the union the functions belong to.
func NewUnion[U any](fns *UnionFuncs[U]) *Union[U] { return &Union[U]{fns: fns} }

// UnmarshalJSON decodes and checks data into the holder.
func (h *Union[U]) UnmarshalJSON(data []byte) error {
	return Unmarshal(data, func(d *Decoder) error {
		v, err := h.fns.Decode(d)
		if err != nil {
			return err
		}
		h.Value = v
		return nil
	})
}

// MarshalJSON encodes the value held.
func (h *Union[U]) MarshalJSON() (out []byte, err error) {
	defer Recover(&err)
	return h.fns.Append(make([]byte, 0, 256), h.Value), nil
}

// Validate reports every constraint the value held violates.
func (h *Union[U]) Validate() error { return h.fns.Validate(h.Value) }
