package parsecimpl

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
