package client

import (
	"errors"
	"fmt"

	"github.com/parsec-gen/parsec-gen/runtime/envelope"
)

// Errors a Client returns or reports.
var (
	// ErrClosed: the Client or Subscription was closed.
	ErrClosed = errors.New("parsec: client closed")
	// ErrNoProducer: the Client publishes without WithProducer.
	ErrNoProducer = errors.New("parsec: no producer configured (use WithProducer)")
	// ErrNoParent: PublishDerived was called with a context that does not
	// come from a handler, so there is no envelope to derive from.
	ErrNoParent = errors.New("parsec: no parent envelope in context (PublishDerived must use the handler's context)")
	// ErrChannelMismatch: a received envelope names another channel than the
	// one it arrived on. It is not delivered.
	ErrChannelMismatch = errors.New("parsec: envelope channel does not match the subscription")
	// ErrSequenceRestart: a producer's sequence fell back (to 1, or far below
	// what was seen): the producer restarted without its sequence snapshot.
	// The envelope is delivered.
	ErrSequenceRestart = errors.New("parsec: producer sequence restarted")
	// ErrResumeFailed: the subscription's stream was lost and resubscribing
	// failed after the configured attempts; the subscription has ended.
	ErrResumeFailed = errors.New("parsec: subscription could not be resumed")
	// ErrInvalidPayload: a payload given as bytes is not one JSON value.
	ErrInvalidPayload = errors.New("parsec: payload is not valid JSON")
)

// DeliveryError reports a received publication that could not be delivered
// as it should: undecodable bytes, a rejected envelope, a typed payload that
// did not decode, a handler that failed or panicked. It also reports an
// envelope published although its validator (in warn mode) failed it. Channel is always set;
// Data holds the raw bytes when there are any, Envelope the decoded envelope
// when decoding got that far. Err is the cause: an *envelope.FieldError, a
// schema validation error, a *PayloadError, a *PanicError, a handler's own
// error or one of this package's sentinels.
type DeliveryError struct {
	Channel  string
	Data     []byte
	Envelope *envelope.Envelope
	Err      error
}

// Error names the channel and, when known, the envelope.
func (e *DeliveryError) Error() string {
	if e.Envelope != nil {
		return fmt.Sprintf("parsec: channel %q: %s #%d from %q: %v",
			e.Channel, e.Envelope.Aspect, e.Envelope.Sequence, e.Envelope.Producer.ID, e.Err)
	}
	return fmt.Sprintf("parsec: channel %q: %d bytes: %v", e.Channel, len(e.Data), e.Err)
}

// Unwrap returns the cause.
func (e *DeliveryError) Unwrap() error { return e.Err }

// PayloadError reports a payload that did not decode into a typed handler's
// Go type.
type PayloadError struct {
	Aspect string
	Type   string
	Err    error
}

// Error names the aspect and the Go type.
func (e *PayloadError) Error() string {
	return fmt.Sprintf("payload of aspect %q does not decode into %s: %v", e.Aspect, e.Type, e.Err)
}

// Unwrap returns the decoder's error.
func (e *PayloadError) Unwrap() error { return e.Err }

// PanicError is a recovered handler panic.
type PanicError struct {
	Value any
	Stack []byte
}

// Error describes the panic value; Stack holds the goroutine's stack.
func (e *PanicError) Error() string { return fmt.Sprintf("handler panicked: %v", e.Value) }

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	if err, ok := e.Value.(error); ok {
		return err
	}
	return nil
}

// StreamError reports a transport event about a subscription's stream that
// needs attention: a disconnect, a transport-level error or an overflow. An
// unrecoverable position is reported as the losses it caused instead (see
// Subscription.OnGap).
type StreamError struct {
	Event StreamEvent
}

// Error names the channel and the event.
func (e *StreamError) Error() string {
	ev := e.Event
	msg := fmt.Sprintf("parsec: channel %q: stream %s", ev.Channel, ev.Kind)
	if ev.Kind == EventUnrecoverable || ev.Kind == EventOverflow {
		msg += fmt.Sprintf(" (missed %d)", ev.Missed)
	}
	if ev.Err != nil {
		msg += ": " + ev.Err.Error()
	}
	return msg
}

// Unwrap returns the transport's error.
func (e *StreamError) Unwrap() error { return e.Event.Err }

// String returns the kind's name in lower case ("unrecoverable").
func (k StreamEventKind) String() string {
	switch k {
	case EventSubscribed:
		return "subscribed"
	case EventRecovered:
		return "recovered"
	case EventUnrecoverable:
		return "unrecoverable"
	case EventDisconnected:
		return "disconnected"
	case EventError:
		return "error"
	case EventOverflow:
		return "overflow"
	}
	return fmt.Sprintf("event(%d)", int(k))
}
