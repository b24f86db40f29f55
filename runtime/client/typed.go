package client

import (
	"context"
	"encoding/json"
	"reflect"

	"github.com/parsec-gen/parsec-gen/runtime/envelope"
)

var jsonNull = []byte("null")

// TypedHandler handles one envelope whose payload was decoded into a *T.
type TypedHandler[T any] func(ctx context.Context, env *envelope.Envelope, msg *T) error

// OnAspectTyped registers handler for envelopes of aspect, decoding each
// payload into a T first (see HandleAspectTyped for how). A payload that
// does not decode is reported to the error hooks as a *DeliveryError
// wrapping a *PayloadError, and handler is not called. HandleAspectTyped is
// the form whose handler receives a context and returns an error.
func OnAspectTyped[T any](s *Subscription, aspect string, handler func(T, envelope.Envelope)) {
	HandleAspectTyped(s, aspect, func(_ context.Context, env *envelope.Envelope, msg *T) error {
		handler(*msg, *env)
		return nil
	})
}

// HandleAspectTyped registers h for envelopes of aspect, decoding each
// payload into a new T first. When *T implements json.Unmarshaler its
// UnmarshalJSON is called directly on the payload bytes (generated types
// do); otherwise encoding/json decodes it. An envelope without payload
// decodes JSON null. A payload that does not decode is reported to the error
// hooks as a *DeliveryError wrapping a *PayloadError, and h is not called.
func HandleAspectTyped[T any](s *Subscription, aspect string, h TypedHandler[T]) {
	s.HandleAspect(aspect, func(ctx context.Context, env *envelope.Envelope) error {
		msg := new(T)
		payload := []byte(env.Payload)
		if len(payload) == 0 {
			payload = jsonNull // an omitted payload is JSON null
		}
		var err error
		if u, ok := any(msg).(json.Unmarshaler); ok {
			err = u.UnmarshalJSON(payload)
		} else {
			err = json.Unmarshal(payload, msg)
		}
		if err != nil {
			return &PayloadError{Aspect: env.Aspect, Type: reflect.TypeFor[T]().String(), Err: err}
		}
		return h(ctx, env, msg)
	})
}
