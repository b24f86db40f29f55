package client

import (
	"context"
	"errors"
	"math/rand"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/parsec-gen/parsec-gen/runtime/envelope"
)

// TestReconnectLossless drops the subscriber's stream again and again (at
// seeded points) and lets its small buffer overflow while two producers
// publish 10,000 envelopes: every envelope must reach the handler exactly
// once, in order per producer, and no gap may be reported.
//
// In the "overlap" variant the transport reports positions 20 publications
// too early, so every resume replays envelopes already delivered: the gap
// detector must drop them.
func TestReconnectLossless(t *testing.T) {
	t.Run("exact", func(t *testing.T) { testReconnectLossless(t, false) })
	t.Run("overlap", func(t *testing.T) { testReconnectLossless(t, true) })
}

// earlyPositions reports every EventSubscribed position 20 offsets early.
type earlyPositions struct{ *MemoryTransport }

func (e earlyPositions) Subscribe(ctx context.Context, ch string, o SubscribeOptions) (<-chan []byte, func(), error) {
	inner := o.OnEvent
	o.OnEvent = func(ev StreamEvent) {
		if ev.Kind == EventSubscribed {
			ev.Position.Offset -= min(ev.Position.Offset, 20)
		}
		inner(ev)
	}
	return e.MemoryTransport.Subscribe(ctx, ch, o)
}

