package client

import (
	"encoding/json"
	"fmt"

	"github.com/parsec-gen/parsec-gen/runtime/envelope"
)

// GapDetection says how a producer's loss was noticed.
type GapDetection uint8

// How a gap is detected.
const (
	// GapSequenceJump: the producer's next envelope skipped sequence numbers
	// while the stream reported no loss (the producer never published them,
	// or they went missing on the way).
	GapSequenceJump GapDetection = iota + 1
	// GapUnrecoverable: the stream reported a position it could not recover;
	// the producer's next envelope after the refill from history showed how
	// many of its numbers history no longer held.
	GapUnrecoverable
	// GapRestart: the producer restarted its numbering and the new run's
	// first numbers were not received.
	GapRestart
)

// String returns the detection's name in lower case ("sequence_jump").
func (d GapDetection) String() string {
	switch d {
	case GapSequenceJump:
		return "sequence_jump"
	case GapUnrecoverable:
		return "unrecoverable"
	case GapRestart:
		return "restart"
	}
	return fmt.Sprintf("detection(%d)", int(d))
}

// GapReport describes one producer's loss: the sequence numbers First..Last
// (inclusive, Missed of them) that the subscription has not delivered and,
// unless MayFill, never will. OnGapReport hooks receive it; OnGap hooks
// receive the same Missed for the same loss, once.
type GapReport struct {
	Channel  string
	Producer string
	First    int64
	Last     int64
	Missed   int64
	// Detection says how the loss was noticed.
	Detection GapDetection
	// MayFill is true when nothing said the numbers are gone (a plain
	// sequence jump): an envelope that fills the hole later is still
	// delivered. After an unrecoverable stream position or a restart the
	// numbers are known to be gone.
	MayFill bool
}

// lossWindow follows one unrecoverable stream position until every producer
// known before it was heard from again, so that the stream's count is
// reported once, split per producer, and only the rest as a stream loss.
type lossWindow struct {
	missed     int64               // publications the stream lost; -1 unknown (already reported)
	attributed int64               // of those, numbers producers' next envelopes showed missing
	pending    map[string]struct{} // producers known before the loss, not heard from since
}

// openLoss starts a loss window for an unrecoverable stream position,
// settling the previous one. Dispatch goroutine only.
func (s *Subscription) openLoss(ev StreamEvent) {
	s.settleLoss()
	if ev.Missed == 0 {
		return // the position was lost but nothing was missed
	}
	w := &lossWindow{missed: ev.Missed, pending: make(map[string]struct{})}
	for producer := range s.gaps.Positions(s.channel) {
		w.pending[producer] = struct{}{}
	}
	if ev.Missed < 0 {
		// An unknown count cannot be split: say so at once. Producers'
		// next envelopes still report their own exact losses.
		s.report(&GapError{Channel: s.channel, Missed: -1, Event: &ev})
	}
	s.loss = w
	if len(w.pending) == 0 {
		s.settleLoss()
	}
}

// heardFrom notes an envelope of producer after a loss and reports whether
// the producer was known before it (so a jump it shows belongs to the loss).
func (s *Subscription) heardFrom(producer string) bool {
	w := s.loss
	if w == nil {
		return false
	}
	if _, ok := w.pending[producer]; !ok {
		return false
	}
	delete(w.pending, producer)
	return true
}

// settleLoss ends the loss window: what producers did not account for is
// reported once, as a stream-level loss through the error hooks.
func (s *Subscription) settleLoss() {
	w := s.loss
	if w == nil {
		return
	}
	s.loss = nil
	if w.missed > 0 && w.missed > w.attributed {
		s.report(&GapError{Channel: s.channel, Missed: w.missed - w.attributed})
	}
}

