// Package otelparsec records OpenTelemetry spans for Parsec publishes and
// deliveries through the runtime client's interceptors, as an example of
// tracing a Parsec application. It lives in a module of its own so that
// OpenTelemetry never becomes a dependency of the runtime.
//
// Every publish gets a producer span ("parsec publish <channel>") and every
// delivery a consumer span ("parsec handle <channel>"). A derived publish is
// linked to the handle span of the envelope that caused it, found through
// the envelope's causation (channel, sequence, producer): no trace context
// travels on the wire. When the publish's context carries no span (a
// handler registered with OnEnvelope or OnAspect gets no context), the
// cause's handle span also becomes its parent, so the derived work joins
// the cause's trace. A handle span links to the publish span of its
// envelope when this process published it.
//
//	tr := otelparsec.New(otel.GetTracerProvider())
//	c, err := client.New(client.WithTransport(t), client.WithProducer(p),
//		client.WithPublishInterceptor(tr.Publish), client.WithHandleInterceptor(tr.Handle))
package otelparsec

import (
	"context"
	"sync"

	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/envelope"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// DefaultRemembered is how many envelopes' spans a Tracing remembers for
// linking (see New).
const DefaultRemembered = 4096

// key identifies an envelope: a sequence is counted per producer and
// channel.
type key struct {
	channel  string
	sequence int64
	producer string
}

func keyOf(env *envelope.Envelope) key {
	return key{channel: env.Channel, sequence: env.Sequence, producer: env.Producer.ID}
}

// Tracing holds the tracer and the span contexts of recent envelopes. It is
// safe for concurrent use.
type Tracing struct {
	tracer trace.Tracer
	limit  int

	mu        sync.Mutex
	published map[key]trace.SpanContext // publish span of envelopes sent here
	handled   map[key]trace.SpanContext // handle span of envelopes delivered here
	order     []key                     // insertion order, for forgetting the oldest
}

// New returns a Tracing recording spans with tp's tracer. It remembers the
// spans of the last DefaultRemembered envelopes; a derived publish whose
// cause is older is traced without the link.
func New(tp trace.TracerProvider) *Tracing {
	return &Tracing{
		tracer:    tp.Tracer("github.com/parsec-gen/parsec-gen/example/otel"),
		limit:     DefaultRemembered,
		published: make(map[key]trace.SpanContext),
		handled:   make(map[key]trace.SpanContext),
	}
}

func attrs(env *envelope.Envelope) []attribute.KeyValue {
	return []attribute.KeyValue{
		attribute.String("messaging.system", "parsec"),
		attribute.String("messaging.destination.name", env.Channel),
		attribute.String("parsec.aspect", env.Aspect),
		attribute.Int64("parsec.sequence", env.Sequence),
		attribute.String("parsec.producer", env.Producer.ID),
	}
}

// Publish is a client.PublishInterceptor.
func (t *Tracing) Publish(next client.PublishFunc) client.PublishFunc {
	return func(ctx context.Context, env *envelope.Envelope) error {
		opts := []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindProducer), trace.WithAttributes(attrs(env)...)}
		if c := env.Causation; c != nil {
			cause, ok := t.lookup(t.handled, key{channel: c.ParentChannel, sequence: c.ParentSequence, producer: c.ParentProducer})
			if ok {
				opts = append(opts, trace.WithLinks(trace.Link{SpanContext: cause,
					Attributes: []attribute.KeyValue{attribute.String("parsec.link", "caused_by")}}))
				if !trace.SpanContextFromContext(ctx).IsValid() {
					ctx = trace.ContextWithSpanContext(ctx, cause)
				}
			}
		}
		ctx, span := t.tracer.Start(ctx, "parsec publish "+env.Channel, opts...)
		defer span.End()
		err := next(ctx, env)
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
			return err
		}
		t.remember(t.published, keyOf(env), span.SpanContext())
		return nil
	}
}

// Handle is a client.HandleInterceptor.
func (t *Tracing) Handle(next client.EnvelopeHandler) client.EnvelopeHandler {
	return func(ctx context.Context, env *envelope.Envelope) error {
		opts := []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindConsumer), trace.WithAttributes(attrs(env)...)}
		if pub, ok := t.lookup(t.published, keyOf(env)); ok {
			opts = append(opts, trace.WithLinks(trace.Link{SpanContext: pub}))
		}
		ctx, span := t.tracer.Start(ctx, "parsec handle "+env.Channel, opts...)
		defer span.End()
		// Remembered before the handlers run: they derive from it.
		t.remember(t.handled, keyOf(env), span.SpanContext())
		err := next(ctx, env)
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
		}
		return err
	}
}

func (t *Tracing) lookup(m map[key]trace.SpanContext, k key) (trace.SpanContext, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	sc, ok := m[k]
	return sc, ok
}

func (t *Tracing) remember(m map[key]trace.SpanContext, k key, sc trace.SpanContext) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := m[k]; !ok {
		t.order = append(t.order, k)
	}
	m[k] = sc
	for len(t.order) > t.limit {
		old := t.order[0]
		t.order = t.order[1:]
		delete(t.published, old)
		delete(t.handled, old)
	}
}
