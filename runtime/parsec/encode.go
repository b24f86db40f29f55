package parsec

import (
	"encoding/json"
	"math"
	"sync"
	"sync/atomic"

	"github.com/go-faster/jx"
)

// The Writer-based helpers below served code generated before the append
// encoders (see append.go); they stay so that such code keeps building until
// it is regenerated.

// ObjStart begins an object and returns the mark ObjEnd needs.
func ObjStart(w *Writer) int { return len(w.Buf) }

// ObjEnd closes the object begun at mark.
func ObjEnd(w *Writer, mark int) {
	if len(w.Buf) == mark {
		w.Buf = append(w.Buf, '{', '}')
		return
	}
	w.Buf[mark] = '{'
	w.Buf = append(w.Buf, '}')
}

// ArrStart begins an array and returns the mark ArrEnd needs.
func ArrStart(w *Writer) int { return len(w.Buf) }

// ArrEnd closes the array begun at mark.
func ArrEnd(w *Writer, mark int) {
	if len(w.Buf) == mark {
		w.Buf = append(w.Buf, '[', ']')
		return
	}
	w.Buf[mark] = '['
	w.Buf = append(w.Buf, ']')
}

// Elem writes the comma that precedes an array element.
func Elem(w *Writer) { w.Buf = append(w.Buf, ',') }

// Key writes the comma and the quoted key that precede an object member whose
// key is only known at run time.
func Key(w *Writer, key string) {
	w.Buf = append(w.Buf, ',')
	w.Str(key)
	w.Buf = append(w.Buf, ':')
}

// EncodeRaw writes raw JSON text; an empty value (a RawMessage never set)
// is written as null so the output stays valid JSON.
func EncodeRaw(w *Writer, raw json.RawMessage) {
	if len(raw) == 0 {
		w.Null()
		return
	}
	w.Buf = append(w.Buf, raw...)
}

// EncodeRawProperties writes every entry of props as an object member.
func EncodeRawProperties(w *Writer, props *RawProperties) {
	for i := range props.entries {
		Key(w, props.entries[i].key)
		EncodeRaw(w, props.entries[i].val)
	}
}

// Writer is a jx.Writer plus the first error met on the way, for code
// generated before the append encoders.
type Writer struct {
	jx.Writer
	// Err is the first error reported with Fail.
	Err error
}

// Fail records err unless an error is already recorded.
func (w *Writer) Fail(err error) {
	if w.Err == nil {
		w.Err = err
	}
}

var writerPool = sync.Pool{New: func() any { return new(Writer) }}

// GetWriter returns an empty Writer from a pool; [Finish] returns it.
func GetWriter() *Writer { return writerPool.Get().(*Writer) }

// Finish copies the encoded bytes out of a pooled writer, returns the writer
// to the pool, and reports the first error recorded while encoding.
func Finish(w *Writer) ([]byte, error) {
	err := w.Err
	var out []byte
	if err == nil {
		out = make([]byte, len(w.Buf))
		copy(out, w.Buf)
	}
	w.Buf = w.Buf[:0]
	w.Err = nil
	writerPool.Put(w)
	return out, err
}

// EncodeJSON writes v with encoding/json (for x-go-type values). A failure
// is recorded in w and null is written in its place.
func EncodeJSON(w *Writer, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		w.Fail(err)
		w.Null()
		return
	}
	w.Buf = append(w.Buf, b...)
}

// EncodeFloat writes a float of the given bit size (32 or 64). NaN and the
// infinities have no JSON form: they are recorded as an error and written as
// null.
func EncodeFloat(w *Writer, f float64, bits int) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		w.Fail(Errorf("%v has no JSON representation", f))
		w.Null()
		return
	}
	w.Float(f, bits)
}

// SizeHint remembers how large a type's encodings are, so that encoders can
// allocate their output once at about the right size. Generated code keeps
// one per type; it is safe for concurrent use.
type SizeHint struct{ n atomic.Int64 }

// Buffer returns an empty buffer with room for a typical encoding.
func (h *SizeHint) Buffer() []byte {
	n := h.n.Load()
	if n <= 0 {
		n = 256
	}
	return make([]byte, 0, n+n/8)
}

// Observe records the size of an encoding, weighting recent ones.
func (h *SizeHint) Observe(n int) {
	old := h.n.Load()
	h.n.Store(old + (int64(n)-old)/4)
}
