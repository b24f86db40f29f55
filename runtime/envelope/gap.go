package envelope

import (
	"math"
	"sort"
	"sync"
	"time"
)

// ObservationKind classifies a received sequence number against what was
// seen before on its (channel, producer) stream.
type ObservationKind uint8

// The kinds of observation.
const (
	// First: the first sequence seen on the stream. Deliver.
	First ObservationKind = iota + 1
	// InOrder: exactly the expected next sequence. Deliver.
	InOrder
	// Gap: a sequence beyond the expected one; Observation.Gap numbers were
	// skipped and are remembered as a hole. Deliver.
	Gap
	// Duplicate: a sequence already seen (at or below the high-water mark and
	// not in a reported hole). Drop.
	Duplicate
	// Late: a sequence inside a hole reported earlier by Gap; it is new.
	// Deliver.
	Late
	// Restart: the producer started counting again. Observed with ObserveNew
	// (the caller knows the envelope is new): a sequence at or below the
	// high-water mark, not in a hole, whatever its produced_at. With
	// produced_at known (ObserveAt, ObserveEnvelope): such a sequence produced
	// after the high-water envelope. Without it: the sequence fell back to 1,
	// or more than GapOptions.RestartDistance below the high-water mark. The
	// stream now follows the new run; the new run's sequences before this one
	// (1..seq-1) were missed (Observation.Gap counts them; no hole is kept:
	// an envelope of the new run that arrives later is classified like any
	// other). Deliver.
	Restart
)

// String returns the kind's name in lower case ("in_order").
func (k ObservationKind) String() string {
	switch k {
	case First:
		return "first"
	case InOrder:
		return "in_order"
	case Gap:
		return "gap"
	case Duplicate:
		return "duplicate"
	case Late:
		return "late"
	case Restart:
		return "restart"
	}
	return "invalid"
}

// Observation is what GapDetector.Observe learned from one sequence number.
type Observation struct {
	Kind ObservationKind
	// Gap is the number of sequences skipped: for Kind Gap, those between
	// Previous and this one; for Kind Restart, those of the new run before
	// this one (seq-1). 0 otherwise. The sequences a Gap skipped are
	// remembered as a hole, so a late arrival is Late, not a Duplicate.
	Gap int64
	// Expected is the sequence that would have been InOrder (Previous+1);
	// 0 for First.
	Expected int64
	// Previous is the stream's high-water mark before this observation;
	// 0 for First.
	Previous int64
}

// Deliver reports whether the envelope should be handed to handlers: every
// kind except Duplicate.
func (o Observation) Deliver() bool { return o.Kind != Duplicate && o.Kind != 0 }

// Range is an inclusive range of sequence numbers.
type Range struct {
	From, To int64
}

// Defaults for GapOptions fields left zero.
const (
	DefaultMaxStreams      = 10000
	DefaultMaxHoles        = 64
	DefaultRestartDistance = 1024
)

// GapOptions bounds a GapDetector. Zero fields take the defaults.
type GapOptions struct {
	// MaxStreams caps the (channel, producer) streams tracked. Past it, the
	// least recently observed stream is forgotten; if it reappears it starts
	// over with First. A stream holds at most MaxHoles holes and the
	// sequence and produced_at of its last 32 envelopes (512 bytes).
	MaxStreams int
	// MaxHoles caps the reported holes remembered per stream. Past it, the
	// oldest hole is forgotten and a late arrival into it is reported as
	// Duplicate (its loss was already reported as a Gap).
	MaxHoles int
	// RestartDistance: a sequence more than this far below the high-water
	// mark (and not in a hole) is a Restart rather than a Duplicate. A
	// negative value disables the rule; a fallback to 1 is always a Restart.
	// Both rules apply only when produced_at is not known (Observe, or a
	// stream set by Restore).
	RestartDistance int64
}

// GapDetector classifies received sequence numbers per (channel, producer
// id) stream, remembers reported holes so late arrivals are recognised, and
// answers deduplication queries. Memory is bounded by GapOptions. It is safe
// for concurrent use.
type GapDetector struct {
	opts GapOptions

	mu       sync.Mutex
	channels map[string]map[string]*stream
	n        int
	lru      stream // sentinel of a circular list, most recent first
}

type stream struct {
	channel, producer string
	high              int64
	highAt            int64   // produced_at of the high-water envelope, Unix ms; 0 unknown
	holes             []Range // reported, still-missing sequences, ascending
	recent            []seqAt // the last recentSize envelopes observed with a produced_at, a ring
	next0             int     // next slot of recent to overwrite once full
	prev, next        *stream
}

// seqAt is one observed envelope's sequence and produced_at.
type seqAt struct{ seq, at int64 }

// recentSize is how many recent envelopes a stream remembers to tell a copy
// of one of them (a replay after a resume position that lagged, a retried
// publish stored twice) from a restarted producer's new envelope.
const recentSize = 32

// remember records an observed envelope in the ring.
func (s *stream) remember(seq, at int64) {
	if at == 0 {
		return
	}
	if len(s.recent) < recentSize {
		s.recent = append(s.recent, seqAt{seq, at})
		return
	}
	s.recent[s.next0] = seqAt{seq, at}
	s.next0 = (s.next0 + 1) % recentSize
}

