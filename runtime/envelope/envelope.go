// Package envelope defines the Parsec message envelope: the wire object that
// wraps every aspect payload with its channel, producer, per-producer sequence,
// causation and schema reference.
//
// The JSON form is wire-compatible with Parsec servers:
//
//	{
//	  "channel": "orders:eu",
//	  "sequence": 42,
//	  "produced_at": "2026-05-27T14:22:09.331Z",
//	  "producer": {"id": "billing-1", "kind": "service"},
//	  "aspect": "order_placed",
//	  "schema_ref": "https://schemas.example.com/order_placed.json",
//	  "causation": {"parent_channel": "carts:eu", "parent_sequence": 7},
//	  "payload": {"order_id": "o-1"}
//	}
//
// produced_at is written in UTC with exactly three fractional digits; any
// RFC 3339 time is accepted on read and kept to the millisecond. schema_ref,
// causation (and its parent_producer) and payload are omitted when empty.
//
// Encode, AppendEncode and Decode (and the same methods on Codec, which sets
// the size limit) are hand-written single passes over the JSON, with no
// reflection; Envelope's MarshalJSON and UnmarshalJSON give encoding/json users
// the same wire form. Decoding never panics on arbitrary input: what is not a
// valid envelope is an error that names the field, and input that is no
// envelope at all (not an object, or an object with none of the envelope's
// keys) is reported as ErrNotEnvelope with its first bytes or its keys. Unknown top-level keys
// (newer peers may add fields) are kept in Envelope.Extra and written back by
// Encode, so forwarding or re-encoding an envelope loses nothing; unknown keys
// inside producer and causation are skipped. A repeated key is an error. null reads as
// absent for schema_ref, causation and parent_producer; a null payload is
// kept as the JSON value null.
//
// SequenceTracker numbers one producer's envelopes per channel without gaps,
// and GapDetector classifies the sequences a subscriber receives per
// (channel, producer) stream: in order, gap, late arrival, duplicate, restart.
package envelope

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/go-faster/jx"
)

// ProducerKind says what kind of party produced an envelope.
type ProducerKind string

// The producer kinds a valid envelope may carry.
const (
	ProducerUser    ProducerKind = "user"
	ProducerAgent   ProducerKind = "agent"
	ProducerService ProducerKind = "service"
)

// Producer identifies who published an envelope. Sequences are counted per
// producer, so (Channel, Producer.ID) is the key of a sequence stream.
type Producer struct {
	ID   string       `json:"id"`
	Kind ProducerKind `json:"kind"`
}

// Causation points at the envelope whose handling caused this one.
// A root envelope has no causation.
type Causation struct {
	ParentChannel  string `json:"parent_channel"`
	ParentSequence int64  `json:"parent_sequence"`
	// ParentProducer is the producer of the parent envelope. A sequence only
	// identifies an envelope together with its producer; older peers omit it.
	ParentProducer string `json:"parent_producer,omitempty"`
}

// Envelope is one message on a channel.
type Envelope struct {
	Channel    string          `json:"channel"`
	Sequence   int64           `json:"sequence"`
	ProducedAt time.Time       `json:"produced_at"`
	Producer   Producer        `json:"producer"`
	Aspect     string          `json:"aspect"`
	SchemaRef  string          `json:"schema_ref,omitempty"`
	Causation  *Causation      `json:"causation,omitempty"`
	Payload    json.RawMessage `json:"payload,omitempty"`

	// Extra holds the top-level members this version of the envelope does
	// not know, as one JSON object in the order they arrived ({"trace":
	// "t-1","ttl":30}); nil when there were none. Decode fills it and Encode
	// writes its members after the known ones, so a field a newer peer adds
	// survives being decoded and re-encoded or forwarded here. When set by
	// hand it must be a JSON object that repeats none of the keys above.
	Extra json.RawMessage `json:"-"`
}

// Valid reports whether k is one of the producer kinds defined by the wire
// format.
func (k ProducerKind) Valid() bool {
	switch k {
	case ProducerUser, ProducerAgent, ProducerService:
		return true
	}
	return false
}

// Sentinel errors, one per validation rule. Errors returned by Validate,
// Encode and Decode wrap one of them (test with errors.Is) and name the field.
var (
	// ErrChannel: the channel is empty.
	ErrChannel = errors.New("envelope: invalid channel")
	// ErrAspect: the aspect is empty.
	ErrAspect = errors.New("envelope: invalid aspect")
	// ErrProducerID: the producer id is empty.
	ErrProducerID = errors.New("envelope: invalid producer id")
	// ErrProducerKind: the producer kind is not user, agent or service.
	ErrProducerKind = errors.New("envelope: invalid producer kind")
	// ErrSequence: the sequence is not positive.
	ErrSequence = errors.New("envelope: invalid sequence")
	// ErrProducedAt: produced_at is not set or not representable in RFC 3339
	// (year outside 0000-9999).
	ErrProducedAt = errors.New("envelope: invalid produced_at")
	// ErrCausation: a causation is present but its parent channel is empty or
	// its parent sequence is not positive.
	ErrCausation = errors.New("envelope: invalid causation")
	// ErrPayload: the payload is not exactly one valid JSON value.
	ErrPayload = errors.New("envelope: invalid payload")
	// ErrMalformed: the input is not an envelope object of the right shape
	// (not JSON, not an object, a field of the wrong type, a duplicate key).
	ErrMalformed = errors.New("envelope: malformed")
	// ErrTooLarge: the encoded envelope exceeds the size limit. The error is a
	// *SizeError carrying both sizes.
	ErrTooLarge = errors.New("envelope: too large")
	// ErrNotEnvelope: the input is not a Parsec envelope at all (not a JSON
	// object, or an object with none of the envelope's keys); the message
	// says what it looked like. It also matches ErrMalformed.
	ErrNotEnvelope error = &refinedError{msg: "envelope: not a Parsec envelope", parent: ErrMalformed}
)

