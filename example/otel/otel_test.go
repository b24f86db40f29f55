package otelparsec_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	otelparsec "github.com/parsec-gen/parsec-gen/example/otel"
	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/envelope"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

var producer = envelope.Producer{ID: "checkout", Kind: envelope.ProducerService}

func setup(t *testing.T, opts ...client.ClientOption) (*client.Client, *tracetest.SpanRecorder) {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() {
		if err := tp.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	})
	tr := otelparsec.New(tp)
	c, err := client.New(append([]client.ClientOption{client.WithTransport(client.NewMemoryTransport()), client.WithProducer(producer),
		client.WithPublishInterceptor(tr.Publish), client.WithHandleInterceptor(tr.Handle)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Error(err)
		}
	})
	if err := c.Connect(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	return c, rec
}

// waitSpans waits (bounded) until n spans have ended.
func waitSpans(t *testing.T, rec *tracetest.SpanRecorder, n int) []sdktrace.ReadOnlySpan {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(rec.Ended()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d spans ended, want %d", len(rec.Ended()), n)
		}
		time.Sleep(time.Millisecond)
	}
	return rec.Ended()
}

func find(t *testing.T, spans []sdktrace.ReadOnlySpan, name, aspect string) sdktrace.ReadOnlySpan {
	t.Helper()
	for _, s := range spans {
		if s.Name() != name {
			continue
		}
		for _, a := range s.Attributes() {
			if a.Key == "parsec.aspect" && a.Value.AsString() == aspect {
				return s
			}
		}
	}
	t.Fatalf("no span %q for aspect %q among %d", name, aspect, len(spans))
	return nil
}

func linked(s sdktrace.ReadOnlySpan, to trace.SpanContext) bool {
	for _, l := range s.Links() {
		if l.SpanContext.SpanID() == to.SpanID() && l.SpanContext.TraceID() == to.TraceID() {
			return true
		}
	}
	return false
}

// TestDerivedPublishLinksToCause: a handler without a context derives an
// envelope; its publish span is linked to, and a child of, the handle span
// of the envelope that caused it, and the handle span links to the
// original publish span.
func TestDerivedPublishLinksToCause(t *testing.T) {
	c, rec := setup(t)
	ctx := context.Background()
	sub, err := c.Subscribe(ctx, "orders")
	if err != nil {
		t.Fatal(err)
	}
	derived := make(chan error, 1)
	sub.OnAspect("order_placed", func(env envelope.Envelope) {
		derived <- sub.PublishDerived(context.Background(), "payment_captured", []byte(`{"amount":5}`))
	})
	sub.OnAspect("payment_captured", func(envelope.Envelope) {})
	if err := c.Publish(ctx, "orders", envelope.Envelope{Aspect: "order_placed", Payload: json.RawMessage(`{"id":"o-1"}`)}); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-derived:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("handler did not run")
	}
	// publish order, handle order, publish payment, handle payment
	spans := waitSpans(t, rec, 4)
	pubOrder := find(t, spans, "parsec publish orders", "order_placed")
	handleOrder := find(t, spans, "parsec handle orders", "order_placed")
	pubPayment := find(t, spans, "parsec publish orders", "payment_captured")
	handlePayment := find(t, spans, "parsec handle orders", "payment_captured")

	if pubOrder.SpanKind() != trace.SpanKindProducer || handleOrder.SpanKind() != trace.SpanKindConsumer {
		t.Errorf("kinds %v %v, want producer and consumer", pubOrder.SpanKind(), handleOrder.SpanKind())
	}
	if !linked(handleOrder, pubOrder.SpanContext()) {
		t.Error("the handle span does not link to the publish span of its envelope")
	}
	if !linked(pubPayment, handleOrder.SpanContext()) {
		t.Error("the derived publish does not link to the handle span of its cause")
	}
	if pubPayment.Parent().SpanID() != handleOrder.SpanContext().SpanID() || pubPayment.SpanContext().TraceID() != handleOrder.SpanContext().TraceID() {
		t.Error("the derived publish is not in its cause's trace, under the handle span")
	}
	if linked(handlePayment, handleOrder.SpanContext()) || !linked(handlePayment, pubPayment.SpanContext()) {
		t.Error("the derived envelope's handle span links wrongly")
	}
}

// TestContextHandlerSpanIsParent: a context-aware handler's derived publish
// is a child of the handle span through the context.
func TestContextHandlerSpanIsParent(t *testing.T) {
	c, rec := setup(t)
	ctx := context.Background()
	sub, err := c.Subscribe(ctx, "orders")
	if err != nil {
		t.Fatal(err)
	}
	sub.HandleAspect("order_placed", func(ctx context.Context, env *envelope.Envelope) error {
		_, err := sub.PublishDerivedAspect(ctx, "payment_captured", map[string]int{"amount": 5})
		return err
	})
	if err := c.Publish(ctx, "orders", envelope.Envelope{Aspect: "order_placed"}); err != nil {
		t.Fatal(err)
	}
	// publish order, handle order, publish payment (no handler takes it)
	spans := waitSpans(t, rec, 3)
	handleOrder := find(t, spans, "parsec handle orders", "order_placed")
	pubPayment := find(t, spans, "parsec publish orders", "payment_captured")
	if pubPayment.Parent().SpanID() != handleOrder.SpanContext().SpanID() || !linked(pubPayment, handleOrder.SpanContext()) {
		t.Error("the derived publish is not a linked child of the handle span")
	}
}

// TestFailedPublishSpan: a publish the next interceptor refuses ends its
// span with an error status.
func TestFailedPublishSpan(t *testing.T) {
	refuse := func(next client.PublishFunc) client.PublishFunc {
		return func(context.Context, *envelope.Envelope) error { return errors.New("quota exceeded") }
	}
	c, rec := setup(t, client.WithPublishInterceptor(refuse))
	if err := c.Publish(context.Background(), "orders", envelope.Envelope{Aspect: "order_placed"}); err == nil {
		t.Fatal("refused publish succeeded")
	}
	spans := waitSpans(t, rec, 1)
	if s := spans[0]; s.Status().Code != codes.Error || s.Status().Description != "quota exceeded" {
		t.Errorf("status %+v, want the error", s.Status())
	}
}
