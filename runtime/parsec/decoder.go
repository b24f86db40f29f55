package parsec

import (
	"sync"
	"unsafe"

	"github.com/go-faster/jx"
)

// Decoder is the tokenizer generated decoders read from: a jx.Decoder plus an
// arena that the decoded strings share. Copying every string into one chunk
// instead of allocating each on its own cuts a typical event's allocations
// by half; the price is that a string kept from a decoded value keeps its
// chunk (at most arenaChunk bytes) alive.
type Decoder struct {
	jx.Decoder
	arena []byte
}

// arenaChunk is the size of an arena chunk; longer strings get their own
// allocation.
const arenaChunk = 1024

var decoderPool = sync.Pool{New: func() any { return new(Decoder) }}

func getDecoder(data []byte) *Decoder {
	d := decoderPool.Get().(*Decoder)
	d.ResetBytes(data)
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
	d := &Decoder{}
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
		d.arena = make([]byte, 0, arenaChunk)
	}
	start := len(d.arena)
	d.arena = append(d.arena, b...)
	return d.arena[start : start+n : start+n]
}
