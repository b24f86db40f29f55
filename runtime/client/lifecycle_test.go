package client

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parsec-gen/parsec-gen/runtime/envelope"
)

// TestSubStateTransitions pins the lifecycle table: every pair of states is
// allowed exactly when it is listed here.
func TestSubStateTransitions(t *testing.T) {
	allowed := map[[2]subState]bool{
		{subSubscribing, subWaiting}:   true,
		{subWaiting, subRunning}:       true,
		{subWaiting, subStopped}:       true,
		{subRunning, subResubscribing}: true,
		{subRunning, subStopped}:       true,
		{subResubscribing, subRunning}: true,
		{subResubscribing, subFailed}:  true,
		{subResubscribing, subStopped}: true,
		{subFailed, subStopped}:        true,
	}
	for from := subSubscribing; from <= subStopped; from++ {
		for to := subSubscribing; to <= subStopped; to++ {
			if got, want := from.canEnter(to), allowed[[2]subState{from, to}]; got != want {
				t.Errorf("%s -> %s allowed = %v, want %v", from, to, got, want)
			}
		}
	}
	if subState(200).canEnter(subStopped) {
		t.Error("an unknown state may move")
	}
	if got := subState(200).String(); got != "subState(200)" {
		t.Errorf("String() = %q", got)
	}
}

// TestSubStateInvalidTransitionPanics: a transition outside the table is a
// bug and must not pass silently.
func TestSubStateInvalidTransitionPanics(t *testing.T) {
	s := &Subscription{channel: "c", state: subStopped}
	defer func() {
		r := recover()
		msg, _ := r.(string)
		if !strings.Contains(msg, "invalid lifecycle transition stopped -> running") {
			t.Errorf("recovered %v, want the invalid transition named", r)
		}
		if s.state != subStopped {
			t.Errorf("state = %s after a refused transition, want stopped", s.state)
		}
	}()
	s.enter(subRunning)
}

// gatedResubscribe lets the first Subscribe through and holds every later
// one until the test answers it: nil lets it through, an error fails it.
type gatedResubscribe struct {
	*MemoryTransport
	mu    sync.Mutex
	calls int
	gate  chan error
}

func (g *gatedResubscribe) Subscribe(ctx context.Context, ch string, o SubscribeOptions) (<-chan []byte, func(), error) {
	g.mu.Lock()
	g.calls++
	n := g.calls
	g.mu.Unlock()
	if n > 1 {
		select {
		case err := <-g.gate:
			if err != nil {
				return nil, nil, err
			}
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
	}
	return g.MemoryTransport.Subscribe(ctx, ch, o)
}

func (s *Subscription) stateNow() subState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// TestSubscriptionLifecycle drives subscriptions through every transition
// and checks the state after each.
func TestSubscriptionLifecycle(t *testing.T) {
	want := func(t *testing.T, s *Subscription, st subState) {
		t.Helper()
		waitFor(t, "state "+st.String(), func() bool { return s.stateNow() == st })
	}
	done := func(t *testing.T, s *Subscription) {
		t.Helper()
		select {
		case <-s.Done():
		case <-time.After(10 * time.Second):
			t.Fatal("subscription did not end")
		}
	}

	t.Run("resubscribe then stop", func(t *testing.T) {
		tr := &gatedResubscribe{MemoryTransport: NewMemoryTransport(), gate: make(chan error)}
		c := newClient(t, tr, WithProducer(alice))
		s := subscribe(t, c, "c")
		want(t, s, subWaiting)
		var rec recorder
		s.HandleEnvelope(rec.handle)
		want(t, s, subRunning)
		if tr.DropSubscriptions("c") != 1 {
			t.Fatal("no stream dropped")
		}
		want(t, s, subResubscribing)
		s.mu.Lock()
		gen := s.gen
		s.mu.Unlock()
		if gen != 2 {
			t.Errorf("generation = %d while resubscribing, want 2", gen)
		}
		select {
		case tr.gate <- nil:
		case <-time.After(10 * time.Second):
			t.Fatal("no resubscribe attempt")
		}
		want(t, s, subRunning)
		publish(t, c, "c", "a", nil)
		waitFor(t, "delivery on the new stream", func() bool { return rec.n() == 1 })
		if err := s.Unsubscribe(); err != nil {
			t.Fatal(err)
		}
		want(t, s, subStopped)
		done(t, s)
		if err := s.Start(); !errors.Is(err, ErrClosed) {
			t.Errorf("Start after Unsubscribe = %v, want ErrClosed", err)
		}
		if err := s.Err(); err != nil {
			t.Errorf("Err() = %v after Unsubscribe, want nil", err)
		}
	})

	t.Run("resume fails", func(t *testing.T) {
		tr := &gatedResubscribe{MemoryTransport: NewMemoryTransport(), gate: make(chan error, 1)}
		c := newClient(t, tr, WithReconnect(ReconnectPolicy{MaxAttempts: 1, Sleep: noWait().Sleep}),
			WithErrorHandler(func(error) {}))
		s := subscribe(t, c, "c")
		start(t, s)
		want(t, s, subRunning)
		tr.gate <- errRefused
		tr.DropSubscriptions("c")
		done(t, s)
		want(t, s, subFailed)
		if err := s.Err(); !errors.Is(err, ErrResumeFailed) {
			t.Errorf("Err() = %v, want ErrResumeFailed", err)
		}
		if err := s.Unsubscribe(); err != nil {
			t.Fatal(err)
		}
		want(t, s, subStopped)
	})

	t.Run("stop before dispatch", func(t *testing.T) {
		c := newClient(t, NewMemoryTransport())
		s := subscribe(t, c, "c", WithManualStart())
		s.OnEnvelope(func(envelope.Envelope) {})
		want(t, s, subWaiting) // manual start: a handler begins nothing
		if err := s.Unsubscribe(); err != nil {
			t.Fatal(err)
		}
		want(t, s, subStopped)
		done(t, s)
	})

	t.Run("client close stops", func(t *testing.T) {
		c, err := New(WithTransport(NewMemoryTransport()), WithReconnect(noWait()))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Connect(context.Background(), ""); err != nil {
			t.Fatal(err)
		}
		s := subscribe(t, c, "c")
		start(t, s)
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		want(t, s, subStopped)
		done(t, s)
	})
}
