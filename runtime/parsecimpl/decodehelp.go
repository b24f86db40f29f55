package parsecimpl

import "github.com/parsec-gen/parsec-gen/runtime/parsec"

// DecodeArray reads an array whose elements elem reads and checks (one of
// the DecodeX functions of a scalar kind); the error of an element is
// located at its index. The result is never nil for an array, so an empty
// array stays distinct from an absent one.
func DecodeArray[T any](d *Decoder, elem func(*Decoder) (T, error)) ([]T, error) {
	it, err := ArrIter(d)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, 4)
	for it.Next() {
		x, err := elem(d)
		if err != nil {
			return nil, WrapIndex(err, len(out))
		}
		out = append(out, x)
	}
	if err := IterErr(it.Err()); err != nil {
		return nil, err
	}
	return out, nil
}

// DecodeNullable reads null or a value elem reads and checks (one of the
// DecodeX functions of a scalar kind) into dst.
func DecodeNullable[T any](d *Decoder, dst *parsec.Nullable[T], elem func(*Decoder) (T, error)) error {
	return decodeNullable(d, &dst.Value, &dst.Null, elem)
}

// DecodeOptNullable is [DecodeNullable] for a property that may also be
// absent: reading it marks it present.
func DecodeOptNullable[T any](d *Decoder, dst *parsec.OptNullable[T], elem func(*Decoder) (T, error)) error {
	dst.Set = true
	return decodeNullable(d, &dst.Value, &dst.Null, elem)
}

// decodeNullable reads null (setting *null) or a value elem reads into *value.
func decodeNullable[T any](d *Decoder, value *T, null *bool, elem func(*Decoder) (T, error)) error {
	if d.IsNull() {
		if err := DecodeNull(d); err != nil {
			return err
		}
		*null = true
		return nil
	}
	x, err := elem(d)
	if err != nil {
		return err
	}
	*value = x
	return nil
}

// DecodeOpt reads a value elem reads and checks (one of the DecodeX
// functions of a scalar kind) into dst and marks it present.
func DecodeOpt[T any](d *Decoder, dst *parsec.Opt[T], elem func(*Decoder) (T, error)) error {
	x, err := elem(d)
	if err != nil {
		return err
	}
	dst.Value, dst.Set = x, true
	return nil
}
