package client

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/parsec-gen/parsec-gen/runtime/envelope"
)

func TestPublishEnvelopeStamps(t *testing.T) {
	now := time.Date(2026, 5, 27, 14, 22, 9, 331_000_000, time.UTC)
	c := newClient(t, NewMemoryTransport(), WithProducer(alice), WithClock(func() time.Time { return now }))
	ctx := context.Background()
	cause := &envelope.Causation{ParentChannel: "carts", ParentSequence: 7, ParentProducer: "bob"}
	got, err := c.PublishEnvelope(ctx, "orders", envelope.Envelope{
		Channel: "elsewhere", Sequence: 99, Producer: envelope.Producer{ID: "mallory", Kind: envelope.ProducerUser},
		Aspect: "order_placed", SchemaRef: "order.json", Causation: cause, Payload: json.RawMessage(`{"id":"o-1"}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := &envelope.Envelope{Channel: "orders", Sequence: 1, ProducedAt: now, Producer: alice,
		Aspect: "order_placed", SchemaRef: "order.json", Causation: cause, Payload: json.RawMessage(`{"id":"o-1"}`)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("published (-want +got):\n%s", diff)
	}
	cause.ParentSequence = 8 // the caller's causation is copied
	if got.Causation.ParentSequence != 7 {
		t.Error("the published envelope shares the caller's causation")
	}
	if err := c.Publish(ctx, "orders", envelope.Envelope{Payload: json.RawMessage(`1`)}); err == nil {
		t.Error("publish without an aspect succeeded")
	}
	if err := c.Publish(ctx, "orders", envelope.Envelope{Aspect: "a", Payload: json.RawMessage(`{`)}); !errors.Is(err, ErrInvalidPayload) {
		t.Errorf("publish of invalid JSON: %v, want ErrInvalidPayload", err)
	}
	if err := c.Publish(ctx, "orders", envelope.Envelope{Aspect: "a"}); err != nil {
		t.Errorf("publish without payload: %v", err)
	}
	h, err := c.History(ctx, "orders", HistoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 2 || h[1].Sequence != 2 || h[1].Payload != nil {
		t.Errorf("history %+v: want #1 and #2 (no payload); failed publishes use no number", h)
	}
}

// TestManualStart: with WithManualStart nothing is dispatched before Start,
// however long the handlers exist.
func TestManualStart(t *testing.T) {
	c := newClient(t, NewMemoryTransport(), WithProducer(alice))
	s := subscribe(t, c, "c", WithManualStart())
	var got recorder
	s.HandleEnvelope(got.handle)
	publish(t, c, "c", "a", nil)
	publish(t, c, "c", "a", nil)
	// The dispatch goroutine does not exist yet: nothing can have run.
	if n := got.n(); n != 0 || s.Stats().Received != 0 {
		t.Fatalf("dispatched %d before Start", n)
	}
	start(t, s)
	waitFor(t, "both", func() bool { return got.n() == 2 })
	if err := s.Start(); err == nil {
		t.Error("second Start succeeded")
	}
}

// TestStartEndsLateWindow: handlers registered before Start get what was
// dispatched before them; a handler registered after Start sees envelopes
// from its registration on.
func TestStartEndsLateWindow(t *testing.T) {
	c := newClient(t, NewMemoryTransport(), WithProducer(alice))
	s := subscribe(t, c, "c")
	var first, second, late recorder
	s.HandleEnvelope(first.handle)
	publish(t, c, "c", "a", nil)
	waitFor(t, "first", func() bool { return first.n() == 1 })
	s.HandleEnvelope(second.handle)
	start(t, s)
	s.HandleEnvelope(late.handle)
	publish(t, c, "c", "a", nil)
	waitFor(t, "all", func() bool { return first.n() == 2 && second.n() == 2 && late.n() == 1 })
	if diff := cmp.Diff([]int64{1, 2}, second.seqs()); diff != "" {
		t.Errorf("handler registered before Start (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int64{2}, late.seqs()); diff != "" {
		t.Errorf("handler registered after Start (-want +got):\n%s", diff)
	}
	if st := s.Stats(); st.Delivered != 2 || st.Unhandled != 0 {
		t.Errorf("stats %+v, want 2 delivered", st)
	}
}

// TestLateHandlerTakesUnhandled: an envelope no handler matched moves from
// Unhandled to Delivered when a handler registered in the window takes it.
func TestLateHandlerTakesUnhandled(t *testing.T) {
	c := newClient(t, NewMemoryTransport(), WithProducer(alice))
	s := subscribe(t, c, "c")
	var a, b recorder
	s.HandleAspect("a", a.handle)
	publish(t, c, "c", "b", nil)
	publish(t, c, "c", "a", nil)
	waitFor(t, "a", func() bool { return a.n() == 1 })
	if st := s.Stats(); st.Unhandled != 1 || st.Delivered != 1 {
		t.Fatalf("stats %+v, want 1 unhandled, 1 delivered", st)
	}
	s.HandleAspect("b", b.handle)
	waitFor(t, "b", func() bool { return b.n() == 1 })
	if st := s.Stats(); st.Unhandled != 0 || st.Delivered != 2 {
		t.Errorf("stats %+v, want 0 unhandled, 2 delivered", st)
	}
}

// TestRegistrationOrderAcrossKinds: OnEnvelope and OnAspect handlers run in
// the order they were registered, whatever their kind.
func TestRegistrationOrderAcrossKinds(t *testing.T) {
	c := newClient(t, NewMemoryTransport(), WithProducer(alice))
	s := subscribe(t, c, "c", WithManualStart())
	var mu sync.Mutex
	var order []string
	add := func(name string) func(envelope.Envelope) {
		return func(envelope.Envelope) { mu.Lock(); order = append(order, name); mu.Unlock() }
	}
	s.OnAspect("a", add("aspect-1"))
	s.OnEnvelope(add("all-2"))
	OnAspectTyped(s, "a", func(json.RawMessage, envelope.Envelope) { add("typed-3")(envelope.Envelope{}) })
	s.OnEnvelope(add("all-4"))
	start(t, s)
	publish(t, c, "c", "a", 1)
	waitFor(t, "four", func() bool { mu.Lock(); defer mu.Unlock(); return len(order) == 4 })
	if diff := cmp.Diff([]string{"aspect-1", "all-2", "typed-3", "all-4"}, order); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

// positionless hides stream positions (no OnEvent at all, as a minimal
// user-written transport) and records the FromSequence of every Subscribe.
type positionless struct {
	*MemoryTransport
	mu   sync.Mutex
	from []int64
}

func (p *positionless) Subscribe(ctx context.Context, ch string, o SubscribeOptions) (<-chan []byte, func(), error) {
	p.mu.Lock()
	p.from = append(p.from, o.FromSequence)
	p.mu.Unlock()
	o.OnEvent = nil
	return p.MemoryTransport.Subscribe(ctx, ch, o)
}

// TestReconnectFillsFromSequence: without positions from the transport, a
// subscription that started from a FromSequence resumes above the last
// publication it read, and loses nothing.
func TestReconnectFillsFromSequence(t *testing.T) {
	tr := &positionless{MemoryTransport: NewMemoryTransport()}
	c := newClient(t, tr, WithProducer(alice))
	for range 3 {
		publish(t, c, "c", "a", nil)
	}
	s := subscribe(t, c, "c", WithFromSequence(1))
	var got recorder
	s.HandleEnvelope(got.handle)
	waitFor(t, "replay", func() bool { return got.n() == 2 })
	tr.DropSubscriptions("c")
	waitFor(t, "resubscribed", func() bool { return s.Stats().Resubscribes == 1 })
	publish(t, c, "c", "a", nil)
	waitFor(t, "live", func() bool { return got.n() == 3 })
	if diff := cmp.Diff([]int64{2, 3, 4}, got.seqs()); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if diff := cmp.Diff([]int64{1, 3}, tr.from); diff != "" {
		t.Errorf("FromSequence asked (-want +got):\n%s", diff)
	}
	if st := s.Stats(); st.Duplicates != 0 || st.Gaps != 0 {
		t.Errorf("stats %+v", st)
	}
}

// TestPresenceConnInfoIsJSON: the memory transport shows connection info as
// raw JSON, quoting bytes that are not JSON.
func TestPresenceConnInfoIsJSON(t *testing.T) {
	ctx := context.Background()
	for in, want := range map[string]string{`{"tier":"gold"}`: `{"tier":"gold"}`, `not json`: `"not json"`, ``: ``} {
		tr := NewMemoryTransport(MemoryUser("u", []byte(in)))
		_, cancel, err := tr.Subscribe(ctx, "c", SubscribeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		p, err := tr.Presence(ctx, "c")
		cancel()
		if err != nil || len(p) != 1 {
			t.Fatalf("presence %v %v", p, err)
		}
		if string(p[0].ConnInfo) != want {
			t.Errorf("conn info of %q: %s, want %s", in, p[0].ConnInfo, want)
		}
		if _, err := json.Marshal(p[0]); err != nil {
			t.Errorf("entry does not marshal: %v", err)
		}
	}
}

// TestGapHookRegisteredAfterHandler: dispatch begins with the envelope
// handler; a gap found before OnGap is registered (the test waits for the
// handler to have seen the envelope after the hole) still reaches OnGap.
func TestGapHookRegisteredAfterHandler(t *testing.T) {
	tr := NewMemoryTransport()
	var errs errLog
	c := newClient(t, tr, WithErrorHandler(errs.add))
	s := subscribe(t, c, "c")
	for _, seq := range []int64{1, 4} {
		data, err := envelope.Encode(&envelope.Envelope{Channel: "c", Sequence: seq, ProducedAt: time.Now().UTC(),
			Producer: alice, Aspect: "a"})
		if err != nil {
			t.Fatal(err)
		}
		if err := tr.Publish(context.Background(), "c", data); err != nil {
			t.Fatal(err)
		}
	}
	var got recorder
	s.HandleEnvelope(got.handle)
	waitFor(t, "both envelopes", func() bool { return got.n() == 2 })
	var gaps gapLog
	s.OnGap(gaps.add)
	waitFor(t, "the gap", func() bool { return len(gaps.all()) == 1 })
	if diff := cmp.Diff([]int64{2}, gaps.all()); diff != "" {
		t.Errorf("gaps (-want +got):\n%s", diff)
	}
	if e := errs.all(); len(e) != 0 {
		t.Errorf("reported %v, want the gap at OnGap only", e)
	}
}
