package parsec

import (
	"encoding/json"

	"github.com/go-faster/jx"
)

// Generated encoders append to a jx.Writer. Every member of an object or an
// array is written with a leading comma; ObjStart/ObjEnd and ArrStart/ArrEnd
// turn the first comma into the opening bracket, so optional members need no
// "first" bookkeeping.

// ObjStart begins an object and returns the mark ObjEnd needs.
func ObjStart(w *jx.Writer) int { return len(w.Buf) }

// ObjEnd closes the object begun at mark.
func ObjEnd(w *jx.Writer, mark int) {
	if len(w.Buf) == mark {
		w.Buf = append(w.Buf, '{', '}')
		return
	}
	w.Buf[mark] = '{'
	w.Buf = append(w.Buf, '}')
}

// ArrStart begins an array and returns the mark ArrEnd needs.
func ArrStart(w *jx.Writer) int { return len(w.Buf) }

// ArrEnd closes the array begun at mark.
func ArrEnd(w *jx.Writer, mark int) {
	if len(w.Buf) == mark {
		w.Buf = append(w.Buf, '[', ']')
		return
	}
	w.Buf[mark] = '['
	w.Buf = append(w.Buf, ']')
}

// Elem writes the comma that precedes an array element.
func Elem(w *jx.Writer) { w.Buf = append(w.Buf, ',') }

// Key writes the comma and the quoted key that precede an object member whose
// key is only known at run time.
func Key(w *jx.Writer, key string) {
	w.Buf = append(w.Buf, ',')
	w.Str(key)
	w.Buf = append(w.Buf, ':')
}

// EncodeRaw writes raw JSON text; an empty value (a RawMessage never set)
// is written as null so the output stays valid JSON.
func EncodeRaw(w *jx.Writer, raw json.RawMessage) {
	if len(raw) == 0 {
		w.Null()
		return
	}
	w.Buf = append(w.Buf, raw...)
}

// EncodeRawProperties writes every entry of props as an object member.
func EncodeRawProperties(w *jx.Writer, props *RawProperties) {
	for i := range props.entries {
		Key(w, props.entries[i].key)
		EncodeRaw(w, props.entries[i].val)
	}
}

// Finish copies the encoded bytes out of a pooled writer and returns it to
// the pool.
func Finish(w *jx.Writer) []byte {
	out := make([]byte, len(w.Buf))
	copy(out, w.Buf)
	jx.PutWriter(w)
	return out
}
