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
package envelope

import (
	"encoding/json"
	"time"
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
}
