// Package transporttest is the contract every client.Transport keeps, as one
// test suite. A transport's tests call Run with a Harness that makes
// connected transports on one server; the suite checks ordering,
// independent streams per Subscribe, cancel idempotence, resuming after a
// position, unrecoverable reporting, history bounds and trimming, presence
// and Close. Tests specific to one transport (its faults, its options) stay
// beside it; what every transport must do is checked here once.
//
// The memory transport (runtime/client), the WebSocket transport against
// the embedded node of the server module and the SSE transport against
// Centrifugo all run it. A user-written Transport can run it too:
//
//	func TestContract(t *testing.T) {
//		transporttest.Run(t, transporttest.Harness{
//			New:         func(t *testing.T) client.Transport { return myTransport(t) },
//			HistorySize: 16,
//			Caps:        transporttest.Capabilities{Presence: true, History: true},
//		})
//	}
//
// The suite needs only the standard library and runtime/client. Every wait
// it makes is bounded by Harness.Timeout; it never skips a case: what a
// transport declares it cannot do is checked as declared (the documented
// answer, ErrNotImplemented or empty) and logged as such.
package transporttest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parsec-gen/parsec-gen/runtime/client"
)

// DefaultTimeout bounds each wait of the suite when Harness.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// Capabilities says which optional parts of the Transport contract a
// transport implements. A part it does not implement is still checked: the
// transport must answer as client.Transport documents for that case.
type Capabilities struct {
	// Presence: Presence lists the transports subscribed to a channel.
	// Without it, Presence must return client.ErrNotImplemented or nothing.
	Presence bool
	// History: History returns what the channel's stream keeps, and
	// Subscribe can resume from a position (Since, FromSequence). Without
	// it, History must return client.ErrNotImplemented or nothing, and the
	// resume and unrecoverable cases check only that live delivery goes on.
	History bool
}

// Harness is what Run needs of a transport.
type Harness struct {
	// New returns a connected transport; every transport New returns for
	// one test talks to the same server (or broker). The suite closes it
	// when the test ends (Close is idempotent, so New may close it too).
	New func(t *testing.T) client.Transport
	// Channel returns a channel name no other test uses; nil names
	// channels "transporttest-<test>-<n>". Servers that configure channels
	// by namespace prefix the name ("parsec:" + ...).
	Channel func(t *testing.T) string
	// HistorySize is how many publications the server keeps per channel.
	// It must be at least 12: the cases stay below it except the one that
	// overflows it on purpose.
	HistorySize int
	// Caps declares the optional parts the transport implements.
	Caps Capabilities
	// Timeout bounds each wait (DefaultTimeout when zero).
	Timeout time.Duration
}

// Run runs the contract suite as subtests of t.
func Run(t *testing.T, h Harness) {
	t.Helper()
	if h.New == nil {
		t.Fatal("transporttest: Harness.New is nil")
	}
	if h.HistorySize < 12 {
		t.Fatalf("transporttest: Harness.HistorySize is %d, want at least 12", h.HistorySize)
	}
	if h.Timeout <= 0 {
		h.Timeout = DefaultTimeout
	}
	s := &suite{h: h}
	for _, c := range []struct {
		name string
		run  func(*testing.T)
	}{
		{"Ordering", s.ordering},
		{"IndependentStreams", s.independentStreams},
		{"CancelIdempotent", s.cancelIdempotent},
		{"ResumeSince", s.resumeSince},
		{"ResumeFromSequence", s.resumeFromSequence},
		{"UnrecoverableTrimmed", s.unrecoverableTrimmed},
		{"UnrecoverableEpoch", s.unrecoverableEpoch},
		{"HistoryBounds", s.historyBounds},
		{"HistoryTrimmed", s.historyTrimmed},
		{"Presence", s.presence},
		{"Close", s.close},
	} {
		t.Run(c.name, c.run)
	}
}

type suite struct {
	h Harness
	n atomic.Int64
}

