package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// ErrNotImplemented is returned by a Transport for an operation it does not
// support (for example presence over a publish-only HTTP transport).
var ErrNotImplemented = errors.New("parsec: operation not implemented by transport")

// Transport moves encoded envelopes between a Client and a server. The Client
// owns envelope encoding, sequencing, validation and dispatch; a Transport only
// moves bytes and reports what happened to the stream.
//
// Implementations must be safe for concurrent use.
type Transport interface {
	// Connect opens the transport; it is idempotent. token is the
	// connection token Client.Connect was given (empty for none); a
	// transport that authenticates differently may ignore it and says so.
	Connect(ctx context.Context, token string) error
	// Close releases the connection. Pending subscriptions are cancelled:
	// the channels returned by Subscribe are closed.
	Close() error
	// Publish sends one encoded envelope to channel.
	Publish(ctx context.Context, channel string, data []byte) error
	// Subscribe starts delivery of the encoded envelopes published to channel.
	// The returned channel is closed when the subscription ends, either because
	// cancel was called, the transport was closed, or the stream was lost for
	// good (the transport then reports why through opts.OnEvent first).
	// cancel is idempotent.
	//
	// Subscribe may be called again for a channel that already has a
	// stream (the Client gives every Subscription its own): each call gets
	// an independent stream, and cancelling one leaves the others running.
	Subscribe(ctx context.Context, channel string, opts SubscribeOptions) (<-chan []byte, func(), error)
	// History returns encoded envelopes stored for channel, oldest first;
	// empty when the transport keeps no history. A transport that cannot
	// answer at all returns ErrNotImplemented.
	History(ctx context.Context, channel string, opts HistoryOptions) ([][]byte, error)
	// Presence lists the clients currently subscribed to channel; empty
	// when the transport tracks no presence (or ErrNotImplemented, as for
	// History).
	Presence(ctx context.Context, channel string) ([]PresenceEntry, error)
}

// StreamPosition is a server stream position: the offset of the last
// publication seen in the channel's stream and the stream's epoch. A change
// of epoch means the server lost the stream (restart, history expiry) and
// offsets from the old epoch are meaningless.
type StreamPosition struct {
	Offset uint64 `json:"offset"`
	Epoch  string `json:"epoch"`
}

// SubscribeOptions configures one subscription. Client.Subscribe builds it
// from its SubscribeOptions functions (users may write their own) and hands
// it to the Transport; the Client-only fields are marked.
type SubscribeOptions struct {
	// FromSequence, when > 0, asks the transport to replay the channel's
	// stored publications above this stream position (exclusive: the first
	// replayed is FromSequence+1) before live ones. 0 means live only, so a
	// channel's first publication is read through History, not replayed.
	// Stream positions
	// count every publication on the channel; they equal the envelopes'
	// sequences for a channel with one producer.
	//
	// The Client fills it on reconnect when the transport reports no stream
	// positions but the subscription started from a FromSequence: it then
	// resumes above the last publication it read. A transport that reports
	// positions is resumed through Since instead, which also checks the
	// stream's epoch.
	FromSequence int64
	// Since, when set, asks the transport to resume after this server stream
	// position (recovery). When the server cannot recover, the transport
	// reports EventUnrecoverable through OnEvent and continues live.
	Since *StreamPosition
	// Aspects, when not empty, restricts handler dispatch to these aspects.
	// Filtering happens in the Client after gap detection.
	Aspects []string
	// ManualStart (Client only) makes the Subscription dispatch nothing
	// until Subscription.Start; see WithManualStart.
	ManualStart bool
	// Producers (Client only) restores producers' high-water marks saved
	// by an earlier run, keyed by producer id; see WithResumeState.
	Producers map[string]int64
	// OnEvent receives stream events from the transport: position updates,
	// recoveries, unrecoverable positions, and transport errors. It may be
	// called from the transport's goroutines and must not block.
	OnEvent func(StreamEvent)
}

// StreamEventKind says what a StreamEvent reports.
type StreamEventKind int

// Kinds of stream events.
const (
	// EventSubscribed: the subscription is (re-)established; Position is the
	// current stream position when the server reports one.
	//
	// The Client resumes a stream that closed after the offset
	// Position.Offset + (publications it read from the stream after this
	// event, not counting those already buffered in the channel when the
	// event arrived). Report it after putting any recovered publications on
	// the channel, with the offset of the last one put there (or the stream
	// top when none): an offset too low only causes duplicates the Client
	// drops, one too high loses publications.
	EventSubscribed StreamEventKind = iota + 1
	// EventRecovered: after a reconnect, the server replayed every missed
	// publication; nothing was lost.
	EventRecovered
	// EventUnrecoverable: after a reconnect, the server could not replay what
	// was missed (history too short, epoch changed). Missed is the number of
	// publications lost when known, else -1.
	EventUnrecoverable
	// EventDisconnected: the connection was lost; the transport is trying to
	// reconnect. Err says why.
	EventDisconnected
	// EventError: a transport-level failure that did not end the subscription
	// (for example an oversized or cut frame). Data holds the raw bytes if any.
	EventError
	// EventOverflow: the subscription's buffer was full and Missed publications
	// were dropped by the transport.
	EventOverflow
)

// StreamEvent is an out-of-band report from a transport about one
// subscription's stream.
type StreamEvent struct {
	Kind     StreamEventKind
	Channel  string
	Position StreamPosition
	Missed   int64
	Data     []byte
	Err      error
}

// HistoryOptions bounds a history query. Zero values mean "no bound".
//
// Since and Until are stream positions of the channel: the n-th publication
// on the channel has position n (Centrifugo's stream offset). For a channel
// with one producer they equal the envelopes' sequences; with several
// producers they count every producer's publications. Callers who need the
// position of a received publication use Subscription.Position.
type HistoryOptions struct {
	// Limit caps the number of envelopes returned (the most recent ones).
	Limit int
	// Since is exclusive: only publications above it are returned.
	Since int64
	// Until is inclusive; 0 means unbounded.
	Until int64
}

// Validate reports a negative bound.
func (o HistoryOptions) Validate() error {
	if o.Limit < 0 || o.Since < 0 || o.Until < 0 {
		return fmt.Errorf("negative bound in %+v", o)
	}
	return nil
}

// NewestOnly reports whether o asks for just the most recent Limit entries,
// with no offset bound: a server can answer that directly in reverse order.
func (o HistoryOptions) NewestOnly() bool {
	return o.Since == 0 && o.Until == 0 && o.Limit > 0
}

// Contains reports whether a publication at stream offset lies within the
// bounds: above Since, and at or below Until when Until is set.
func (o HistoryOptions) Contains(offset uint64) bool {
	return offset > uint64(o.Since) && (o.Until == 0 || offset <= uint64(o.Until))
}

// Trim keeps the most recent Limit entries of history, which is oldest first.
func (o HistoryOptions) Trim(history [][]byte) [][]byte {
	if o.Limit > 0 && len(history) > o.Limit {
		return history[len(history)-o.Limit:]
	}
	return history
}

// PresenceEntry describes one client present in a channel. ConnInfo is the
// connection info the server holds for the client, as raw JSON.
type PresenceEntry struct {
	UserID   string          `json:"user_id"`
	ClientID string          `json:"client_id"`
	ConnInfo json.RawMessage `json:"conn_info,omitempty"`
}
