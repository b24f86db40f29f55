package client

import (
	"context"
	"errors"
	"testing"

	"github.com/parsec-gen/parsec-gen/runtime/schema"
)

var _ Validator = (*schema.Validator)(nil)
var _ interface{ Rejects() bool } = (*schema.Validator)(nil)
var _ schemaRefLookup = (*schema.Validator)(nil)

var orderAspects = []schema.Aspect{{
	Name:      "order_placed",
	SchemaRef: "https://schemas.example.com/order_placed.json",
	Schema:    []byte(`{"type":"object","required":["id"],"properties":{"id":{"type":"string","pattern":"^o-"}}}`),
}}

// TestSchemaValidator runs the real validator through the client: strict
// mode refuses to publish and rejects on receipt, warn mode reports and
// delivers, and the schema ref is filled in from the registry.
func TestSchemaValidator(t *testing.T) {
	strict, err := schema.NewValidator(schema.ModeStrict, orderAspects)
	if err != nil {
		t.Fatal(err)
	}
	warn, err := schema.NewValidator(schema.ModeWarn, orderAspects)
	if err != nil {
		t.Fatal(err)
	}
	tr := NewMemoryTransport()
	checked := newClient(t, tr, WithProducer(alice), WithValidator(strict))
	env := publish(t, checked, "c", "order_placed", map[string]string{"id": "o-1"})
	if env.SchemaRef != orderAspects[0].SchemaRef {
		t.Errorf("schema ref = %q, want the registry's", env.SchemaRef)
	}
	var ve *schema.ValidationError
	if _, err := checked.PublishAspect(context.Background(), "c", "order_placed", map[string]string{"id": "x"}); !errors.As(err, &ve) || !errors.Is(err, schema.ErrInvalidPayload) {
		t.Errorf("strict publish of an invalid payload: %v, want a *schema.ValidationError", err)
	}

	unchecked := newClient(t, tr.Peer(), WithProducer(bob))
	for _, tc := range []struct {
		v         *schema.Validator
		delivered int64
	}{{strict, 1}, {warn, 2}} {
		var errs errLog
		sub := newClient(t, tr.Peer(), WithValidator(tc.v), WithErrorHandler(errs.add))
		s := subscribe(t, sub, "d")
		var got recorder
		s.HandleEnvelope(got.handle)
		start(t, s)
		publish(t, unchecked, "d", "order_placed", map[string]string{"id": "o-1"})
		publish(t, unchecked, "d", "order_placed", map[string]string{"id": "bad"})
		waitFor(t, "the error", func() bool { return len(errs.all()) == 1 })
		waitFor(t, "deliveries", func() bool { return s.Stats().Delivered == tc.delivered })
		if !errors.As(errs.all()[0], &ve) {
			t.Errorf("%v: error = %v, want a *schema.ValidationError", tc.v.Mode(), errs.all()[0])
		}
		if err := s.Unsubscribe(); err != nil {
			t.Fatal(err)
		}
	}
}
