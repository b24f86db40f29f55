package parsecimpl

import "github.com/parsec-gen/parsec-gen/runtime/parsec"

// UnionFuncs are the generated functions of a union type U (a sealed
// interface): they are what a [parsec.Union] holder needs, since an interface
// type cannot carry methods of its own. *UnionFuncs implements
// [parsec.UnionCodec].
type UnionFuncs[U any] struct {
	// Decode reads and checks one value.
	Decode func(d *Decoder) (U, error)
	// Append appends the value held to b.
	Append func(b []byte, u U) []byte
	// Validate reports every constraint the value violates.
	Validate func(u U) error
}

var _ parsec.UnionCodec[any] = (*UnionFuncs[any])(nil)

// UnmarshalUnion decodes and checks data with Decode.
func (f *UnionFuncs[U]) UnmarshalUnion(data []byte) (u U, err error) {
	err = Unmarshal(data, func(d *Decoder) error {
		v, err := f.Decode(d)
		if err != nil {
			return err
		}
		u = v
		return nil
	})
	return u, err
}

// MarshalUnion encodes u with Append.
func (f *UnionFuncs[U]) MarshalUnion(u U) (out []byte, err error) {
	defer Recover(&err)
	return f.Append(make([]byte, 0, 256), u), nil
}

// ValidateUnion checks u with Validate.
func (f *UnionFuncs[U]) ValidateUnion(u U) error { return f.Validate(u) }
