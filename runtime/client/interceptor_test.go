package client

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/parsec-gen/parsec-gen/runtime/envelope"
)

type ctxKey struct{}

// TestPublishInterceptors: interceptors run outermost first around the
// send, see the stamped envelope and pass their context on; one that fails
// a publish sends nothing and uses no sequence number.
func TestPublishInterceptors(t *testing.T) {
	var mu sync.Mutex
	var trace []string
	refuse := false
	tr := &ctxRecorder{MemoryTransport: NewMemoryTransport()}
	outer := func(next PublishFunc) PublishFunc {
		return func(ctx context.Context, env *envelope.Envelope) error {
			mu.Lock()
			trace = append(trace, "outer "+env.Aspect+" #"+itoa(env.Sequence))
			no := refuse
			mu.Unlock()
			if no {
				return errors.New("not allowed")
			}
			return next(context.WithValue(ctx, ctxKey{}, "outer"), env)
		}
	}
	inner := func(next PublishFunc) PublishFunc {
		return func(ctx context.Context, env *envelope.Envelope) error {
			mu.Lock()
			trace = append(trace, "inner sees "+ctx.Value(ctxKey{}).(string))
			mu.Unlock()
			return next(ctx, env)
		}
	}
	c := newClient(t, tr, WithProducer(alice), WithPublishInterceptor(outer), WithPublishInterceptor(inner))
	publish(t, c, "c", "a", 1)
	refuse = true
	if _, err := c.PublishAspect(context.Background(), "c", "b", 2); err == nil || !strings.Contains(err.Error(), "not allowed") {
		t.Fatalf("refused publish: %v", err)
	}
	refuse = false
	env := publish(t, c, "c", "c", 3)
	if env.Sequence != 2 {
		t.Errorf("after a refused publish the next is #%d, want #2 (no number used)", env.Sequence)
	}
	want := []string{"outer a #1", "inner sees outer", "outer b #2", "outer c #2", "inner sees outer"}
	if diff := cmp.Diff(want, trace); diff != "" {
		t.Errorf("trace (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"outer", "outer"}, tr.values()); diff != "" {
		t.Errorf("context values at the transport (-want +got):\n%s", diff)
	}
}

// ctxRecorder records the ctxKey value of every publish context.
type ctxRecorder struct {
	*MemoryTransport
	mu   sync.Mutex
	vals []string
}

func (r *ctxRecorder) Publish(ctx context.Context, ch string, data []byte) error {
	v, _ := ctx.Value(ctxKey{}).(string)
	r.mu.Lock()
	r.vals = append(r.vals, v)
	r.mu.Unlock()
	return r.MemoryTransport.Publish(ctx, ch, data)
}

func (r *ctxRecorder) values() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.vals...)
}

// TestHandleInterceptors: an interceptor wraps the delivery to all matching
// handlers, passes its context to the context-aware ones, and can refuse a
// delivery, which is counted as rejected and reported.
func TestHandleInterceptors(t *testing.T) {
	var errs errLog
	var mu sync.Mutex
	var trace []string
	add := func(s string) { mu.Lock(); trace = append(trace, s); mu.Unlock() }
	gate := func(next EnvelopeHandler) EnvelopeHandler {
		return func(ctx context.Context, env *envelope.Envelope) error {
			if env.Aspect == "forbidden" {
				return errors.New("forbidden aspect")
			}
			add("before #" + itoa(env.Sequence))
			err := next(context.WithValue(ctx, ctxKey{}, "gate"), env)
			add("after #" + itoa(env.Sequence))
			return err
		}
	}
	c := newClient(t, NewMemoryTransport(), WithProducer(alice), WithHandleInterceptor(gate), WithErrorHandler(errs.add))
	s := subscribe(t, c, "c")
	s.HandleEnvelope(func(ctx context.Context, env *envelope.Envelope) error {
		v, _ := ctx.Value(ctxKey{}).(string)
		if parent, ok := EnvelopeFromContext(ctx); !ok || parent.Sequence != env.Sequence {
			t.Errorf("the interceptor's context lost the envelope")
		}
		add("handler #" + itoa(env.Sequence) + " " + v)
		return nil
	})
	s.OnEnvelope(func(env envelope.Envelope) { add("plain #" + itoa(env.Sequence)) })
	publish(t, c, "c", "ok", 1)
	publish(t, c, "c", "forbidden", 2)
	publish(t, c, "c", "ok", 3)
	waitFor(t, "three", func() bool { return s.Stats().Delivered+s.Stats().Rejected == 3 })
	want := []string{"before #1", "handler #1 gate", "plain #1", "after #1", "before #3", "handler #3 gate", "plain #3", "after #3"}
	mu.Lock()
	if diff := cmp.Diff(want, trace); diff != "" {
		t.Errorf("trace (-want +got):\n%s", diff)
	}
	mu.Unlock()
	if st := s.Stats(); st.Delivered != 2 || st.Rejected != 1 {
		t.Errorf("stats %+v, want 2 delivered, 1 rejected", st)
	}
	var de *DeliveryError
	if all := errs.all(); len(all) != 1 || !errors.As(all[0], &de) || de.Envelope.Sequence != 2 || !strings.Contains(de.Error(), "forbidden aspect") {
		t.Errorf("reported %v, want the refused delivery of #2", all)
	}
}

// TestWithLogger: errors no hook receives go to the logger, with the
// channel; WithLogger(nil) discards them.
func TestWithLogger(t *testing.T) {
	var buf syncBuf
	l := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}))
	c := newClient(t, NewMemoryTransport(), WithProducer(alice), WithLogger(l))
	s := subscribe(t, c, "c")
	s.HandleEnvelope(func(context.Context, *envelope.Envelope) error { return errors.New("boom") })
	publish(t, c, "c", "a", 1)
	waitFor(t, "logged", func() bool { return strings.Contains(buf.String(), "boom") })
	got := buf.String()
	if !strings.Contains(got, "level=ERROR") || !strings.Contains(got, "channel=c") || !strings.Contains(got, `msg="parsec client"`) {
		t.Errorf("log line %q, want level, channel and message", got)
	}

	quiet := newClient(t, NewMemoryTransport(), WithProducer(alice), WithLogger(nil))
	qs := subscribe(t, quiet, "c")
	var ran recorder
	qs.HandleEnvelope(func(ctx context.Context, env *envelope.Envelope) error {
		ran.handle(ctx, env)
		return errors.New("silenced")
	})
	publish(t, quiet, "c", "a", 1)
	waitFor(t, "handled", func() bool { return ran.n() == 1 })
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
