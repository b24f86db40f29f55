package envelope

import (
	"context"
	"sync"
	"sync/atomic"
)

// SequenceTracker issues the per-channel sequence numbers of ONE producer:
// the first envelope on a channel gets 1, the next 2, and so on. It is safe
// for concurrent use.
//
// A publish must not leave a gap when it fails before reaching the wire
// (validation, encoding, size limit). Reserve supports that: it takes the
// channel's turn and tells the number the next envelope will carry; Commit
// consumes the number, Abort hands it back to the next reservation. While a
// reservation is open, other reservations on the same channel wait, so
// concurrent publishers on one channel get consecutive numbers in the order
// they commit, and a publisher that keeps the reservation until its envelope
// is handed to the transport also keeps wire order equal to sequence order.
// Other channels are never blocked.
//
// For persistence, Snapshot and Restore save and load the counters; Version
// changes whenever a counter does, so a snapshotter can poll it and write only
// when something changed (coalescing many publishes into one write).
type SequenceTracker struct {
	channels sync.Map // channel name -> *seqChannel
	version  atomic.Uint64
}

type seqChannel struct {
	turn chan struct{} // holds one token while a reservation is open
	last atomic.Int64  // last committed number
}

// NewSequenceTracker returns a tracker with no channels.
func NewSequenceTracker() *SequenceTracker {
	return &SequenceTracker{}
}

func (t *SequenceTracker) channel(name string) *seqChannel {
	if c, ok := t.channels.Load(name); ok {
		return c.(*seqChannel)
	}
	c, _ := t.channels.LoadOrStore(name, &seqChannel{turn: make(chan struct{}, 1)})
	return c.(*seqChannel)
}

// Next issues and commits the next number for channel. Use Reserve instead
// when the publish can still fail after the number is chosen.
func (t *SequenceTracker) Next(channel string) int64 {
	c := t.channel(channel)
	c.turn <- struct{}{}
	seq := c.last.Load() + 1
	c.last.Store(seq)
	t.version.Add(1)
	<-c.turn
	return seq
}

// Peek returns the last number issued on channel, 0 if none.
func (t *SequenceTracker) Peek(channel string) int64 {
	c, ok := t.channels.Load(channel)
	if !ok {
		return 0
	}
	return c.(*seqChannel).last.Load()
}

// Reserve waits for channel's turn and returns a reservation for the next
// number. The caller must end it with exactly one Commit or Abort; until then
// other reservations on channel wait.
func (t *SequenceTracker) Reserve(channel string) *Reservation {
	c := t.channel(channel)
	c.turn <- struct{}{}
	return &Reservation{t: t, c: c, seq: c.last.Load() + 1}
}

// ReserveContext is Reserve that gives up when ctx is done while waiting for
// the channel's turn, returning ctx's error.
func (t *SequenceTracker) ReserveContext(ctx context.Context, channel string) (*Reservation, error) {
	c := t.channel(channel)
	// A free turn is taken without the two-way select (a quarter of the
	// cost of an uncontended reservation); only a busy one waits on ctx.
	select {
	case c.turn <- struct{}{}:
		return &Reservation{t: t, c: c, seq: c.last.Load() + 1}, nil
	default:
	}
	select {
	case c.turn <- struct{}{}:
		return &Reservation{t: t, c: c, seq: c.last.Load() + 1}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Snapshot returns the last number issued on every channel used so far.
func (t *SequenceTracker) Snapshot() map[string]int64 {
	m := make(map[string]int64)
	t.channels.Range(func(name, c any) bool {
		if v := c.(*seqChannel).last.Load(); v > 0 {
			m[name.(string)] = v
		}
		return true
	})
	return m
}

// Restore raises the last issued number of each channel in m to the value
// in m, typically from a Snapshot saved before a restart, so that numbering
// continues instead of starting again at 1. It never lowers a counter: a
// number issued twice would make receivers drop the second envelope as a
// duplicate. Channels not in m keep their counters. Restore waits for open
// reservations on the channels it sets.
func (t *SequenceTracker) Restore(m map[string]int64) {
	for name, v := range m {
		c := t.channel(name)
		c.turn <- struct{}{}
		if v > c.last.Load() {
			c.last.Store(v)
		}
		<-c.turn
	}
	t.version.Add(1)
}

// Version returns a counter that changes whenever any channel's number is
// committed or restored. A snapshotter compares it with the version it last
// saved to skip writes when nothing changed.
func (t *SequenceTracker) Version() uint64 { return t.version.Load() }

// Reservation is one channel's turn to publish, holding the number the
// envelope will carry. End it with Commit or Abort; later calls of either
// are no-ops.
type Reservation struct {
	t    *SequenceTracker
	c    *seqChannel
	seq  int64
	done atomic.Bool
}

// Seq returns the reserved sequence number.
func (r *Reservation) Seq() int64 { return r.seq }

// Commit consumes the number and releases the channel's turn.
func (r *Reservation) Commit() {
	if r.done.Swap(true) {
		return
	}
	r.c.last.Store(r.seq)
	r.t.version.Add(1)
	<-r.c.turn
}

// Abort releases the channel's turn without consuming the number: the next
// reservation on the channel gets the same one.
func (r *Reservation) Abort() {
	if r.done.Swap(true) {
		return
	}
	<-r.c.turn
}
