package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/parsec-gen/parsec-gen/runtime/envelope"
)

var (
	alice = envelope.Producer{ID: "alice", Kind: envelope.ProducerUser}
	bob   = envelope.Producer{ID: "bob", Kind: envelope.ProducerService}
)

// errLog collects errors reported to a hook.
type errLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errLog) add(err error) {
	l.mu.Lock()
	l.errs = append(l.errs, err)
	l.mu.Unlock()
}

func (l *errLog) all() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]error(nil), l.errs...)
}

// noWait is a ReconnectPolicy that retries at once.
func noWait() ReconnectPolicy {
	return ReconnectPolicy{Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }}
}

func newClient(t *testing.T, tr Transport, opts ...Option) *Client {
	t.Helper()
	c, err := New(append([]Option{WithTransport(tr), WithReconnect(noWait())}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Connect(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return c
}

func subscribe(t *testing.T, c *Client, channel string, opts ...SubscribeOption) *Subscription {
	t.Helper()
	s, err := c.Subscribe(context.Background(), channel, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func start(t *testing.T, s *Subscription) {
	t.Helper()
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
}

func publish(t *testing.T, c *Client, channel, aspect string, payload any) *envelope.Envelope {
	t.Helper()
	env, err := c.PublishAspect(context.Background(), channel, aspect, payload)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// waitFor polls cond until it holds or a bounded deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// recorder is a handler that records what it saw.
type recorder struct {
	mu   sync.Mutex
	envs []*envelope.Envelope
}

func (r *recorder) handle(_ context.Context, env *envelope.Envelope) error {
	r.mu.Lock()
	r.envs = append(r.envs, env)
	r.mu.Unlock()
	return nil
}

func (r *recorder) n() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.envs)
}

func (r *recorder) seqs() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	var s []int64
	for _, e := range r.envs {
		s = append(s, e.Sequence)
	}
	return s
}

func TestNewErrors(t *testing.T) {
	if _, err := New(); err == nil || !strings.Contains(err.Error(), "WithTransport") {
		t.Errorf("New without transport: %v, want an error naming WithTransport", err)
	}
	tr := NewMemoryTransport()
	if _, err := New(WithTransport(tr), WithProducer(envelope.Producer{ID: "x", Kind: "robot"})); err == nil {
		t.Error("New with producer kind robot: want an error")
	}
	path := filepath.Join(t.TempDir(), "seq.json")
	if err := NewFileSnapshotter(path).Save(map[string]int64{"c": 1}); err != nil {
		t.Fatal(err)
	}
	if err := writeFile(path, `{"version":1,"sequences":{"c":`); err != nil {
		t.Fatal(err)
	}
	_, err := New(WithTransport(tr), WithProducer(alice), WithSnapshotter(NewFileSnapshotter(path)))
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("New with a corrupt snapshot: %v, want an error naming %s", err, path)
	}
	c := newClient(t, tr)
	if _, err := c.PublishAspect(context.Background(), "c", "a", nil); !errors.Is(err, ErrNoProducer) {
		t.Errorf("publish without producer: %v, want ErrNoProducer", err)
	}
}

func TestPublishSubscribe(t *testing.T) {
	pubT := NewMemoryTransport()
	now := time.Date(2026, 5, 27, 14, 22, 9, 331e6, time.UTC)
	pub := newClient(t, pubT, WithProducer(alice), WithClock(func() time.Time { return now }))
	sub := newClient(t, pubT.Peer())
	s := subscribe(t, sub, "orders")
	if s.Channel() != "orders" {
		t.Errorf("Channel() = %q", s.Channel())
	}
	// Published before Start: must not be lost.
	sent := publish(t, pub, "orders", "order_placed", map[string]string{"id": "o-1"})
	publish(t, pub, "orders", "order_shipped", json.RawMessage(`{"id":"o-1"}`))
	var all, placed recorder
	s.HandleEnvelope(all.handle)
	s.HandleAspect("order_placed", placed.handle)
	start(t, s)
	publish(t, pub, "orders", "order_placed", []byte(`{"id":"o-2"}`))
	waitFor(t, "3 envelopes", func() bool { return all.n() == 3 && placed.n() == 2 })
	if diff := cmp.Diff([]int64{1, 2, 3}, all.seqs()); diff != "" {
		t.Errorf("sequences (-want +got):\n%s", diff)
	}
	want := &envelope.Envelope{Channel: "orders", Sequence: 1, ProducedAt: now, Producer: alice,
		Aspect: "order_placed", Payload: json.RawMessage(`{"id":"o-1"}`)}
	if diff := cmp.Diff(want, sent); diff != "" {
		t.Errorf("returned envelope (-want +got):\n%s", diff)
	}
	placed.mu.Lock()
	got := placed.envs[0]
	placed.mu.Unlock()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("received envelope (-want +got):\n%s", diff)
	}
	if err := s.Start(); err == nil {
		t.Error("second Start: want an error")
	}
	if _, err := pub.PublishAspect(context.Background(), "orders", "x", []byte(`{bad`)); !errors.Is(err, ErrInvalidPayload) {
		t.Errorf("invalid JSON payload: %v, want ErrInvalidPayload", err)
	}
}

type gapLog struct {
	mu   sync.Mutex
	gaps []int64
}

func (g *gapLog) add(_ string, n int64) {
	g.mu.Lock()
	g.gaps = append(g.gaps, n)
	g.mu.Unlock()
}

func (g *gapLog) all() []int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]int64(nil), g.gaps...)
}