// copyOfRecent reports whether seq with produced_at at is one of the recent
// envelopes observed again.
func (s *stream) copyOfRecent(seq, at int64) bool {
	for _, r := range s.recent {
		if r.seq == seq && r.at == at {
			return true
		}
	}
	return false
}

// NewGapDetector returns a detector with the given bounds.
func NewGapDetector(opts GapOptions) *GapDetector {
	if opts.MaxStreams <= 0 {
		opts.MaxStreams = DefaultMaxStreams
	}
	if opts.MaxHoles <= 0 {
		opts.MaxHoles = DefaultMaxHoles
	}
	if opts.RestartDistance == 0 {
		opts.RestartDistance = DefaultRestartDistance
	}
	g := &GapDetector{opts: opts, channels: make(map[string]map[string]*stream)}
	g.lru.prev, g.lru.next = &g.lru, &g.lru
	return g
}

func (g *GapDetector) lookup(channel, producer string) *stream {
	return g.channels[channel][producer]
}

func (g *GapDetector) unlink(s *stream) {
	s.prev.next, s.next.prev = s.next, s.prev
}

func (g *GapDetector) pushFront(s *stream) {
	s.prev, s.next = &g.lru, g.lru.next
	s.prev.next, s.next.prev = s, s
}

func (g *GapDetector) touch(s *stream) {
	if g.lru.next != s {
		g.unlink(s)
		g.pushFront(s)
	}
}

func (g *GapDetector) remove(s *stream) {
	g.unlink(s)
	byProducer := g.channels[s.channel]
	delete(byProducer, s.producer)
	if len(byProducer) == 0 {
		delete(g.channels, s.channel)
	}
	g.n--
}

func (g *GapDetector) add(channel, producer string, high int64) *stream {
	for g.n >= g.opts.MaxStreams {
		g.remove(g.lru.prev)
	}
	s := &stream{channel: channel, producer: producer, high: high}
	byProducer := g.channels[channel]
	if byProducer == nil {
		byProducer = make(map[string]*stream)
		g.channels[channel] = byProducer
	}
	byProducer[producer] = s
	g.pushFront(s)
	g.n++
	return s
}

// Observe classifies seq, received on channel from producer, and updates the
// stream. A non-positive seq is invalid on the wire: it is reported as
// Duplicate (not delivered) and changes nothing. Prefer ObserveEnvelope,
// which also tells restarts from duplicates by produced_at.
func (g *GapDetector) Observe(channel, producer string, seq int64) Observation {
	return g.observe(channel, producer, seq, 0, false)
}

// ObserveNew is ObserveEnvelope for an envelope the caller believes is a new
// publication, for example because the server stream delivered it past
// every position already handled. A sequence at or below the high-water
// mark and outside every hole is then a producer that restarted its
// numbering, a Restart whatever produced_at says (a restarted producer's
// clock may be behind its old run's) — unless it has the sequence and
// produced_at of one of the last envelopes observed on the stream: that is
// the same envelope again (a replay from a position that lagged, a retried
// publish stored twice), a Duplicate.
func (g *GapDetector) ObserveNew(e *Envelope) Observation {
	return g.observe(e.Channel, e.Producer.ID, e.Sequence, unixMilli(e.ProducedAt), true)
}

// ObserveEnvelope is ObserveAt with e's channel, producer id, sequence and
// produced_at.
func (g *GapDetector) ObserveEnvelope(e *Envelope) Observation {
	return g.ObserveAt(e.Channel, e.Producer.ID, e.Sequence, e.ProducedAt)
}

// ObserveAt is Observe knowing when the envelope was produced. A sequence
// at or below the high-water mark and outside every hole is then a Restart
// if it was produced after the high-water envelope (the producer lost its
// counters), and a Duplicate otherwise — including old envelopes from before
// the stream was first seen, such as a history replay, which Observe alone
// would take for a restart when their sequence is 1. Timestamps compare at
// millisecond precision, the precision of the wire form; a zero producedAt
// falls back to Observe's rules.
func (g *GapDetector) ObserveAt(channel, producer string, seq int64, producedAt time.Time) Observation {
	return g.observe(channel, producer, seq, unixMilli(producedAt), false)
}

// unixMilli returns t in Unix milliseconds, 0 for the zero time.
func unixMilli(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	if at := t.UnixMilli(); at != 0 {
		return at
	}
	return 1 // keep 0 for "unknown"; the epoch itself is never a real produced_at
}