// observed turns one observation into at most one gap report.
func (s *Subscription) observed(env *envelope.Envelope, obs envelope.Observation) {
	afterLoss := s.heardFrom(env.Producer.ID)
	r := GapReport{Channel: s.channel, Producer: env.Producer.ID}
	switch obs.Kind {
	case envelope.Gap:
		r.First, r.Last, r.Missed = obs.Previous+1, env.Sequence-1, obs.Gap
		r.Detection, r.MayFill = GapSequenceJump, !afterLoss
		if afterLoss {
			r.Detection = GapUnrecoverable
		}
	case envelope.Restart:
		if obs.Gap > 0 {
			r.First, r.Last, r.Missed, r.Detection = 1, env.Sequence-1, obs.Gap, GapRestart
		}
	}
	if r.Missed > 0 {
		if afterLoss {
			s.loss.attributed += r.Missed
		}
		s.gap(r)
	}
	if s.loss != nil && len(s.loss.pending) == 0 {
		s.settleLoss()
	}
}

// ResumeState is everything a subscription needs to resume in another
// process without losing sight of a loss: the server stream position after
// the last publication read, and the high-water mark of every producer seen
// on the channel. Persist it (MarshalBinary) and pass it back with
// WithResumeState: a producer's numbers skipped while the subscriber was
// down are then reported when its next envelope arrives. Its size is bounded
// by the gap detector's GapOptions.MaxStreams producers.
type ResumeState struct {
	// Position is valid when PositionKnown: the transport reported stream
	// positions.
	Position      StreamPosition
	PositionKnown bool
	// Producers maps producer id to the highest sequence seen in its
	// current run.
	Producers map[string]int64
}

// resumeStateVersion is the version of ResumeState's encoding.
const resumeStateVersion = 1

// MaxResumeStateSize bounds an encoded ResumeState that UnmarshalBinary
// accepts.
const MaxResumeStateSize = 4 << 20

type resumeStateWire struct {
	Version   int              `json:"v"`
	Offset    uint64           `json:"offset,omitempty"`
	Epoch     string           `json:"epoch,omitempty"`
	Known     bool             `json:"known,omitempty"`
	Producers map[string]int64 `json:"producers,omitempty"`
}

// MarshalBinary encodes the state as one versioned JSON object (producers
// in sorted order, so equal states encode to equal bytes).
func (r ResumeState) MarshalBinary() ([]byte, error) {
	return json.Marshal(resumeStateWire{Version: resumeStateVersion, Offset: r.Position.Offset, Epoch: r.Position.Epoch,
		Known: r.PositionKnown, Producers: r.Producers})
}

// UnmarshalBinary decodes what MarshalBinary wrote. It rejects another
// version, more than MaxResumeStateSize bytes, and non-positive marks.
func (r *ResumeState) UnmarshalBinary(data []byte) error {
	if len(data) > MaxResumeStateSize {
		return fmt.Errorf("parsec: resume state: %d bytes, over the %d-byte limit", len(data), MaxResumeStateSize)
	}
	var w resumeStateWire
	if err := json.Unmarshal(data, &w); err != nil {
		return fmt.Errorf("parsec: resume state: %w", err)
	}
	if w.Version != resumeStateVersion {
		return fmt.Errorf("parsec: resume state: version %d, want %d", w.Version, resumeStateVersion)
	}
	for p, n := range w.Producers {
		if n <= 0 {
			return fmt.Errorf("parsec: resume state: producer %q: mark %d, want > 0", p, n)
		}
	}
	*r = ResumeState{Position: StreamPosition{Offset: w.Offset, Epoch: w.Epoch}, PositionKnown: w.Known, Producers: w.Producers}
	return nil
}

// ResumeState returns the subscription's resume state. The position and the
// marks are taken together: every publication the position counts as read
// is in the marks.
func (s *Subscription) ResumeState() ResumeState {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := ResumeState{Producers: s.gaps.Positions(s.channel)}
	if s.posKnown {
		st.Position, st.PositionKnown = s.positionLocked(), true
	}
	return st
}

// WithResumeState resumes from a state saved by Subscription.ResumeState in
// an earlier run: the transport resumes after its position (when known), and
// the producers' marks are restored, so numbers a producer skipped meanwhile
// are reported.
func WithResumeState(st ResumeState) SubscribeOption {
	return func(o *SubscribeOptions) {
		if st.PositionKnown {
			pos := st.Position
			o.Since = &pos
		}
		o.Producers = st.Producers
	}
}