func TestFilterBeforeGap(t *testing.T) {
	tr := NewMemoryTransport()
	pub := newClient(t, tr, WithProducer(alice))
	sub := newClient(t, tr.Peer())
	s := subscribe(t, sub, "c", WithAspectFilter("keep"))
	var got recorder
	var gaps gapLog
	s.HandleEnvelope(got.handle)
	s.OnGap(gaps.add)
	start(t, s)
	for _, a := range []string{"keep", "drop", "drop", "keep"} {
		publish(t, pub, "c", a, nil)
	}
	waitFor(t, "2 envelopes", func() bool { return got.n() == 2 })
	if diff := cmp.Diff([]int64{1, 4}, got.seqs()); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
	if g := gaps.all(); len(g) != 0 {
		t.Errorf("filtered envelopes reported as gaps: %v", g)
	}
	if st := s.Stats(); st.Filtered != 2 || st.Gaps != 0 {
		t.Errorf("stats = %+v, want 2 filtered, 0 gaps", st)
	}
}

// rejectAspect is a Validator that rejects one aspect.
type rejectAspect struct {
	aspect string
	warn   bool
}

var errRejected = errors.New("payload does not match schema")

func (r rejectAspect) Validate(env *envelope.Envelope) error {
	if env.Aspect == r.aspect {
		return errRejected
	}
	return nil
}

func (r rejectAspect) Rejects() bool { return !r.warn }

func TestRejectedBeforeGap(t *testing.T) {
	tr := NewMemoryTransport()
	pub := newClient(t, tr, WithProducer(alice)) // publishes without validation
	var errs errLog
	sub := newClient(t, tr.Peer(), WithValidator(rejectAspect{aspect: "bad"}), WithErrorHandler(errs.add))
	s := subscribe(t, sub, "c")
	var got recorder
	var gaps gapLog
	s.HandleEnvelope(got.handle)
	s.OnGap(gaps.add)
	start(t, s)
	for _, a := range []string{"ok", "bad", "ok"} {
		publish(t, pub, "c", a, nil)
	}
	waitFor(t, "2 envelopes", func() bool { return got.n() == 2 })
	if diff := cmp.Diff([]int64{1, 3}, got.seqs()); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
	if g := gaps.all(); len(g) != 0 {
		t.Errorf("rejected envelope reported as a gap: %v", g)
	}
	var de *DeliveryError
	e := errs.all()
	if len(e) != 1 || !errors.As(e[0], &de) || !errors.Is(e[0], errRejected) || de.Envelope.Sequence != 2 || len(de.Data) == 0 || de.Channel != "c" {
		t.Errorf("reported errors = %v, want one DeliveryError for #2 with the raw bytes", e)
	}
}