func testReconnectLossless(t *testing.T, overlap bool) {
	const perProducer = 5000
	broker := NewMemoryTransport(MemoryHistorySize(4 * perProducer))
	subT := broker.Peer(MemoryBufferSize(64))
	var tr Transport = subT
	if overlap {
		tr = earlyPositions{subT}
	}
	var errs errLog
	sub := newClient(t, tr, WithErrorHandler(errs.add))
	s := subscribe(t, sub, "c")
	var gaps gapLog
	s.OnGap(gaps.add)

	rng := rand.New(rand.NewSource(42))
	next := 50 + rng.Intn(400)
	drops := 0
	last := map[string]int64{}
	var orderErrs []string
	var mu sync.Mutex
	delivered := 0
	s.HandleEnvelope(func(_ context.Context, env *envelope.Envelope) error {
		mu.Lock()
		defer mu.Unlock()
		if want := last[env.Producer.ID] + 1; env.Sequence != want && len(orderErrs) < 10 {
			orderErrs = append(orderErrs, env.Producer.ID+": got #"+itoa(env.Sequence)+", want #"+itoa(want))
		}
		last[env.Producer.ID] = env.Sequence
		delivered++
		if delivered >= next {
			drops += subT.DropSubscriptions("c")
			next += 50 + rng.Intn(400)
		}
		return nil
	})
	start(t, s)

	var wg sync.WaitGroup
	var pubDrops atomic.Int64
	for k, p := range []envelope.Producer{alice, bob} {
		c := newClient(t, broker.Peer(), WithProducer(p))
		prng := rand.New(rand.NewSource(int64(k)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			nextDrop := 20 + prng.Intn(200)
			for i := 0; i < perProducer; i++ {
				if _, err := c.PublishAspect(context.Background(), "c", "tick", nil); err != nil {
					t.Error(err)
					return
				}
				if i%50 == 0 { // stay within a window of the subscriber so drops hit live streams
					deadline := time.Now().Add(10 * time.Second)
					for {
						mu.Lock()
						d := delivered
						mu.Unlock()
						if d >= 2*i-300 || time.Now().After(deadline) {
							break
						}
						time.Sleep(50 * time.Microsecond)
					}
				}
				if i == nextDrop { // drop while publishing, too
					pubDrops.Add(int64(subT.DropSubscriptions("c")))
					nextDrop += 20 + prng.Intn(200)
				}
			}
		}()
	}
	wg.Wait()
	waitFor(t, "all envelopes", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return delivered >= 2*perProducer
	})
	mu.Lock()
	defer mu.Unlock()
	if len(orderErrs) > 0 {
		t.Errorf("out of order or repeated: %v", orderErrs)
	}
	if delivered != 2*perProducer || last["alice"] != perProducer || last["bob"] != perProducer {
		t.Errorf("delivered %d, last %v; want %d, %d each", delivered, last, 2*perProducer, perProducer)
	}
	if g := gaps.all(); len(g) != 0 {
		t.Errorf("gaps reported without loss: %v", g)
	}
	for _, err := range errs.all() {
		var se *StreamError
		if !errors.As(err, &se) || se.Event.Kind != EventOverflow {
			t.Errorf("unexpected error: %v", err)
		}
	}
	drops += int(pubDrops.Load())
	if drops == 0 {
		t.Error("no stream was dropped: the test did not exercise resuming")
	}
	// The last drop may still be resubscribing.
	mu.Unlock()
	waitFor(t, "a resubscribe per drop", func() bool { return s.Stats().Resubscribes >= int64(drops) })
	mu.Lock()
	st := s.Stats()
	if overlap && st.Duplicates == 0 {
		t.Error("overlapping replays produced no duplicates to drop")
	}
	t.Logf("drops %d, overflow disconnects %d, resubscribes %d, duplicates dropped %d",
		drops, len(errs.all()), st.Resubscribes, st.Duplicates)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// gatedSleep blocks reconnect attempts until the test opens the gate.
type gatedSleep struct {
	sleeping chan time.Duration
	gate     chan struct{}
}

func (g *gatedSleep) sleep(ctx context.Context, d time.Duration) error {
	select {
	case g.sleeping <- d:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-g.gate:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TestReconnectRealLossReported misses more than the history holds while
// the stream is down: the loss must be reported, and the subscription must
// go on with what is left.
func TestReconnectRealLossReported(t *testing.T) {
	broker := NewMemoryTransport(MemoryHistorySize(50))
	subT := broker.Peer()
	g := &gatedSleep{sleeping: make(chan time.Duration), gate: make(chan struct{})}
	var errs errLog
	sub, err := New(WithTransport(subT), WithErrorHandler(errs.add), WithReconnect(ReconnectPolicy{Sleep: g.sleep}))
	if err != nil {
		t.Fatal(err)
	}
	if err := sub.Connect(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := sub.Close(); err != nil {
			t.Error(err)
		}
	}()
	pub := newClient(t, broker, WithProducer(alice))
	s := subscribe(t, sub, "c")
	var got recorder
	var gaps gapLog
	s.HandleEnvelope(got.handle)
	s.OnGap(gaps.add)
	start(t, s)
	for i := 0; i < 10; i++ {
		publish(t, pub, "c", "a", nil)
	}
	waitFor(t, "10 envelopes", func() bool { return got.n() == 10 })
	subT.DropSubscriptions("c")
	<-g.sleeping
	for i := 0; i < 200; i++ { // history keeps 161..210: 150 lost
		publish(t, pub, "c", "a", nil)
	}
	close(g.gate)
	waitFor(t, "the retained 50", func() bool { return got.n() == 60 })
	for i := 0; i < 5; i++ {
		publish(t, pub, "c", "a", nil)
	}
	waitFor(t, "5 more", func() bool { return got.n() == 65 })
	if diff := cmp.Diff([]int64{150}, gaps.all()); diff != "" {
		t.Errorf("gaps (-want +got): the producer's loss, once\n%s", diff)
	}
	seqs := got.seqs()
	if seqs[10] != 161 || seqs[len(seqs)-1] != 215 {
		t.Errorf("after the loss got #%d..#%d, want #161..#215", seqs[10], seqs[len(seqs)-1])
	}
	if e := errs.all(); len(e) != 0 {
		t.Errorf("errors = %v, want none: the producer accounted for the whole loss", e)
	}
}

// subscribeFails fails every Subscribe after the first.
type subscribeFails struct {
	*MemoryTransport
	mu    sync.Mutex
	calls int
}

var errRefused = errors.New("subscribe refused")

func (f *subscribeFails) Subscribe(ctx context.Context, ch string, o SubscribeOptions) (<-chan []byte, func(), error) {
	f.mu.Lock()
	f.calls++
	n := f.calls
	f.mu.Unlock()
	if n > 1 {
		return nil, nil, errRefused
	}
	return f.MemoryTransport.Subscribe(ctx, ch, o)
}

func TestReconnectGivesUp(t *testing.T) {
	tr := &subscribeFails{MemoryTransport: NewMemoryTransport()}
	var mu sync.Mutex
	var delays []time.Duration
	policy := ReconnectPolicy{MinDelay: 10 * time.Millisecond, MaxDelay: 30 * time.Millisecond, MaxAttempts: 4,
		Rand: func() float64 { return 0 },
		Sleep: func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			delays = append(delays, d)
			mu.Unlock()
			return ctx.Err()
		}}
	var errs errLog
	c := newClient(t, tr, WithReconnect(policy), WithErrorHandler(errs.add))
	s := subscribe(t, c, "c")
	var gaps gapLog
	s.OnGap(gaps.add)
	start(t, s)
	tr.DropSubscriptions("c")
	select {
	case <-s.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("subscription did not end")
	}
	if err := s.Err(); !errors.Is(err, ErrResumeFailed) {
		t.Errorf("Err() = %v, want ErrResumeFailed", err)
	}
	mu.Lock()
	// MinDelay doubling, capped at MaxDelay, times a jitter factor of 0.5.
	want := []time.Duration{5 * time.Millisecond, 10 * time.Millisecond, 15 * time.Millisecond, 15 * time.Millisecond}
	if diff := cmp.Diff(want, delays); diff != "" {
		t.Errorf("delays (-want +got):\n%s", diff)
	}
	mu.Unlock()
	if diff := cmp.Diff([]int64(nil), gaps.all()); diff != "" {
		t.Errorf("gaps (-want +got): an ended subscription is no producer's loss\n%s", diff)
	}
	if e := errs.all(); len(e) != 1 || !errors.Is(e[0], ErrResumeFailed) || !errors.Is(e[0], ErrResumeFailed) {
		t.Errorf("errors = %v", e)
	}
}

func TestReconnectDelayJitterBounds(t *testing.T) {
	p := ReconnectPolicy{MinDelay: time.Millisecond, MaxDelay: time.Second, Rand: rand.New(rand.NewSource(1)).Float64}.withDefaults()
	for n := 0; n < 20; n++ {
		base := min(time.Millisecond<<n, time.Second)
		if d := p.delay(n); d < base/2 || d >= base {
			t.Errorf("delay(%d) = %v, want in [%v, %v)", n, d, base/2, base)
		}
	}
}

func TestStreamResetReported(t *testing.T) {
	broker := NewMemoryTransport()
	subT := broker.Peer()
	var errs errLog
	sub := newClient(t, subT, WithErrorHandler(errs.add))
	pub := newClient(t, broker, WithProducer(alice))
	s := subscribe(t, sub, "c")
	var got recorder
	var gaps gapLog
	s.HandleEnvelope(got.handle)
	s.OnGap(gaps.add)
	start(t, s)
	publish(t, pub, "c", "a", nil)
	waitFor(t, "first", func() bool { return got.n() == 1 })
	broker.ResetChannel("c") // server restart: history and offsets gone
	publish(t, pub, "c", "a", nil)
	waitFor(t, "second", func() bool { return got.n() == 2 })
	if diff := cmp.Diff([]int64(nil), gaps.all()); diff != "" {
		t.Errorf("gaps (-want +got): the producer went on in order\n%s", diff)
	}
	var ge *GapError
	if e := errs.all(); len(e) != 1 || !errors.As(e[0], &ge) || ge.Producer != "" || ge.Missed != -1 ||
		ge.Event == nil || ge.Event.Kind != EventUnrecoverable {
		t.Errorf("errors = %v, want one stream-level GapError of unknown size", e)
	}
}

func TestOverflowResumesWithoutLoss(t *testing.T) {
	broker := NewMemoryTransport()
	subT := broker.Peer(MemoryBufferSize(2))
	var errs errLog
	sub := newClient(t, subT, WithErrorHandler(errs.add))
	pub := newClient(t, broker, WithProducer(alice))
	s := subscribe(t, sub, "c")
	release := make(chan struct{})
	var got recorder
	s.HandleEnvelope(func(ctx context.Context, env *envelope.Envelope) error {
		if env.Sequence == 1 {
			<-release
		}
		return got.handle(ctx, env)
	})
	start(t, s)
	for i := 0; i < 10; i++ {
		publish(t, pub, "c", "a", nil)
	}
	close(release)
	waitFor(t, "10 envelopes", func() bool { return got.n() == 10 })
	if diff := cmp.Diff([]int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, got.seqs()); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
	var se *StreamError
	if e := errs.all(); len(e) != 1 || !errors.As(e[0], &se) || se.Event.Kind != EventOverflow {
		t.Errorf("errors = %v, want one overflow StreamError", e)
	}
}

func TestCloseDuringHandlers(t *testing.T) {
	broker := NewMemoryTransport()
	sub, err := New(WithTransport(broker.Peer()), WithSnapshotter(memSnap(nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := sub.Connect(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	pub, err := New(WithTransport(broker), WithProducer(alice))
	if err != nil {
		t.Fatal(err)
	}
	if err := pub.Connect(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	entered := make(chan struct{}, 1)
	var finished sync.WaitGroup
	for i := 0; i < 3; i++ {
		s := subscribe(t, sub, "c")
		finished.Add(1)
		s.HandleEnvelope(func(ctx context.Context, _ *envelope.Envelope) error {
			select {
			case entered <- struct{}{}:
			default:
			}
			<-ctx.Done()
			return nil
		})
		start(t, s)
		go func() { <-s.Done(); finished.Done() }()
	}
	publish(t, pub, "c", "a", nil)
	<-entered
	if err := sub.Close(); err != nil {
		t.Fatal(err)
	}
	finished.Wait() // Close returned only after every dispatcher ended
	if _, err := sub.Subscribe(context.Background(), "c"); !errors.Is(err, ErrClosed) {
		t.Errorf("Subscribe after Close = %v, want ErrClosed", err)
	}
	if err := pub.Close(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "no goroutine left in the client", func() bool { return clientGoroutines() == "" })
}

// clientGoroutines returns the stacks of goroutines running this package's
// code other than tests.
func clientGoroutines() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "runtime/client.(*") && !strings.Contains(g, "testing.tRunner") {
			out = append(out, g)
		}
	}
	return strings.Join(out, "\n\n")
}

// closesFresh hands out streams that are closed at once, for the first n
// resubscriptions.
type closesFresh struct {
	*MemoryTransport
	mu    sync.Mutex
	calls int
	n     int
}

func (c *closesFresh) Subscribe(ctx context.Context, ch string, o SubscribeOptions) (<-chan []byte, func(), error) {
	c.mu.Lock()
	c.calls++
	closing := c.calls > 1 && c.calls <= c.n+1
	c.mu.Unlock()
	if closing {
		out := make(chan []byte)
		close(out)
		return out, func() {}, nil
	}
	return c.MemoryTransport.Subscribe(ctx, ch, o)
}

// TestReconnectIdleStreamsBackOff: a transport that keeps handing out
// streams that close at once is retried at a growing interval.
func TestReconnectIdleStreamsBackOff(t *testing.T) {
	tr := &closesFresh{MemoryTransport: NewMemoryTransport(), n: 5}
	var mu sync.Mutex
	var delays []time.Duration
	policy := ReconnectPolicy{MinDelay: time.Millisecond, MaxDelay: 8 * time.Millisecond, Rand: func() float64 { return 0.99 },
		Sleep: func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			delays = append(delays, d)
			mu.Unlock()
			return ctx.Err()
		}}
	c := newClient(t, tr, WithReconnect(policy), WithProducer(alice))
	s := subscribe(t, c, "c")
	var got recorder
	s.HandleEnvelope(got.handle)
	start(t, s)
	tr.DropSubscriptions("c")
	waitFor(t, "a live stream again", func() bool { return s.Stats().Resubscribes == 6 })
	publish(t, c, "c", "a", nil)
	waitFor(t, "delivery", func() bool { return got.n() == 1 })
	mu.Lock()
	defer mu.Unlock()
	for i := 1; i < len(delays); i++ {
		if delays[i] < delays[i-1] || (delays[i] == delays[i-1] && delays[i] < 7*time.Millisecond) {
			t.Fatalf("delays %v do not grow until the cap", delays)
		}
	}
	if len(delays) != 6 {
		t.Errorf("delays %v, want 6 attempts", delays)
	}
}

// noPositions reports EventSubscribed without a position, as a server that
// keeps no stream for the channel does, and records the resume requests.
type noPositions struct {
	*MemoryTransport
	mu     sync.Mutex
	resume []*StreamPosition
}

func (n *noPositions) Subscribe(ctx context.Context, ch string, o SubscribeOptions) (<-chan []byte, func(), error) {
	n.mu.Lock()
	n.resume = append(n.resume, o.Since)
	n.mu.Unlock()
	inner := o.OnEvent
	o.OnEvent = func(ev StreamEvent) {
		if ev.Kind == EventSubscribed {
			ev.Position = StreamPosition{}
		}
		inner(ev)
	}
	return n.MemoryTransport.Subscribe(ctx, ch, o)
}

func TestResumeWithoutPositionsSubscribesLive(t *testing.T) {
	tr := &noPositions{MemoryTransport: NewMemoryTransport()}
	c := newClient(t, tr, WithProducer(alice))
	s := subscribe(t, c, "c")
	var got recorder
	s.HandleEnvelope(got.handle)
	start(t, s)
	publish(t, c, "c", "a", nil)
	waitFor(t, "first", func() bool { return got.n() == 1 })
	if _, ok := s.Position(); ok {
		t.Error("Position() reports a position the transport never gave")
	}
	tr.DropSubscriptions("c")
	waitFor(t, "resubscribed", func() bool { return s.Stats().Resubscribes == 1 })
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if len(tr.resume) != 2 || tr.resume[1] != nil {
		t.Errorf("resume positions %v, want none asked for", tr.resume)
	}
}