func (g *GapDetector) observe(channel, producer string, seq, at int64, isNew bool) Observation {
	if seq <= 0 {
		return Observation{Kind: Duplicate}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	s := g.lookup(channel, producer)
	if s == nil {
		s = g.add(channel, producer, seq)
		s.highAt = at
		s.remember(seq, at)
		return Observation{Kind: First}
	}
	g.touch(s)
	o := Observation{Previous: s.high, Expected: s.high + 1}
	if s.high == math.MaxInt64 {
		o.Expected = math.MaxInt64 // nothing can follow; keep the field from wrapping
	}
	// Comparisons are written as differences from s.high so that they
	// cannot overflow next to math.MaxInt64.
	switch {
	case seq > s.high && seq-s.high == 1:
		o.Kind = InOrder
		s.high, s.highAt = seq, at
	case seq > s.high:
		o.Kind, o.Gap = Gap, seq-s.high-1
		s.addHole(Range{From: s.high + 1, To: seq - 1}, g.opts.MaxHoles)
		s.high, s.highAt = seq, at
	case s.fillHole(seq, g.opts.MaxHoles):
		o.Kind = Late
	case isNew && !s.copyOfRecent(seq, at) || !isNew && g.restarted(s, seq, at):
		o.Kind, o.Gap = Restart, seq-1
		s.high, s.highAt, s.holes = seq, at, nil
		s.recent, s.next0 = s.recent[:0], 0
	default:
		o.Kind = Duplicate
		return o
	}
	s.remember(seq, at)
	return o
}

// restarted decides between Restart and Duplicate for a sequence at or below
// the high-water mark that is in no hole.
func (g *GapDetector) restarted(s *stream, seq, at int64) bool {
	if at != 0 && s.highAt != 0 {
		return at > s.highAt
	}
	return seq == 1 && s.high > 1 ||
		g.opts.RestartDistance >= 0 && s.high-seq > g.opts.RestartDistance
}

func (s *stream) addHole(r Range, maxHoles int) {
	s.holes = append(s.holes, r)
	if len(s.holes) > maxHoles {
		s.holes = append(s.holes[:0], s.holes[len(s.holes)-maxHoles:]...)
	}
}

// holeIndex returns the index of the hole containing seq, or -1.
func (s *stream) holeIndex(seq int64) int {
	i := sort.Search(len(s.holes), func(i int) bool { return s.holes[i].To >= seq })
	if i < len(s.holes) && s.holes[i].From <= seq {
		return i
	}
	return -1
}

// fillHole removes seq from the holes, reporting whether it was in one.
func (s *stream) fillHole(seq int64, maxHoles int) bool {
	i := s.holeIndex(seq)
	if i < 0 {
		return false
	}
	h := s.holes[i]
	switch {
	case h.From == seq && h.To == seq:
		s.holes = append(s.holes[:i], s.holes[i+1:]...)
	case h.From == seq:
		s.holes[i].From++
	case h.To == seq:
		s.holes[i].To--
	default: // split in two
		s.holes = append(s.holes, Range{})
		copy(s.holes[i+2:], s.holes[i+1:])
		s.holes[i] = Range{From: h.From, To: seq - 1}
		s.holes[i+1] = Range{From: seq + 1, To: h.To}
		if len(s.holes) > maxHoles {
			s.holes = append(s.holes[:0], s.holes[1:]...)
		}
	}
	return true
}

// Seen reports whether seq on (channel, producer) was already observed: it is
// at or below the high-water mark and not in a remembered hole. Sequences
// below the first one observed count as seen (they predate the
// subscription). An untracked stream has seen nothing.
func (g *GapDetector) Seen(channel, producer string, seq int64) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	s := g.lookup(channel, producer)
	return s != nil && seq > 0 && seq <= s.high && s.holeIndex(seq) < 0
}

// HighWater returns the highest sequence observed on (channel, producer) in
// its current run, and whether the stream is tracked.
func (g *GapDetector) HighWater(channel, producer string) (int64, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if s := g.lookup(channel, producer); s != nil {
		return s.high, true
	}
	return 0, false
}

// Missing returns the holes reported on (channel, producer) that are still
// open, ascending.
func (g *GapDetector) Missing(channel, producer string) []Range {
	g.mu.Lock()
	defer g.mu.Unlock()
	if s := g.lookup(channel, producer); s != nil && len(s.holes) > 0 {
		return append([]Range(nil), s.holes...)
	}
	return nil
}

// Positions returns the high-water mark of every tracked producer on
// channel, keyed by producer id: what a client needs to resume and to
// deduplicate a replay after reconnecting.
func (g *GapDetector) Positions(channel string) map[string]int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	byProducer := g.channels[channel]
	m := make(map[string]int64, len(byProducer))
	for producer, s := range byProducer {
		m[producer] = s.high
	}
	return m
}

// Restore sets the high-water marks of channel's streams from positions
// (as returned by Positions), for example in a new detector after a restart.
// Restored streams have no holes; non-positive marks are ignored.
func (g *GapDetector) Restore(channel string, positions map[string]int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for producer, high := range positions {
		if high <= 0 {
			continue
		}
		if s := g.lookup(channel, producer); s != nil {
			s.high, s.highAt, s.holes = high, 0, nil
			g.touch(s)
			continue
		}
		g.add(channel, producer, high)
	}
}

// Forget drops every stream of channel, for example after unsubscribing.
func (g *GapDetector) Forget(channel string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, s := range g.channels[channel] {
		g.remove(s)
	}
}

// Len returns the number of streams tracked.
func (g *GapDetector) Len() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.n
}