// transport returns a connected transport closed when the test ends.
func (s *suite) transport(t *testing.T) client.Transport {
	t.Helper()
	tr := s.h.New(t)
	if tr == nil {
		t.Fatal("transporttest: Harness.New returned nil")
	}
	t.Cleanup(func() {
		if err := tr.Close(); err != nil {
			t.Errorf("close %T: %v", tr, err)
		}
	})
	return tr
}

func (s *suite) channel(t *testing.T) string {
	if s.h.Channel != nil {
		return s.h.Channel(t)
	}
	return "transporttest-" + strconv.Itoa(int(s.n.Add(1)))
}

func (s *suite) ctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), s.h.Timeout)
	t.Cleanup(cancel)
	return ctx
}

// payload is the JSON value the suite publishes as number i (every
// transport carries JSON; SSE carries nothing else).
func payload(i int) []byte { return []byte(`{"i":` + strconv.Itoa(i) + `}`) }

// number reads i back from a payload.
func number(t *testing.T, b []byte) int {
	t.Helper()
	var p struct {
		I *int `json:"i"`
	}
	if err := json.Unmarshal(b, &p); err != nil || p.I == nil {
		t.Fatalf("received %q, which the suite did not publish", b)
	}
	return *p.I
}

func (s *suite) publish(t *testing.T, tr client.Transport, channel string, from, to int) {
	t.Helper()
	for i := from; i <= to; i++ {
		if err := tr.Publish(s.ctx(t), channel, payload(i)); err != nil {
			t.Fatalf("publish %d to %q: %v", i, channel, err)
		}
	}
}

// events records what a subscription reported through OnEvent.
type events struct {
	mu     sync.Mutex
	all    []client.StreamEvent
	notify chan struct{}
}

func newEvents() *events { return &events{notify: make(chan struct{}, 1)} }

func (e *events) on(ev client.StreamEvent) {
	e.mu.Lock()
	e.all = append(e.all, ev)
	e.mu.Unlock()
	select {
	case e.notify <- struct{}{}:
	default:
	}
}

func (e *events) of(kind client.StreamEventKind) []client.StreamEvent {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []client.StreamEvent
	for _, ev := range e.all {
		if ev.Kind == kind {
			out = append(out, ev)
		}
	}
	return out
}

func (e *events) String() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return fmt.Sprintf("%+v", e.all)
}

// wait returns the first event of kind, failing the test after timeout.
func (e *events) wait(t *testing.T, kind client.StreamEventKind, timeout time.Duration) client.StreamEvent {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		if evs := e.of(kind); len(evs) > 0 {
			return evs[0]
		}
		select {
		case <-e.notify:
		case <-deadline.C:
			t.Fatalf("no event of kind %d within %v; events: %s", kind, timeout, e)
		}
	}
}

// sub is one subscription under test.
type sub struct {
	ch     <-chan []byte
	cancel func()
	ev     *events
}

func (s *suite) subscribe(t *testing.T, tr client.Transport, channel string, opts client.SubscribeOptions) *sub {
	t.Helper()
	ev := newEvents()
	opts.OnEvent = ev.on
	ch, cancel, err := tr.Subscribe(s.ctx(t), channel, opts)
	if err != nil {
		t.Fatalf("subscribe to %q: %v", channel, err)
	}
	t.Cleanup(cancel)
	return &sub{ch: ch, cancel: cancel, ev: ev}
}

// receive reads n publications, failing the test after the timeout or when
// the stream closes first.
func (s *suite) receive(t *testing.T, sb *sub, n int) []int {
	t.Helper()
	deadline := time.NewTimer(s.h.Timeout)
	defer deadline.Stop()
	out := make([]int, 0, n)
	for len(out) < n {
		select {
		case b, ok := <-sb.ch:
			if !ok {
				t.Fatalf("stream closed after %v, want %d publications; events: %s", out, n, sb.ev)
			}
			out = append(out, number(t, b))
		case <-deadline.C:
			t.Fatalf("received %v within %v, want %d publications; events: %s", out, s.h.Timeout, n, sb.ev)
		}
	}
	return out
}

