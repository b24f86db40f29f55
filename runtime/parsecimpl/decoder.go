package parsecimpl

import (
	"bytes"
	"encoding/json"
	"sync"
	"unsafe"

	"github.com/go-faster/jx"

	"github.com/parsec-gen/parsec-gen/runtime/parsec"
)

// Decoder is the tokenizer generated decoders read from: a jx.Decoder plus an
// arena that the decoded strings share. Copying every string into one chunk
// instead of allocating each on its own cuts a typical event's allocations
// by half; the price is that a string kept from a decoded value keeps its
// chunk (at most arenaChunk bytes) alive.
type Decoder struct {
	jx.Decoder
	arena    []byte
	inputLen int
}

// arenaChunk is the size of an arena chunk; longer strings get their own
// allocation.
const arenaChunk = 1024

var decoderPool = sync.Pool{New: func() any { return new(Decoder) }}

func getDecoder(data []byte) *Decoder {
	d := decoderPool.Get().(*Decoder)
	d.ResetBytes(data)
	d.inputLen = len(data)
	return d
}

func putDecoder(d *Decoder) {
	d.ResetBytes(nil)
	// The strings handed out share the chunk: it must never be written again.
	d.arena = nil
	decoderPool.Put(d)
}

// NewDecoder returns a Decoder reading data, for decoding outside of
// [Unmarshal] (tests, streaming callers).
func NewDecoder(data []byte) *Decoder {
	d := &Decoder{inputLen: len(data)}
	d.ResetBytes(data)
	return d
}

// Keep returns b as a string that stays valid after the decoder moves on
// (b usually points into the input buffer).
func (d *Decoder) Keep(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	c := d.keepBytes(b)
	return unsafe.String(unsafe.SliceData(c), len(c))
}

// keepBytes copies b into the arena. The result's capacity ends at its
// length, so appending to it can never write over bytes handed out later;
// arena bytes, once handed out, are never written again.
func (d *Decoder) keepBytes(b []byte) []byte {
	n := len(b)
	if n > arenaChunk/4 {
		return append([]byte(nil), b...)
	}
	if cap(d.arena)-len(d.arena) < n {
		// The first chunk is sized from the input (its strings cannot
		// outgrow it), later ones at full size.
		size := arenaChunk
		if d.arena == nil {
			size = min(max(d.inputLen/2, 64, n), arenaChunk)
		}
		d.arena = make([]byte, 0, size)
	}
	start := len(d.arena)
	d.arena = append(d.arena, b...)
	return d.arena[start : start+n : start+n]
}

// Sub returns a decoder over raw (a value captured from d) that shares d's
// arena; d must not be used until the sub-decoder is handed back with End.
// Generated union decoders use it to look at a value before choosing the
// variant that decodes it.
func (d *Decoder) Sub(raw []byte) *Decoder {
	s := &Decoder{arena: d.arena, inputLen: len(raw)}
	s.ResetBytes(raw)
	return s
}

// End takes back the arena of a sub-decoder returned by Sub.
func (d *Decoder) End(sub *Decoder) {
	d.arena = sub.arena
}

// Capture reads the next value and returns its raw text, which stays valid
// while the input does.
func Capture(d *Decoder) ([]byte, error) {
	raw, err := d.Raw()
	if err != nil {
		return nil, SyntaxError(err)
	}
	return raw, nil
}

// DecodeJSON decodes the next value with encoding/json into v (for x-go-type
// values).
func DecodeJSON(d *Decoder, v any) error {
	raw, err := Capture(d)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return &parsec.ValidationError{Message: err.Error(), Err: err}
	}
	return nil
}

// Member returns the value of property key in the JSON object raw as compact
// JSON text, and whether raw is an object that has it.
func Member(raw []byte, key string) (string, bool) {
	d := jx.DecodeBytes(raw)
	if d.Next() != jx.Object {
		return "", false
	}
	var out string
	found := false
	// Errors only mean raw is not a well-formed object; the caller then
	// finds no member and reports the value as matching no variant.
	err := d.ObjBytes(func(d *jx.Decoder, k []byte) error {
		if found || string(k) != key {
			return d.Skip()
		}
		v, err := d.Raw()
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, v); err != nil {
			return err
		}
		out, found = buf.String(), true
		return nil
	})
	if err != nil {
		return "", false
	}
	return out, found
}

// CompactJSON returns raw as compact JSON text, for comparing a value with
// the constants of an enum or const of mixed kinds.
func CompactJSON(raw []byte) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		// raw came from the tokenizer, which has already checked it.
		return string(raw)
	}
	return buf.String()
}