func TestValidatorWarnDelivers(t *testing.T) {
	tr := NewMemoryTransport()
	pub := newClient(t, tr, WithProducer(alice))
	var errs errLog
	sub := newClient(t, tr.Peer(), WithValidator(rejectAspect{aspect: "bad", warn: true}), WithErrorHandler(errs.add))
	s := subscribe(t, sub, "c")
	var got recorder
	s.HandleEnvelope(got.handle)
	start(t, s)
	publish(t, pub, "c", "bad", nil)
	waitFor(t, "delivery", func() bool { return got.n() == 1 })
	waitFor(t, "the warning", func() bool { return len(errs.all()) == 1 })
	if !errors.Is(errs.all()[0], errRejected) {
		t.Errorf("warning = %v", errs.all()[0])
	}
}

func TestPublishFailureLeavesNoGap(t *testing.T) {
	tr := NewMemoryTransport()
	pub := newClient(t, tr, WithProducer(alice), WithValidator(rejectAspect{aspect: "bad"}),
		WithCodec(envelope.Codec{MaxSize: 300}))
	if _, err := pub.PublishAspect(context.Background(), "c", "bad", nil); !errors.Is(err, errRejected) {
		t.Fatalf("publish of a rejected payload: %v", err)
	}
	big := map[string]string{"x": strings.Repeat("y", 400)}
	var se *envelope.SizeError
	if _, err := pub.PublishAspect(context.Background(), "c", "ok", big); !errors.As(err, &se) {
		t.Fatalf("publish of an oversized envelope: %v, want a *envelope.SizeError", err)
	}
	if env := publish(t, pub, "c", "ok", nil); env.Sequence != 1 {
		t.Errorf("sequence after failed publishes = %d, want 1", env.Sequence)
	}
}

func TestTwoSubscriptionsSameChannel(t *testing.T) {
	tr := NewMemoryTransport()
	pub := newClient(t, tr, WithProducer(alice))
	sub := newClient(t, tr.Peer())
	s1, s2 := subscribe(t, sub, "c"), subscribe(t, sub, "c")
	var r1, r2 recorder
	s1.HandleEnvelope(r1.handle)
	s2.HandleEnvelope(r2.handle)
	start(t, s1)
	start(t, s2)
	publish(t, pub, "c", "a", nil)
	waitFor(t, "both", func() bool { return r1.n() == 1 && r2.n() == 1 })
	if err := s1.Unsubscribe(); err != nil {
		t.Fatal(err)
	}
	<-s1.Done()
	publish(t, pub, "c", "a", nil)
	waitFor(t, "the second", func() bool { return r2.n() == 2 })
	if r1.n() != 1 {
		t.Errorf("unsubscribed subscription got %d envelopes, want 1", r1.n())
	}
	if err := s1.Err(); err != nil {
		t.Errorf("Err after Unsubscribe = %v", err)
	}
	if err := s1.Start(); !errors.Is(err, ErrClosed) {
		t.Errorf("Start after Unsubscribe = %v, want ErrClosed", err)
	}
}