// until reads publications up to and including marker.
func (s *suite) until(t *testing.T, sb *sub, marker int) []int {
	t.Helper()
	deadline := time.NewTimer(s.h.Timeout)
	defer deadline.Stop()
	var out []int
	for {
		select {
		case b, ok := <-sb.ch:
			if !ok {
				t.Fatalf("stream closed after %v, before %d; events: %s", out, marker, sb.ev)
			}
			i := number(t, b)
			out = append(out, i)
			if i == marker {
				return out
			}
		case <-deadline.C:
			t.Fatalf("received %v within %v, not %d; events: %s", out, s.h.Timeout, marker, sb.ev)
		}
	}
}

// closed waits for the stream to close, discarding what it still holds.
func (s *suite) closed(t *testing.T, sb *sub, what string) {
	t.Helper()
	deadline := time.NewTimer(s.h.Timeout)
	defer deadline.Stop()
	for {
		select {
		case _, ok := <-sb.ch:
			if !ok {
				return
			}
		case <-deadline.C:
			t.Fatalf("%s: stream still open after %v", what, s.h.Timeout)
		}
	}
}

func seq(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

func wantSeq(t *testing.T, what string, got []int, from, to int) {
	t.Helper()
	if want := seq(from, to); !slices.Equal(got, want) {
		t.Fatalf("%s: received %v, want %v", what, got, want)
	}
}

// position returns the stream position a subscription reported first.
func (s *suite) position(t *testing.T, sb *sub) client.StreamPosition {
	t.Helper()
	return sb.ev.wait(t, client.EventSubscribed, s.h.Timeout).Position
}

// ordering: publications arrive once each, in publish order, byte-equal.
func (s *suite) ordering(t *testing.T) {
	pub, tr := s.transport(t), s.transport(t)
	channel := s.channel(t)
	sb := s.subscribe(t, tr, channel, client.SubscribeOptions{})
	s.position(t, sb)
	const n = 10
	s.publish(t, pub, channel, 1, n)
	wantSeq(t, "subscriber", s.receive(t, sb, n), 1, n)
	// Publications from the subscribing transport itself arrive too.
	s.publish(t, tr, channel, n+1, n+1)
	wantSeq(t, "own publication", s.receive(t, sb, 1), n+1, n+1)
}

// independentStreams: each Subscribe gets its own stream; cancelling one
// leaves the other running.
func (s *suite) independentStreams(t *testing.T) {
	pub, tr := s.transport(t), s.transport(t)
	channel := s.channel(t)
	a := s.subscribe(t, tr, channel, client.SubscribeOptions{})
	b := s.subscribe(t, tr, channel, client.SubscribeOptions{})
	s.position(t, a)
	s.position(t, b)
	s.publish(t, pub, channel, 1, 3)
	wantSeq(t, "first stream", s.receive(t, a, 3), 1, 3)
	wantSeq(t, "second stream", s.receive(t, b, 3), 1, 3)
	a.cancel()
	s.closed(t, a, "cancelled stream")
	s.publish(t, pub, channel, 4, 5)
	wantSeq(t, "stream left running", s.receive(t, b, 2), 4, 5)
}

// cancelIdempotent: cancel closes the stream; calling it again, at once from
// two goroutines, or after Close does nothing more.
func (s *suite) cancelIdempotent(t *testing.T) {
	tr := s.transport(t)
	channel := s.channel(t)
	sb := s.subscribe(t, tr, channel, client.SubscribeOptions{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(sb.cancel)
	}
	wg.Wait()
	s.closed(t, sb, "after cancel")
	sb.cancel()
	other := s.subscribe(t, tr, channel, client.SubscribeOptions{})
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	s.closed(t, other, "after Close")
	other.cancel()
	other.cancel()
}

// resumeSince: a subscription from a position delivers what follows it,
// reports EventRecovered, then goes on live.
func (s *suite) resumeSince(t *testing.T) {
	pub, tr := s.transport(t), s.transport(t)
	channel := s.channel(t)
	s.publish(t, pub, channel, 1, 1)
	first := s.subscribe(t, tr, channel, client.SubscribeOptions{})
	pos := s.position(t, first)
	s.publish(t, pub, channel, 2, 6)
	wantSeq(t, "live", s.receive(t, first, 5), 2, 6)
	first.cancel()
	if !s.h.Caps.History {
		t.Log("the transport declares no history: checking only that a resumed subscription goes on live")
		sb := s.subscribe(t, tr, channel, client.SubscribeOptions{Since: &client.StreamPosition{Offset: pos.Offset + 3, Epoch: pos.Epoch}})
		s.publish(t, pub, channel, 7, 7)
		s.until(t, sb, 7)
		return
	}
	if pos.Offset != 1 || pos.Epoch == "" {
		t.Fatalf("EventSubscribed after one publication: position %+v, want offset 1 and an epoch", pos)
	}
	sb := s.subscribe(t, tr, channel, client.SubscribeOptions{Since: &client.StreamPosition{Offset: 3, Epoch: pos.Epoch}})
	wantSeq(t, "resumed after offset 3", s.receive(t, sb, 3), 4, 6)
	sb.ev.wait(t, client.EventRecovered, s.h.Timeout)
	s.publish(t, pub, channel, 7, 7)
	wantSeq(t, "live after the replay", s.receive(t, sb, 1), 7, 7)
	if u := sb.ev.of(client.EventUnrecoverable); len(u) > 0 {
		t.Fatalf("a complete replay reported %+v", u)
	}
}

// resumeFromSequence: FromSequence replays the publications above it.
func (s *suite) resumeFromSequence(t *testing.T) {
	pub, tr := s.transport(t), s.transport(t)
	channel := s.channel(t)
	s.publish(t, pub, channel, 1, 6)
	sb := s.subscribe(t, tr, channel, client.SubscribeOptions{FromSequence: 3})
	if !s.h.Caps.History {
		t.Log("the transport declares no history: checking only that the subscription goes on live")
		s.publish(t, pub, channel, 7, 7)
		s.until(t, sb, 7)
		return
	}
	wantSeq(t, "from sequence 3", s.receive(t, sb, 3), 4, 6)
	s.publish(t, pub, channel, 7, 7)
	wantSeq(t, "live after the replay", s.receive(t, sb, 1), 7, 7)
}

// unrecoverableTrimmed: resuming from a position history no longer holds
// reports EventUnrecoverable, and the publications it counts as missed plus
// those delivered are exactly the ones published after the position: a
// loss is counted once, at its true size.
func (s *suite) unrecoverableTrimmed(t *testing.T) {
	pub, tr := s.transport(t), s.transport(t)
	channel := s.channel(t)
	s.publish(t, pub, channel, 1, 1)
	first := s.subscribe(t, tr, channel, client.SubscribeOptions{})
	pos := s.position(t, first)
	first.cancel()
	top := s.h.HistorySize + 5
	s.publish(t, pub, channel, 2, top)
	sb := s.subscribe(t, tr, channel, client.SubscribeOptions{Since: &client.StreamPosition{Offset: pos.Offset, Epoch: pos.Epoch}})
	s.publish(t, pub, channel, top+1, top+1)
	got := s.until(t, sb, top+1)
	if !s.h.Caps.History {
		t.Log("the transport declares no history: checking only that the subscription goes on live")
		return
	}
	got = got[:len(got)-1] // the live marker
	if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
		t.Fatalf("replay out of order or duplicated: %v", got)
	}
	u := sb.ev.wait(t, client.EventUnrecoverable, s.h.Timeout)
	if n := len(sb.ev.of(client.EventUnrecoverable)); n != 1 {
		t.Fatalf("%d EventUnrecoverable for one loss; events: %s", n, sb.ev)
	}
	if u.Missed < 1 {
		t.Fatalf("EventUnrecoverable.Missed = %d, want the count lost; events: %s", u.Missed, sb.ev)
	}
	if total := int64(len(got)) + u.Missed; total != int64(top-1) {
		t.Fatalf("delivered %d (%v) + missed %d = %d, want the %d published after offset 1", len(got), got, u.Missed, total, top-1)
	}
	if len(got) > 0 && got[len(got)-1] != top {
		t.Fatalf("replay ends at %d, want %d (the newest before the marker)", got[len(got)-1], top)
	}
	if r := sb.ev.of(client.EventRecovered); len(r) > 0 {
		t.Fatalf("an incomplete replay reported %+v", r)
	}
}

// unrecoverableEpoch: a position of an epoch the server does not know is
// reported as EventUnrecoverable with Missed -1 (the old epoch's tail is
// unknown), and the current epoch is delivered from its oldest retained
// publication, then live.
func (s *suite) unrecoverableEpoch(t *testing.T) {
	pub, tr := s.transport(t), s.transport(t)
	channel := s.channel(t)
	s.publish(t, pub, channel, 1, 3)
	sb := s.subscribe(t, tr, channel, client.SubscribeOptions{Since: &client.StreamPosition{Offset: 2, Epoch: "transporttest-unknown-epoch"}})
	s.publish(t, pub, channel, 4, 4)
	got := s.until(t, sb, 4)
	if !s.h.Caps.History {
		t.Log("the transport declares no history: checking only that the subscription goes on live")
		return
	}
	u := sb.ev.wait(t, client.EventUnrecoverable, s.h.Timeout)
	if u.Missed != -1 {
		t.Fatalf("EventUnrecoverable.Missed = %d after an epoch change, want -1; events: %s", u.Missed, sb.ev)
	}
	wantSeq(t, "the current epoch", got, 1, 4)
}

// historyBounds: History answers with stream offsets, Since exclusive,
// Until inclusive, Limit keeping the newest, oldest first.
func (s *suite) historyBounds(t *testing.T) {
	pub, tr := s.transport(t), s.transport(t)
	channel := s.channel(t)
	s.publish(t, pub, channel, 1, 10)
	for _, tc := range []struct {
		opts     client.HistoryOptions
		from, to int
	}{
		{client.HistoryOptions{}, 1, 10},
		{client.HistoryOptions{Limit: 3}, 8, 10},
		{client.HistoryOptions{Since: 4}, 5, 10},
		{client.HistoryOptions{Since: 4, Until: 6}, 5, 6},
		{client.HistoryOptions{Until: 2}, 1, 2},
		{client.HistoryOptions{Since: 2, Limit: 2}, 9, 10},
		{client.HistoryOptions{Since: 10}, 1, 0},
	} {
		h, err := tr.History(s.ctx(t), channel, tc.opts)
		if !s.h.Caps.History {
			if err != nil && !errors.Is(err, client.ErrNotImplemented) || len(h) != 0 {
				t.Fatalf("History(%+v) of a transport without history: %d entries, %v; want none, or ErrNotImplemented", tc.opts, len(h), err)
			}
			t.Log("the transport declares no history: checked that History answers nothing")
			return
		}
		if err != nil {
			t.Fatalf("History(%+v): %v", tc.opts, err)
		}
		got := make([]int, 0, len(h))
		for _, b := range h {
			got = append(got, number(t, b))
		}
		wantSeq(t, fmt.Sprintf("History(%+v)", tc.opts), got, tc.from, tc.to)
	}
	if _, err := tr.History(s.ctx(t), channel, client.HistoryOptions{Limit: -1}); err == nil {
		t.Fatal("History with a negative Limit: no error")
	}
}

// historyTrimmed: History keeps the newest HistorySize publications.
func (s *suite) historyTrimmed(t *testing.T) {
	pub := s.transport(t)
	channel := s.channel(t)
	top := s.h.HistorySize + 3
	s.publish(t, pub, channel, 1, top)
	h, err := pub.History(s.ctx(t), channel, client.HistoryOptions{})
	if !s.h.Caps.History {
		if err != nil && !errors.Is(err, client.ErrNotImplemented) || len(h) != 0 {
			t.Fatalf("History of a transport without history: %d entries, %v; want none, or ErrNotImplemented", len(h), err)
		}
		t.Log("the transport declares no history: checked that History answers nothing")
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	got := make([]int, 0, len(h))
	for _, b := range h {
		got = append(got, number(t, b))
	}
	wantSeq(t, "trimmed history", got, top-s.h.HistorySize+1, top)
}

// presence: every subscribed transport is listed once, with a client id;
// one that cancels its subscription leaves the list.
func (s *suite) presence(t *testing.T) {
	a, b := s.transport(t), s.transport(t)
	channel := s.channel(t)
	sa := s.subscribe(t, a, channel, client.SubscribeOptions{})
	sbb := s.subscribe(t, b, channel, client.SubscribeOptions{})
	s.position(t, sa)
	s.position(t, sbb)
	list := func() []client.PresenceEntry {
		t.Helper()
		p, err := a.Presence(s.ctx(t), channel)
		if !s.h.Caps.Presence {
			if err != nil && !errors.Is(err, client.ErrNotImplemented) || len(p) != 0 {
				t.Fatalf("Presence of a transport without presence: %+v, %v; want none, or ErrNotImplemented", p, err)
			}
			return nil
		}
		if err != nil {
			t.Fatalf("Presence: %v", err)
		}
		return p
	}
	if !s.h.Caps.Presence {
		list()
		t.Log("the transport declares no presence: checked that Presence answers nothing")
		return
	}
	waitPresence := func(n int) []client.PresenceEntry {
		t.Helper()
		deadline := time.Now().Add(s.h.Timeout)
		for {
			p := list()
			if len(p) == n {
				return p
			}
			if time.Now().After(deadline) {
				t.Fatalf("Presence lists %+v, want %d entries within %v", p, n, s.h.Timeout)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	p := waitPresence(2)
	if p[0].ClientID == "" || p[1].ClientID == "" || p[0].ClientID == p[1].ClientID {
		t.Fatalf("Presence lists %+v, want two distinct client ids", p)
	}
	if p[0].ClientID > p[1].ClientID {
		t.Fatalf("Presence lists %+v, want them ordered by client id", p)
	}
	sbb.cancel()
	s.closed(t, sbb, "cancelled stream")
	waitPresence(1)
}

// close: Close ends every stream, every later operation fails with the
// transports' closed error, and Close again returns nil.
func (s *suite) close(t *testing.T) {
	tr := s.transport(t)
	channel := s.channel(t)
	a := s.subscribe(t, tr, channel, client.SubscribeOptions{})
	b := s.subscribe(t, tr, channel+"-2", client.SubscribeOptions{})
	if err := tr.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s.closed(t, a, "first stream after Close")
	s.closed(t, b, "second stream after Close")
	if err := tr.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	ctx := s.ctx(t)
	ch, cancel, err := tr.Subscribe(ctx, channel, client.SubscribeOptions{})
	if err == nil {
		cancel()
		t.Fatalf("Subscribe after Close returned a stream (%v)", ch)
	}
	_, historyErr := tr.History(ctx, channel, client.HistoryOptions{})
	_, presenceErr := tr.Presence(ctx, channel)
	for op, err := range map[string]error{
		"Publish":   tr.Publish(ctx, channel, payload(1)),
		"Subscribe": err,
		"History":   historyErr,
		"Presence":  presenceErr,
	} {
		if (op == "History" && !s.h.Caps.History || op == "Presence" && !s.h.Caps.Presence) && errors.Is(err, client.ErrNotImplemented) {
			t.Logf("the transport declares no %s: %s after Close answers ErrNotImplemented", strings.ToLower(op), op)
			continue
		}
		if !errors.Is(err, client.ErrTransportClosed) {
			t.Errorf("%s after Close: %v, want an error matching client.ErrTransportClosed", op, err)
		}
	}
}
