package parsecimpl

import (
	"encoding/json"
	"sync"
)

// Codec is what every generated type with codecs implements: generated files
// assert it once per type (var _ parsecimpl.Codec = (*T)(nil)), so that a
// MarshalJSON or UnmarshalJSON that drifts from encoding/json's interfaces
// breaks the build.
type Codec interface {
	json.Marshaler
	json.Unmarshaler
}

// Marshal is the body of a generated MarshalJSON: it runs encode on a
// scratch buffer reused across calls and returns an exact-size copy of the
// result, the one allocation of an encoding, so that no type needs to
// remember how large its encodings are. A [Fail] during encode becomes the
// error; other panics go on.
func Marshal(encode func(b []byte) []byte) (out []byte, err error) {
	defer Recover(&err)
	s := scratch.Get().(*[]byte)
	b := encode((*s)[:0])
	out = make([]byte, len(b))
	copy(out, b)
	if cap(b) <= maxScratch {
		*s = b
		scratch.Put(s)
	}
	return out, nil
}

// scratch holds the buffers Marshal encodes into. A buffer grows to the
// largest encoding it served, so after the first few calls an encoding of
// a usual size appends without growing.
var scratch = sync.Pool{New: func() any { return new([]byte) }}

// maxScratch bounds the buffers kept in scratch: a rare huge encoding is
// not held on to.
const maxScratch = 1 << 20