func TestPublishDerivedCausationConcurrent(t *testing.T) {
	tr := NewMemoryTransport()
	src := newClient(t, tr, WithProducer(alice))
	worker := newClient(t, tr.Peer(), WithProducer(bob))
	audit := newClient(t, tr.Peer())
	const channels, perChannel = 4, 100
	var wg sync.WaitGroup
	var auditors []*recorder
	for i := 0; i < channels; i++ {
		ch := fmt.Sprintf("c%d", i)
		s := subscribe(t, worker, ch)
		s.HandleAspect("cmd", func(ctx context.Context, env *envelope.Envelope) error {
			_, err := s.PublishDerivedAspect(ctx, "done", map[string]int64{"of": env.Sequence})
			return err
		})
		start(t, s)
		a := subscribe(t, audit, ch)
		r := &recorder{}
		a.HandleAspect("done", r.handle)
		start(t, a)
		auditors = append(auditors, r)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < perChannel; j++ {
				if _, err := src.PublishAspect(context.Background(), ch, "cmd", nil); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for i, r := range auditors {
		waitFor(t, "derived envelopes", func() bool { return r.n() == perChannel })
		r.mu.Lock()
		for _, env := range r.envs {
			var p struct{ Of int64 }
			if err := json.Unmarshal(env.Payload, &p); err != nil {
				t.Fatal(err)
			}
			want := &envelope.Causation{ParentChannel: fmt.Sprintf("c%d", i), ParentSequence: p.Of, ParentProducer: "alice"}
			if diff := cmp.Diff(want, env.Causation); diff != "" {
				t.Errorf("causation of %s #%d (-want +got):\n%s", env.Channel, env.Sequence, diff)
			}
		}
		r.mu.Unlock()
	}
	s := subscribe(t, worker, "c0")
	if _, err := s.PublishDerivedAspect(context.Background(), "done", nil); !errors.Is(err, ErrNoParent) {
		t.Errorf("PublishDerived outside a handler: %v, want ErrNoParent", err)
	}
}

type order struct {
	ID string `json:"id"`
}

// direct counts UnmarshalJSON calls to prove HandleAspectTyped calls it itself.
type direct struct {
	ID    string
	calls int
}

func (d *direct) UnmarshalJSON(b []byte) error {
	d.calls++
	var o order
	if err := json.Unmarshal(b, &o); err != nil {
		return err
	}
	if o.ID == "" {
		return errors.New(`missing "id"`)
	}
	d.ID = o.ID
	return nil
}

func TestTypedHandlers(t *testing.T) {
	tr := NewMemoryTransport()
	pub := newClient(t, tr, WithProducer(alice))
	var errs errLog
	sub := newClient(t, tr.Peer(), WithErrorHandler(errs.add))
	s := subscribe(t, sub, "c")
	var mu sync.Mutex
	var plain []string
	var viaMethod []*direct
	HandleAspectTyped(s, "plain", func(_ context.Context, _ *envelope.Envelope, o *order) error {
		mu.Lock()
		plain = append(plain, o.ID)
		mu.Unlock()
		return nil
	})
	HandleAspectTyped(s, "direct", func(_ context.Context, _ *envelope.Envelope, d *direct) error {
		mu.Lock()
		viaMethod = append(viaMethod, d)
		mu.Unlock()
		return nil
	})
	start(t, s)
	publish(t, pub, "c", "plain", order{ID: "o-1"})
	publish(t, pub, "c", "plain", []byte(`{"id":5}`)) // wrong type
	publish(t, pub, "c", "direct", []byte(`{"id":"o-2"}`))
	publish(t, pub, "c", "direct", []byte(`{}`)) // rejected by UnmarshalJSON
	waitFor(t, "two errors", func() bool { return len(errs.all()) == 2 })
	waitFor(t, "deliveries", func() bool { return s.Stats().Delivered == 4 })
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff([]string{"o-1"}, plain); diff != "" {
		t.Errorf("plain (-want +got):\n%s", diff)
	}
	if len(viaMethod) != 1 || viaMethod[0].ID != "o-2" || viaMethod[0].calls != 1 {
		t.Errorf("direct = %+v, want one o-2 decoded by one UnmarshalJSON call", viaMethod)
	}
	for i, err := range errs.all() {
		var pe *PayloadError
		var de *DeliveryError
		if !errors.As(err, &pe) || !errors.As(err, &de) || de.Envelope == nil || de.Envelope.Sequence != int64(2*i+2) {
			t.Errorf("error %d = %v, want a DeliveryError of #%d wrapping a PayloadError", i, err, 2*i+2)
		}
	}
}

func TestHandlerPanicAndErrorReported(t *testing.T) {
	tr := NewMemoryTransport()
	pub := newClient(t, tr, WithProducer(alice))
	var clientErrs, subErrs errLog
	sub := newClient(t, tr.Peer(), WithErrorHandler(clientErrs.add))
	s := subscribe(t, sub, "c")
	s.OnError(subErrs.add)
	errHandler := errors.New("handler failed")
	var got recorder
	s.HandleAspect("boom", func(context.Context, *envelope.Envelope) error { panic("kaboom") })
	s.HandleAspect("fail", func(context.Context, *envelope.Envelope) error { return errHandler })
	s.HandleAspect("ok", got.handle)
	start(t, s)
	publish(t, pub, "c", "boom", nil)
	publish(t, pub, "c", "fail", nil)
	publish(t, pub, "c", "ok", nil)
	waitFor(t, "the envelope after the panic", func() bool { return got.n() == 1 })
	e := subErrs.all()
	var pe *PanicError
	if len(e) != 2 || !errors.As(e[0], &pe) || pe.Value != "kaboom" || len(pe.Stack) == 0 || !errors.Is(e[1], errHandler) {
		t.Fatalf("subscription errors = %v, want the panic then the handler error", e)
	}
	for _, err := range e {
		var de *DeliveryError
		if !errors.As(err, &de) || de.Channel != "c" || de.Envelope == nil || !json.Valid(de.Data) {
			t.Errorf("%v: want a DeliveryError with the channel, the envelope and the raw bytes", err)
		}
	}
	if len(clientErrs.all()) != 2 {
		t.Errorf("client hook got %d errors, want the same 2", len(clientErrs.all()))
	}
}

func TestUndecodableReported(t *testing.T) {
	tr := NewMemoryTransport()
	raw := connected(t, tr)
	var errs errLog
	sub := newClient(t, tr.Peer(), WithErrorHandler(errs.add))
	s := subscribe(t, sub, "c")
	var got recorder
	s.HandleEnvelope(got.handle)
	start(t, s)
	if err := raw.Publish(context.Background(), "c", []byte(`{"channel":"c","sequence":"x"}`)); err != nil {
		t.Fatal(err)
	}
	other := newClient(t, tr.Peer(), WithProducer(alice))
	publish(t, other, "elsewhere", "a", nil)
	env := publish(t, other, "elsewhere", "a", nil)
	data, err := envelope.Encode(env)
	if err != nil {
		t.Fatal(err)
	}
	if err := raw.Publish(context.Background(), "c", data); err != nil { // claims channel "elsewhere"
		t.Fatal(err)
	}
	waitFor(t, "two errors", func() bool { return len(errs.all()) == 2 })
	var de *DeliveryError
	var fe *envelope.FieldError
	e := errs.all()
	if !errors.As(e[0], &de) || string(de.Data) != `{"channel":"c","sequence":"x"}` || !errors.As(e[0], &fe) {
		t.Errorf("first error = %v, want a DeliveryError with the bytes and a FieldError", e[0])
	}
	if !errors.Is(e[1], ErrChannelMismatch) {
		t.Errorf("second error = %v, want ErrChannelMismatch", e[1])
	}
	if st := s.Stats(); st.DecodeErrors != 1 || st.Mismatched != 1 || got.n() != 0 {
		t.Errorf("stats = %+v, delivered %d", st, got.n())
	}
}

func TestGapReportedWithoutHook(t *testing.T) {
	tr := NewMemoryTransport()
	raw := connected(t, tr)
	var errs errLog
	sub := newClient(t, tr.Peer(), WithErrorHandler(errs.add))
	s := subscribe(t, sub, "c")
	var got recorder
	s.HandleEnvelope(got.handle)
	start(t, s)
	for _, seq := range []int64{1, 2, 5, 4, 2} {
		data, err := envelope.Encode(&envelope.Envelope{Channel: "c", Sequence: seq, ProducedAt: time.Unix(1700000000, 0), Producer: alice, Aspect: "a"})
		if err != nil {
			t.Fatal(err)
		}
		if err := raw.Publish(context.Background(), "c", data); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "4 deliveries and a duplicate", func() bool { return got.n() == 4 && s.Stats().Duplicates == 1 })
	var ge *GapError
	e := errs.all()
	if len(e) != 1 || !errors.As(e[0], &ge) || ge.Missed != 2 || ge.Producer != "alice" {
		t.Errorf("errors = %v, want one GapError of 2 from alice", e)
	}
	if diff := cmp.Diff([]int64{1, 2, 5, 4}, got.seqs()); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
}

func writeFile(path, content string) error {
	return os.WriteFile(path, []byte(content), 0o600)
}

func TestPublishDerivedToAnotherChannel(t *testing.T) {
	tr := NewMemoryTransport()
	src := newClient(t, tr, WithProducer(alice))
	worker := newClient(t, tr.Peer(), WithProducer(bob))
	s := subscribe(t, worker, "in")
	var typedNil sync.WaitGroup
	typedNil.Add(1)
	HandleAspectTyped(s, "ping", func(ctx context.Context, env *envelope.Envelope, p *struct{}) error {
		defer typedNil.Done()
		_, err := worker.PublishDerived(ctx, "out", "pong", nil)
		return err
	})
	var errs errLog
	s.OnError(errs.add)
	start(t, s)
	out := subscribe(t, worker, "out")
	var got recorder
	out.HandleEnvelope(got.handle)
	start(t, out)
	publish(t, src, "in", "ping", nil) // no payload: the typed handler decodes JSON null
	typedNil.Wait()
	waitFor(t, "pong", func() bool { return got.n() == 1 })
	got.mu.Lock()
	c := got.envs[0].Causation
	got.mu.Unlock()
	if diff := cmp.Diff(&envelope.Causation{ParentChannel: "in", ParentSequence: 1, ParentProducer: "alice"}, c); diff != "" {
		t.Errorf("causation (-want +got):\n%s", diff)
	}
	if e := errs.all(); len(e) != 0 {
		t.Errorf("errors: %v", e)
	}
}

// noisy reports many transport errors while subscribing.
type noisy struct{ *MemoryTransport }

func (n noisy) Subscribe(ctx context.Context, ch string, o SubscribeOptions) (<-chan []byte, func(), error) {
	for i := 0; i < maxQueuedEvents+10; i++ {
		o.OnEvent(StreamEvent{Kind: EventError, Channel: ch, Err: errInjected})
	}
	return n.MemoryTransport.Subscribe(ctx, ch, o)
}

func TestEventQueueBounded(t *testing.T) {
	var errs errLog
	c := newClient(t, noisy{NewMemoryTransport()}, WithErrorHandler(errs.add))
	s := subscribe(t, c, "c")
	start(t, s)
	waitFor(t, "every event accounted for", func() bool { return len(errs.all()) == maxQueuedEvents+1 })
	if e := errs.all()[0]; !strings.Contains(e.Error(), "11 transport events not reported") {
		t.Errorf("first report = %v, want the count of events not queued", e)
	}
}

func TestUnsubscribeFromHandler(t *testing.T) {
	tr := NewMemoryTransport()
	pub := newClient(t, tr, WithProducer(alice))
	sub := newClient(t, tr.Peer())
	s := subscribe(t, sub, "c")
	var got recorder
	s.HandleEnvelope(func(ctx context.Context, env *envelope.Envelope) error {
		if err := got.handle(ctx, env); err != nil {
			return err
		}
		return s.Unsubscribe()
	})
	start(t, s)
	for i := 0; i < 5; i++ {
		publish(t, pub, "c", "a", nil)
	}
	select {
	case <-s.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("subscription did not end")
	}
	if got.n() != 1 {
		t.Errorf("handled %d envelopes after unsubscribing in the first, want 1", got.n())
	}
}

func TestResumePositionAcrossRuns(t *testing.T) {
	tr := NewMemoryTransport()
	pub := newClient(t, tr, WithProducer(alice))
	first := newClient(t, tr.Peer())
	s := subscribe(t, first, "c")
	var got recorder
	s.HandleEnvelope(got.handle)
	start(t, s)
	for i := 0; i < 3; i++ {
		publish(t, pub, "c", "a", nil)
	}
	waitFor(t, "3 envelopes", func() bool { return got.n() == 3 })
	pos, ok := s.Position()
	if !ok || pos.Offset != 3 {
		t.Fatalf("Position() = %+v, %v; want offset 3", pos, ok)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		publish(t, pub, "c", "a", nil)
	}
	second := newClient(t, tr.Peer())
	s2 := subscribe(t, second, "c", WithResumePosition(pos))
	var got2 recorder
	s2.HandleEnvelope(got2.handle)
	start(t, s2)
	waitFor(t, "the 2 missed", func() bool { return got2.n() == 2 })
	if diff := cmp.Diff([]int64{4, 5}, got2.seqs()); diff != "" {
		t.Errorf("resumed (-want +got):\n%s", diff)
	}
}

func TestProducerRestartReported(t *testing.T) {
	tr := NewMemoryTransport()
	raw := connected(t, tr)
	var errs errLog
	sub := newClient(t, tr.Peer(), WithErrorHandler(errs.add))
	s := subscribe(t, sub, "c")
	var got recorder
	s.HandleEnvelope(got.handle)
	start(t, s)
	t0 := time.Unix(1700000000, 0)
	for i, seq := range []int64{1, 2, 3, 1, 2} {
		at := t0.Add(time.Duration(i) * time.Second) // the second run is produced later
		data, err := envelope.Encode(&envelope.Envelope{Channel: "c", Sequence: seq, ProducedAt: at, Producer: alice, Aspect: "a"})
		if err != nil {
			t.Fatal(err)
		}
		if err := raw.Publish(context.Background(), "c", data); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "5 deliveries", func() bool { return got.n() == 5 })
	e := errs.all()
	var de *DeliveryError
	if len(e) != 1 || !errors.Is(e[0], ErrSequenceRestart) || !errors.As(e[0], &de) || de.Envelope.Sequence != 1 {
		t.Errorf("errors = %v, want one ErrSequenceRestart for the new #1", e)
	}
}

// TestWireGarbageAccounted feeds seeded random and mangled publications to a
// subscription with a typed handler: nothing panics, every publication ends
// in exactly one counter, and every failure reaches the error hook.
func TestWireGarbageAccounted(t *testing.T) {
	tr := NewMemoryTransport()
	raw := connected(t, tr)
	var errs errLog
	sub := newClient(t, tr.Peer(), WithErrorHandler(errs.add))
	s := subscribe(t, sub, "c")
	var typed atomic.Int64
	HandleAspectTyped(s, "order", func(context.Context, *envelope.Envelope, *order) error {
		typed.Add(1)
		return nil
	})
	start(t, s)
	rng := rand.New(rand.NewSource(3))
	valid, err := envelope.Encode(&envelope.Envelope{Channel: "c", Sequence: 1, ProducedAt: time.Unix(1700000000, 0),
		Producer: alice, Aspect: "order", Payload: json.RawMessage(`{"id":"o-1"}`)})
	if err != nil {
		t.Fatal(err)
	}
	const n = 400
	for i := 0; i < n; i++ {
		var data []byte
		switch rng.Intn(4) {
		case 0: // random bytes
			data = make([]byte, rng.Intn(64))
			rng.Read(data)
		case 1: // truncated envelope
			data = valid[:rng.Intn(len(valid))]
		case 2: // one byte flipped
			data = append([]byte(nil), valid...)
			data[rng.Intn(len(data))] ^= byte(1 + rng.Intn(255))
		case 3: // a valid envelope with a fresh sequence and a payload of the wrong shape
			env := &envelope.Envelope{Channel: "c", Sequence: int64(1000 + i), ProducedAt: time.Unix(1700000000, 0),
				Producer: bob, Aspect: "order", Payload: json.RawMessage(`{"id":` + strconv.Itoa(i) + `}`)}
			if data, err = envelope.Encode(env); err != nil {
				t.Fatal(err)
			}
		}
		if err := raw.Publish(context.Background(), "c", data); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "every publication accounted for", func() bool {
		st := s.Stats()
		return st.Received == n && st.Received == st.Delivered+st.Unhandled+st.Duplicates+st.Filtered+st.Rejected+st.DecodeErrors+st.Mismatched
	})
	st := s.Stats()
	// Every decode error and every delivery whose typed decode failed was
	// reported (plus restart/gap notes for mangled sequences).
	waitFor(t, "reports", func() bool { return int64(len(errs.all())) >= st.DecodeErrors+st.Delivered-typed.Load() })
	t.Logf("stats %+v, typed deliveries %d, reports %d", st, typed.Load(), len(errs.all()))
	if st.DecodeErrors == 0 || st.Delivered == 0 {
		t.Errorf("the mix exercised too little: %+v", st)
	}
}