// refinedError is a sentinel that also matches a broader one.
type refinedError struct {
	msg    string
	parent error
}

func (e *refinedError) Error() string        { return e.msg }
func (e *refinedError) Is(target error) bool { return target == e.parent }

// FieldError reports a problem with one field of an envelope. Field is the
// JSON key, dotted for nested fields ("producer.kind"), or empty for the
// envelope as a whole. Err is the sentinel it wraps.
type FieldError struct {
	Field string
	Msg   string
	Err   error
}

// Error formats the error as `envelope: field "sequence": must be positive, got 0`.
func (e *FieldError) Error() string {
	if e.Field == "" {
		return "envelope: " + e.Msg
	}
	return "envelope: field " + quote(e.Field) + ": " + e.Msg
}

// Unwrap returns the sentinel error.
func (e *FieldError) Unwrap() error { return e.Err }

func quote(s string) string { return fmt.Sprintf("%q", s) }

func fieldErr(sentinel error, field, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...), Err: sentinel}
}

// Validate checks the rules every envelope on the wire satisfies. It returns
// the first violation found, as a *FieldError wrapping one of ErrChannel,
// ErrAspect, ErrProducerID, ErrProducerKind, ErrSequence, ErrProducedAt,
// ErrCausation, ErrPayload, or ErrMalformed for an Extra that is not a JSON
// object or repeats a known key.
func (e *Envelope) Validate() error {
	if err := e.validateFields(); err != nil {
		return err
	}
	if len(e.Payload) > 0 && !jx.Valid(e.Payload) {
		return fieldErr(ErrPayload, "payload", "not a valid JSON value")
	}
	if len(e.Extra) > 0 {
		return validateExtra(e.Extra)
	}
	return nil
}

// validateExtra checks that extra is one JSON object none of whose keys is
// one the codec writes itself (a duplicate key would make the envelope
// undecodable).
func validateExtra(extra []byte) error {
	d := jx.DecodeBytes(extra)
	if t := d.Next(); t != jx.Object {
		return fieldErr(ErrMalformed, "", "Extra: expected a JSON object, got %s", typeName(t))
	}
	err := d.ObjBytes(func(d *jx.Decoder, key []byte) error {
		switch string(key) {
		case "channel", "sequence", "produced_at", "producer", "aspect", "schema_ref", "causation", "payload":
			return fieldErr(ErrMalformed, string(key), "Extra repeats a key the envelope has")
		}
		return d.Skip()
	})
	if err == nil {
		if err = d.Skip(); err == io.EOF {
			return nil
		}
		err = errors.New("unexpected data after the object")
	}
	return structural("", err)
}

// validateFields is Validate without the payload check, for callers that
// have already checked the payload while parsing it.
func (e *Envelope) validateFields() error {
	if e.Channel == "" {
		return fieldErr(ErrChannel, "channel", "must not be empty")
	}
	if e.Sequence <= 0 {
		return fieldErr(ErrSequence, "sequence", "must be positive, got %d", e.Sequence)
	}
	if e.ProducedAt.IsZero() {
		return fieldErr(ErrProducedAt, "produced_at", "must be set")
	}
	if y := e.ProducedAt.UTC().Year(); y < 0 || y > 9999 {
		return fieldErr(ErrProducedAt, "produced_at", "year %d is outside 0000-9999", y)
	}
	if e.Producer.ID == "" {
		return fieldErr(ErrProducerID, "producer.id", "must not be empty")
	}
	if !e.Producer.Kind.Valid() {
		return fieldErr(ErrProducerKind, "producer.kind", "must be one of \"user\", \"agent\", \"service\", got %q", string(e.Producer.Kind))
	}
	if e.Aspect == "" {
		return fieldErr(ErrAspect, "aspect", "must not be empty")
	}
	if c := e.Causation; c != nil {
		if c.ParentChannel == "" {
			return fieldErr(ErrCausation, "causation.parent_channel", "must not be empty")
		}
		if c.ParentSequence <= 0 {
			return fieldErr(ErrCausation, "causation.parent_sequence", "must be positive, got %d", c.ParentSequence)
		}
	}
	return nil
}

// MarshalJSON encodes e in the wire form, without the size limit a Codec
// applies. It fails if e does not pass Validate.
func (e Envelope) MarshalJSON() ([]byte, error) {
	return Codec{MaxSize: -1}.AppendEncode(nil, &e)
}

// UnmarshalJSON decodes the wire form into e, without the size limit a Codec
// applies, with the same checks as Decode. On error e is left unchanged.
func (e *Envelope) UnmarshalJSON(data []byte) error {
	return Codec{MaxSize: -1}.DecodeInto(data, e)
}

// Root reports whether e starts a causation chain (has no causation).
func (e *Envelope) Root() bool { return e.Causation == nil }

// CausedBy returns the causation that points at e, for an envelope published
// while handling e.
func (e *Envelope) CausedBy() *Causation {
	return &Causation{ParentChannel: e.Channel, ParentSequence: e.Sequence, ParentProducer: e.Producer.ID}
}
