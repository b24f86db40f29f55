package parsecimpl

import "sync/atomic"

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
