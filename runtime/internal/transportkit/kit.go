// Package transportkit is the stream bookkeeping every transport of this
// module needs, written once: the error of a transport used after Close, the
// reconnect backoff, a context-aware sleep, and the rule that classifies a
// publication's offset against the last one handed over (a duplicate to
// drop, or the run of offsets that will never arrive, which the transport
// reports as client.EventUnrecoverable).
//
// It imports nothing of the runtime, so runtime/client (the memory
// transport) and runtime/transport/... (ws, sse) all use it. What a
// transport reports stays its own: this package decides, the transport
// builds the client.StreamEvent.
package transportkit

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// ErrClosed is the one error every transport of this module returns when it
// is used after Close. client.ErrTransportClosed, ws.ErrClosed and
// sse.ErrClosed are this value, so errors.Is matches any of them.
var ErrClosed = errors.New("parsec: transport closed")

// Backoff is an exponential backoff with "equal jitter": the delay before
// attempt n (from 0) is Min doubled n times, capped at Max; half of it is
// fixed and half random, so a retry never comes sooner than half the step
// and many clients do not retry in step.
type Backoff struct {
	Min, Max time.Duration
}

// Delay returns the wait before attempt n, in [d/2, d) for the step d. r
// returns a number in [0, 1) for the jitter (rand.Float64 when nil).
func (b Backoff) Delay(n int, r func() float64) time.Duration {
	d := b.Min
	for i := 0; i < n && d < b.Max; i++ {
		if d > b.Max/2 { // doubling would pass Max (or overflow)
			d = b.Max
			break
		}
		d *= 2
	}
	d = min(d, b.Max)
	if d <= 0 {
		return 0
	}
	if r == nil {
		r = rand.Float64
	}
	return time.Duration(float64(d) * (0.5 + r()/2))
}

// Sleep waits d or until ctx is done, returning ctx's error then.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Gap is a run of stream offsets, From through To, that a subscriber will
// not receive. The zero Gap is empty.
type Gap struct {
	From, To uint64
}

// Empty reports whether g holds no offset.
func (g Gap) Empty() bool { return g.From == 0 || g.To < g.From }

// Missed is the number of publications in g.
func (g Gap) Missed() int64 {
	if g.Empty() {
		return 0
	}
	return int64(g.To - g.From + 1)
}

// Error describes g as lost from history, as every transport reports it.
func (g Gap) Error() string {
	return fmt.Sprintf("offsets %d..%d are no longer in history", g.From, g.To)
}

// Cursor is the offset of the last publication a stream handed over (or the
// point it starts after). Known is false while the stream has no position
// (a fresh subscription before the server told one, a server that keeps
// no stream for the channel): then nothing is a duplicate and nothing is
// missed.
type Cursor struct {
	Offset uint64
	Known  bool
}

// Next classifies a publication at offset off arriving after c: a
// duplicate (at or below c, from a replay overlapping the resume point) is
// dropped; otherwise gap holds the offsets between c and off that never
// arrived. An offset of 0 means the server gave none: never a duplicate,
// never a gap.
func (c Cursor) Next(off uint64) (duplicate bool, gap Gap) {
	if off == 0 || !c.Known {
		return false, Gap{}
	}
	if off <= c.Offset {
		return true, Gap{}
	}
	if off > c.Offset+1 {
		return false, Gap{From: c.Offset + 1, To: off - 1}
	}
	return false, Gap{}
}

// Upto returns the gap between c and a stream whose next retained offset is
// first: what a replay starting at first cannot give back.
func (c Cursor) Upto(first uint64) Gap {
	_, g := c.Next(first)
	return g
}
