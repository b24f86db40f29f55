package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parsec-gen/parsec-gen/runtime/envelope"
)

// EnvelopeHandler handles one received envelope. ctx is canceled when the
// subscription ends and carries env for PublishDerived. A returned error is
// reported to the error hooks as a *DeliveryError.
type EnvelopeHandler func(ctx context.Context, env *envelope.Envelope) error

// SubscribeOption configures Client.Subscribe by setting fields of the
// SubscribeOptions the Client hands to the transport. Users can write their
// own.
type SubscribeOption func(*SubscribeOptions)

// WithFromSequence asks the transport to replay the channel's stored
// publications above stream position seq (exclusive: seq+1 is the first
// replayed) before live ones; 0 is live only.
// Stream positions equal the sequences for a channel with one producer.
func WithFromSequence(seq int64) SubscribeOption {
	return func(o *SubscribeOptions) { o.FromSequence = seq }
}

// WithResumePosition asks the transport to resume after pos, a stream
// position saved from an earlier run (see Subscription.Position). Unlike
// WithFromSequence it checks the stream's epoch: a stream the server lost is
// reported as a loss instead of being read from a wrong offset.
// WithResumeState also restores the producers' marks.
func WithResumePosition(pos StreamPosition) SubscribeOption {
	return func(o *SubscribeOptions) { o.Since = &pos }
}

// WithAspectFilter restricts handler dispatch to the given aspects. Gap
// detection still sees every envelope, so a filtered envelope never looks
// like a gap.
func WithAspectFilter(aspects ...string) SubscribeOption {
	return func(o *SubscribeOptions) { o.Aspects = append(o.Aspects, aspects...) }
}

// WithManualStart makes the Subscription dispatch nothing until Start, so
// that not a single envelope is handled before every handler exists. Without
// it dispatch begins with the first registration (see Subscription).
func WithManualStart() SubscribeOption {
	return func(o *SubscribeOptions) { o.ManualStart = true }
}

// SubscriptionStats counts what a subscription did with the publications it
// received. Every received publication ends in exactly one of Delivered,
// Unhandled, Duplicates, Filtered, Rejected, DecodeErrors or Mismatched. An
// envelope counted Unhandled moves to Delivered when a handler registered
// during the late-registration window (see Subscription) receives it.
type SubscriptionStats struct {
	Received     int64 // publications read from the transport
	Delivered    int64 // envelopes handed to at least one handler
	Unhandled    int64 // envelopes no registered handler matched
	Duplicates   int64 // envelopes dropped as already delivered (replay overlap)
	Filtered     int64 // envelopes outside the aspect filter
	Rejected     int64 // envelopes rejected by the validator
	DecodeErrors int64 // publications that are not valid envelopes
	Mismatched   int64 // envelopes naming another channel
	Gaps         int64 // holes reported through OnGap
	Resubscribes int64 // successful resubscriptions after a lost stream
}

type stats struct {
	received, delivered, unhandled, duplicates, filtered, rejected,
	decodeErrors, mismatched, gaps, resubscribes atomic.Int64
}

// handlerEntry is one registered handler; all means every aspect.
type handlerEntry struct {
	all    bool
	aspect string
	h      EnvelopeHandler
}

func (e *handlerEntry) matches(aspect string) bool { return e.all || e.aspect == aspect }

type handlerSet struct {
	entries  []handlerEntry // in registration order
	onGap    []func(channel string, gap int64)
	onReport []func(GapReport)
	onError  []func(error)
}

// maxQueuedEvents bounds the transport events waiting for a subscription's
// dispatch goroutine; past it, events are counted and reported as lost.
const maxQueuedEvents = 1024

// The late-registration window: after dispatch began on its own (no
// WithManualStart, no Start yet), a subscription keeps what it dispatched
// for this long after the first registration, and at most this many
// envelopes, and hands it to handlers registered meanwhile.
const (
	lateWindow   = 5 * time.Second
	lateEnvelops = 1024
)

// retained is an envelope dispatched during the late-registration window.
type retained struct {
	d         *delivery
	data      []byte
	seen      int  // handlers (entries) that existed when it was dispatched
	unhandled bool // counted as Unhandled so far
}

// Subscription receives one channel's envelopes. Subscribe, register
// handlers, done: dispatch begins with the first envelope handler
// (OnEnvelope, OnAspect, OnAspectTyped or a Handle variant), and until then
// publications wait in the transport. Losses found in the window
// described below before any gap hook exists are held for the OnGap and
// OnGapReport hooks registered in it (then for the error hooks); register
// OnError before the first handler to have it see the other reports about
// the first envelopes. A subscription with hooks but no envelope handler
// begins with Start. Handlers registered after
// dispatch began still receive every envelope dispatched before them, as
// long as they are registered within 5 seconds of the first registration
// and before 1024 envelopes were dispatched (straight-line registration
// takes microseconds): those envelopes are handed to them first, in order,
// then live ones. So a subscriber that registers its handlers one after the
// other misses none. Start ends that window ("every handler exists now");
// handlers registered later see envelopes from their registration on. With
// WithManualStart nothing is dispatched before Start, for callers who want
// the hard guarantee that every envelope meets the complete handler set.
//
// Each received publication is decoded, passed through the gap detector
// (duplicates dropped, holes reported through OnGap), then the aspect
// filter, then the validator, then every matching handler in registration
// order. Handlers of one subscription run one at a time, in arrival order;
// different subscriptions run concurrently.
//
// When the stream closes without Unsubscribe or Close, the subscription
// resubscribes with backoff (ReconnectPolicy), resuming after the last
// position the transport reported and dropping what was already delivered.
type Subscription struct {
	c           *Client
	channel     string
	aspects     []string // the filter, in the caller's order
	filter      map[string]struct{}
	gaps        *envelope.GapDetector
	ctx         context.Context
	cancel      context.CancelFunc
	manual      bool
	userOnEvent func(StreamEvent)

	handlers atomic.Pointer[handlerSet]
	current  atomic.Pointer[envelope.Envelope] // the envelope whose handler runs

	// mu guards the lifecycle (state, the current stream and its
	// generation), handler registration and the position fields below.
	mu           sync.Mutex
	state        subState      // see subState for the transitions
	gen          int           // generation of the current stream; events of older streams do not move the position
	stream       <-chan []byte // the current stream; nil outside waiting and running
	cancelStream func()        // cancels the current stream
	startCalled  bool          // Start was called (a second call is an error)
	err          error         // why dispatch ended, once failed
	lateTimer    *time.Timer
	done         chan struct{} // closed when dispatch has ended

	// lateCap is -1 while the late-registration window is open, then the
	// number of handler entries that existed when it closed: those still
	// get what the window kept.
	lateCap   atomic.Int64
	regNotify chan struct{} // a handler was registered or the window closed

	pos        StreamPosition // from the last EventSubscribed
	posKnown   bool
	recv       int64         // publications read since that event
	read       int64         // publications read from every stream so far
	events     []queuedEvent // reported by the transport, waiting for dispatch
	lostEvents int           // events not queued because the queue was full
	evNotify   chan struct{}
	// newest is the position of the newest publication handled: a
	// publication past it is new to the subscription, never a duplicate.
	newest      StreamPosition
	newestKnown bool
	// newUnknown: producers' marks were restored without a stream position,
	// so no position tells a new publication from a replayed one.
	newUnknown bool

	st stats
	// Dispatch goroutine only:
	idleStreams int         // resubscribed streams that delivered nothing yet
	fromBase    int64       // FromSequence the subscription started from
	readTotal   int64       // publications read from all streams
	late        []retained  // envelopes of the late-registration window
	lateGaps    []GapReport // losses found in the window before any gap hook existed
	loss        *lossWindow // the unrecoverable position being attributed
}

// delivery is a received envelope and the context its handlers get,
// allocated together: one allocation per envelope instead of two.
type delivery struct {
	env envelope.Envelope
	ctx handlerContext
}

// handlerContext is the subscription's context carrying the envelope for
// EnvelopeFromContext, as context.WithValue(ctx, parentKey{}, env) would.
type handlerContext struct {
	context.Context
	env *envelope.Envelope
}

// Value returns the envelope for parentKey and asks the subscription's
// context for every other key.
func (c *handlerContext) Value(key any) any {
	if _, ok := key.(parentKey); ok {
		return c.env
	}
	return c.Context.Value(key)
}

// newDelivery returns an empty delivery whose context is the
// subscription's.
func (s *Subscription) newDelivery() *delivery {
	d := new(delivery)
	d.ctx = handlerContext{Context: s.ctx, env: &d.env}
	return d
}

// queuedEvent is a transport event waiting until the publications the
// transport put on the stream before it were handled.
type queuedEvent struct {
	ev StreamEvent
	at int64 // Subscription.read once those publications are read
}

// Subscribe subscribes to channel. Register handlers on the returned
// Subscription; dispatch begins with the first (see Subscription). ctx
// bounds the subscribe call only.
func (c *Client) Subscribe(ctx context.Context, channel string, opts ...SubscribeOption) (*Subscription, error) {
	if channel == "" {
		return nil, errors.New("parsec: subscribe: empty channel name")
	}
	var cfg SubscribeOptions
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.FromSequence < 0 {
		return nil, fmt.Errorf("parsec: subscribe %q: negative FromSequence %d", channel, cfg.FromSequence)
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, ErrClosed
	}
	c.mu.Unlock()
	s := &Subscription{
		c: c, channel: channel,
		gaps:        envelope.NewGapDetector(c.cfg.gapOpts),
		manual:      cfg.ManualStart,
		userOnEvent: cfg.OnEvent,
		fromBase:    cfg.FromSequence,
		gen:         1,
		done:        make(chan struct{}),
		evNotify:    make(chan struct{}, 1),
		regNotify:   make(chan struct{}, 1),
	}
	if len(cfg.Aspects) > 0 {
		s.aspects = append([]string(nil), cfg.Aspects...)
		s.filter = make(map[string]struct{}, len(cfg.Aspects))
		for _, a := range cfg.Aspects {
			s.filter[a] = struct{}{}
		}
	}
	s.handlers.Store(&handlerSet{})
	s.lateCap.Store(-1)
	if len(cfg.Producers) > 0 {
		s.gaps.Restore(channel, cfg.Producers)
	}
	switch {
	case cfg.Since != nil:
		// Publications after a resume position are new to this subscriber.
		s.newest, s.newestKnown = *cfg.Since, true
	case len(cfg.Producers) > 0:
		s.newUnknown = true
	}
	s.ctx, s.cancel = context.WithCancel(c.ctx)
	topts := s.transportOptions(1) // state subscribing, generation 1
	topts.FromSequence = cfg.FromSequence
	topts.Since = cfg.Since
	stream, cancel, err := c.tr.Subscribe(ctx, channel, topts)
	if err == nil && (stream == nil || cancel == nil) {
		err = errors.New("transport returned no stream")
	}
	if err != nil {
		s.cancel()
		return nil, fmt.Errorf("parsec: subscribe %q: %w", channel, err)
	}
	s.mu.Lock()
	s.stream, s.cancelStream = stream, cancel
	s.enter(subWaiting)
	s.mu.Unlock()
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		s.mu.Lock()
		s.enter(subStopped)
		s.mu.Unlock()
		cancel()
		s.cancel()
		return nil, ErrClosed
	}
	c.subs[s] = struct{}{}
	c.mu.Unlock()
	return s, nil
}

// transportOptions returns the transport options for a stream of
// generation gen: its events are tagged with gen, so that those of an older
// stream do not move the position. It changes nothing.
func (s *Subscription) transportOptions(gen int) SubscribeOptions {
	return SubscribeOptions{Aspects: s.aspects, ManualStart: s.manual, OnEvent: func(ev StreamEvent) { s.onEvent(gen, ev) }}
}

// streamClosed moves a running subscription whose stream closed on its own
// to resubscribing, one stream generation later, and returns that
// generation. It returns false when the subscription stopped meanwhile.
func (s *Subscription) streamClosed() (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == subStopped {
		return 0, false
	}
	s.enter(subResubscribing)
	s.gen++
	s.stream = nil // the closed stream's cancel stays: stopping calls it
	return s.gen, true
}

// streamOpened makes stream (with its cancel) the current one of a
// resubscribing subscription and moves it back to running. It returns false,
// having canceled the stream, when the subscription stopped meanwhile.
func (s *Subscription) streamOpened(stream <-chan []byte, cancel func()) bool {
	s.mu.Lock()
	if s.state == subStopped {
		s.mu.Unlock()
		cancel()
		return false
	}
	s.enter(subRunning)
	s.stream, s.cancelStream = stream, cancel
	s.mu.Unlock()
	return true
}

// resumeFailed moves a resubscribing subscription to failed, err saying
// why, unless it stopped meanwhile (Err stays nil after Unsubscribe).
func (s *Subscription) resumeFailed(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == subStopped {
		return
	}
	s.enter(subFailed)
	s.err = err
}

// onEvent runs on the transport's goroutines: it records positions and
// queues the event for the dispatch goroutine, never blocking.
func (s *Subscription) onEvent(gen int, ev StreamEvent) {
	if ev.Channel == "" {
		ev.Channel = s.channel
	}
	s.mu.Lock()
	if gen == s.gen && ev.Kind == EventSubscribed {
		s.pos = ev.Position
		// A zero position means the server keeps no stream to resume.
		s.posKnown = ev.Position != (StreamPosition{})
		s.recv = 0
		if s.stream != nil {
			// Publications already buffered precede the position.
			s.recv = -int64(len(s.stream))
		}
	}
	if len(s.events) < maxQueuedEvents {
		at := s.read
		if s.stream != nil {
			at += int64(len(s.stream))
		}
		s.events = append(s.events, queuedEvent{ev: ev, at: at})
	} else {
		s.lostEvents++
	}
	s.mu.Unlock()
	select {
	case s.evNotify <- struct{}{}:
	default:
	}
	if s.userOnEvent != nil {
		s.userOnEvent(ev)
	}
}

// Position returns the stream position after the last publication read, and
// whether the transport reported positions at all. Persist it to resume a
// later run with WithResumePosition, or persist ResumeState, which also
// carries the producers' marks so that their losses meanwhile are reported.
func (s *Subscription) Position() (StreamPosition, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.posKnown {
		return StreamPosition{}, false
	}
	return s.positionLocked(), true
}

// positionLocked is Position for callers holding mu.
func (s *Subscription) positionLocked() StreamPosition {
	return StreamPosition{Offset: s.pos.Offset + uint64(max(s.recv, 0)), Epoch: s.pos.Epoch}
}

// Channel returns the subscribed channel.
func (s *Subscription) Channel() string { return s.channel }

// update registers handlers and hooks; the first envelope handler begins
// dispatch (unless WithManualStart).
func (s *Subscription) update(f func(h *handlerSet)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.handlers.Load()
	h := &handlerSet{
		entries:  append([]handlerEntry(nil), old.entries...),
		onGap:    append([]func(string, int64){}, old.onGap...),
		onReport: append([]func(GapReport){}, old.onReport...),
		onError:  append([]func(error){}, old.onError...),
	}
	f(h)
	s.handlers.Store(h)
	if s.state == subWaiting && !s.manual && len(h.entries) > 0 {
		s.enter(subRunning)
		s.lateTimer = time.AfterFunc(lateWindow, s.endLateWindow)
		go s.run()
	}
	s.notifyRegistration()
}

func (s *Subscription) notifyRegistration() {
	select {
	case s.regNotify <- struct{}{}:
	default:
	}
}

// endLateWindow stops handing earlier envelopes to handlers registered
// from now on.
func (s *Subscription) endLateWindow() {
	s.mu.Lock()
	s.closeLate(len(s.handlers.Load().entries))
	s.mu.Unlock()
	s.notifyRegistration()
}

// closeLate closes the late-registration window; the first n handler
// entries still receive what it kept.
func (s *Subscription) closeLate(n int) { s.lateCap.CompareAndSwap(-1, int64(n)) }

// OnEnvelope registers a handler for every envelope that passes the filter
// and the validator. A handler that panics is reported to the error hooks.
// HandleEnvelope registers a handler that receives a context and returns an
// error.
func (s *Subscription) OnEnvelope(handler func(envelope.Envelope)) {
	s.HandleEnvelope(plain(handler))
}

// OnAspect registers a handler for envelopes of one aspect; see OnEnvelope.
// HandleAspect is the context-aware form.
func (s *Subscription) OnAspect(aspect string, handler func(envelope.Envelope)) {
	s.HandleAspect(aspect, plain(handler))
}

func plain(handler func(envelope.Envelope)) EnvelopeHandler {
	return func(_ context.Context, env *envelope.Envelope) error {
		handler(*env)
		return nil
	}
}

// HandleEnvelope registers h for every envelope that passes the filter and
// the validator. h's context carries the envelope for PublishDerived; its
// error is reported to the error hooks.
func (s *Subscription) HandleEnvelope(h EnvelopeHandler) {
	s.update(func(hs *handlerSet) { hs.entries = append(hs.entries, handlerEntry{all: true, h: h}) })
}

// HandleAspect registers h for envelopes of one aspect; see HandleEnvelope.
func (s *Subscription) HandleAspect(aspect string, h EnvelopeHandler) {
	s.update(func(hs *handlerSet) { hs.entries = append(hs.entries, handlerEntry{aspect: aspect, h: h}) })
}

// OnGap registers a hook for lost publications. gap > 0 is the number of a
// producer's sequence numbers the subscription will not deliver, reported
// once per loss when the producer's next envelope shows it (OnGapReport
// says which producer and which numbers). When the transport reports a
// stream position it could not recover, it first refills from history; the
// producers' next envelopes then give exact per-producer counts, and what
// they cannot account for (a producer never heard from again, a count the
// stream did not know) is reported once to the error hooks as a *GapError
// with no producer, never to OnGap. The sum of gap over all calls is
// therefore the number of sequence numbers lost.
func (s *Subscription) OnGap(handler func(channel string, gap int64)) {
	s.update(func(hs *handlerSet) { hs.onGap = append(hs.onGap, handler) })
}

// OnGapReport registers a hook that receives every loss OnGap hooks
// receive, once, with its producer, its sequence numbers and how it was
// detected.
func (s *Subscription) OnGapReport(f func(GapReport)) {
	s.update(func(hs *handlerSet) { hs.onReport = append(hs.onReport, f) })
}

// OnError registers a hook for this subscription's errors: *DeliveryError,
// *StreamError and *GapError (a producer's gap when there is no OnGap or
// OnGapReport hook, or a stream-level loss no producer accounted for). The client's
// WithErrorHandler hook receives them too.
func (s *Subscription) OnError(f func(error)) {
	s.update(func(hs *handlerSet) { hs.onError = append(hs.onError, f) })
}

// Start says that every handler exists: it begins dispatch if it has not
// begun yet (always the case with WithManualStart) and ends the
// late-registration window, so handlers registered afterwards see envelopes
// from their registration on. It returns an error after Unsubscribe or a
// second Start.
func (s *Subscription) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == subStopped {
		return ErrClosed
	}
	if s.startCalled {
		return fmt.Errorf("parsec: subscription %q already started", s.channel)
	}
	s.startCalled = true
	s.closeLate(len(s.handlers.Load().entries))
	if s.state == subWaiting {
		s.enter(subRunning)
		go s.run()
	}
	s.notifyRegistration()
	return nil
}

// Unsubscribe ends the subscription. A handler that is running finishes; no
// other is called afterwards. It does not wait for the running handler (it
// may be called from one): use Done for that.
func (s *Subscription) Unsubscribe() error {
	s.stopStream()
	return nil
}

// Done is closed when the subscription has ended and its last handler
// returned.
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Err returns why the subscription ended: nil while it runs and after
// Unsubscribe or Close, an error wrapping ErrResumeFailed when its stream was
// lost for good.
func (s *Subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Stats returns the subscription's counters.
func (s *Subscription) Stats() SubscriptionStats {
	return SubscriptionStats{
		Received: s.st.received.Load(), Delivered: s.st.delivered.Load(), Unhandled: s.st.unhandled.Load(),
		Duplicates: s.st.duplicates.Load(), Filtered: s.st.filtered.Load(), Rejected: s.st.rejected.Load(),
		DecodeErrors: s.st.decodeErrors.Load(), Mismatched: s.st.mismatched.Load(), Gaps: s.st.gaps.Load(),
		Resubscribes: s.st.resubscribes.Load(),
	}
}

func (s *Subscription) stopStream() {
	s.mu.Lock()
	if s.state == subStopped {
		s.mu.Unlock()
		return
	}
	dispatching := s.state.dispatching()
	s.enter(subStopped)
	cancel := s.cancelStream
	s.mu.Unlock()
	s.cancel() // ends the dispatch goroutine's loop and the running handler's context
	if cancel != nil {
		cancel()
	}
	if !dispatching {
		s.finish()
	}
}

// finish releases the subscription once dispatch is over.
func (s *Subscription) finish() {
	s.mu.Lock()
	if s.lateTimer != nil {
		s.lateTimer.Stop()
	}
	s.mu.Unlock()
	s.flushGaps(true) // no loss goes unreported
	s.late = nil
	s.cancel()
	s.c.mu.Lock()
	delete(s.c.subs, s)
	s.c.mu.Unlock()
	close(s.done)
}

// History returns the channel's stored envelopes within opts, oldest first
// (Since exclusive, Until inclusive; see HistoryOptions). Entries that do
// not decode are left out and reported to the error hooks.
func (s *Subscription) History(ctx context.Context, opts HistoryOptions) ([]envelope.Envelope, error) {
	return s.c.history(ctx, s.channel, opts, s.report)
}

// Presence lists the clients subscribed to the channel.
func (s *Subscription) Presence(ctx context.Context) ([]PresenceEntry, error) {
	p, err := s.c.tr.Presence(ctx, s.channel)
	if err != nil {
		return nil, fmt.Errorf("parsec: presence of %q: %w", s.channel, err)
	}
	return p, nil
}

// PublishDerived publishes payload (JSON bytes, checked; nil for none) with
// aspect on the subscription's channel, its causation set to the envelope
// being handled on this subscription: call it from a handler (OnEnvelope,
// OnAspect, OnAspectTyped and the Handle variants), or from code the handler
// waits for. Every subscription tracks its own envelope, so concurrent
// handlers of different subscriptions each derive from their own. ctx
// bounds the publish only. While no handler runs it returns ErrNoParent.
// PublishDerivedAspect is the form that returns the envelope as sent.
func (s *Subscription) PublishDerived(ctx context.Context, aspect string, payload []byte) error {
	if len(payload) > 0 && !json.Valid(payload) {
		return fmt.Errorf("parsec: publish %s on %q: %w", aspect, s.channel, ErrInvalidPayload)
	}
	data := payload
	if len(data) == 0 {
		data = nil
	}
	_, err := s.derive(ctx, s.current.Load(), Payload{Aspect: aspect, Data: data})
	return err
}

// PublishDerivedAspect publishes payload (any value Client.PublishAspect
// accepts) on the subscription's channel with its causation set to the
// envelope whose handler received ctx, and returns the envelope as sent. It
// returns ErrNoParent when ctx does not come from a handler (HandleEnvelope,
// HandleAspect, HandleAspectTyped, on any subscription).
func (s *Subscription) PublishDerivedAspect(ctx context.Context, aspect string, payload any) (*envelope.Envelope, error) {
	data, err := marshalPayload(payload)
	if err != nil {
		return nil, fmt.Errorf("parsec: publish %s on %q: %w", aspect, s.channel, err)
	}
	return s.PublishDerivedPayload(ctx, Payload{Aspect: aspect, Data: data})
}

// PublishDerivedPayload is PublishDerivedAspect for an encoded payload.
func (s *Subscription) PublishDerivedPayload(ctx context.Context, p Payload) (*envelope.Envelope, error) {
	parent, _ := EnvelopeFromContext(ctx) // nil outside a handler: ErrNoParent
	return s.derive(ctx, parent, p)
}

func (s *Subscription) derive(ctx context.Context, parent *envelope.Envelope, p Payload) (*envelope.Envelope, error) {
	if parent == nil {
		return nil, ErrNoParent
	}
	return s.c.publish(ctx, s.channel, p, causationOf(parent))
}

// GapError reports a loss to the error hooks: a producer's gap when the
// subscription has no OnGap or OnGapReport hook, so that no loss goes
// unreported, and a stream-level loss no producer accounted for.
type GapError struct {
	Channel  string
	Producer string // empty for a stream-level loss
	Missed   int64  // -1 when unknown
	// Report is the producer's loss, for a producer gap.
	Report *GapReport
	// Event is the transport's report, for a stream-level loss of unknown
	// size.
	Event *StreamEvent
}

// Error describes the loss.
func (e *GapError) Error() string {
	switch {
	case e.Producer == "" && e.Missed < 0:
		return fmt.Sprintf("parsec: channel %q: stream position lost, an unknown number of publications lost", e.Channel)
	case e.Producer == "":
		return fmt.Sprintf("parsec: channel %q: %d publications lost that no producer accounted for", e.Channel, e.Missed)
	}
	return fmt.Sprintf("parsec: channel %q: producer %q skipped %d sequences", e.Channel, e.Producer, e.Missed)
}

func (s *Subscription) report(err error) {
	hs := s.handlers.Load()
	for _, f := range hs.onError {
		f(err)
	}
	if s.c.cfg.onError != nil {
		s.c.cfg.onError(err)
	} else if len(hs.onError) == 0 {
		s.c.log(err)
	}
}

func (s *Subscription) gap(r GapReport) {
	s.st.gaps.Add(1)
	hs := s.handlers.Load()
	if len(hs.onGap) == 0 && len(hs.onReport) == 0 {
		if s.lateCap.Load() < 0 {
			// Dispatch began with an envelope handler; the gap hooks
			// registered right after it get this loss (see flushGaps).
			s.lateGaps = append(s.lateGaps, r)
			return
		}
		s.report(&GapError{Channel: s.channel, Producer: r.Producer, Missed: r.Missed, Report: &r})
		return
	}
	s.deliverGap(hs, r)
}

// flushGaps hands the losses found during the late-registration window to
// the gap hooks registered since, or, once the window closed (or force),
// to the error hooks. Dispatch goroutine only.
func (s *Subscription) flushGaps(force bool) {
	if len(s.lateGaps) == 0 {
		return
	}
	hs := s.handlers.Load()
	hooked := len(hs.onGap) > 0 || len(hs.onReport) > 0
	if !hooked && !force && s.lateCap.Load() < 0 {
		return
	}
	gaps := s.lateGaps
	s.lateGaps = nil
	for _, r := range gaps {
		if hooked {
			s.deliverGap(hs, r)
		} else {
			s.report(&GapError{Channel: s.channel, Producer: r.Producer, Missed: r.Missed, Report: &r})
		}
	}
}

func (s *Subscription) deliverGap(hs *handlerSet, r GapReport) {
	for _, f := range hs.onGap {
		f(s.channel, r.Missed)
	}
	for _, f := range hs.onReport {
		f(r)
	}
}

func (s *Subscription) run() {
	defer s.finish()
	defer s.settleLoss()
	s.mu.Lock()
	stream := s.stream
	s.mu.Unlock()
	stop := s.ctx.Done() // canceled when the subscription stops
	s.drainEvents(false) // what Subscribe reported comes before the stream's data
	for {
		select {
		case <-stop:
			return
		case <-s.evNotify:
			s.drainEvents(false)
		case <-s.regNotify:
			s.catchUp()
		case data, ok := <-stream:
			if ok {
				select {
				case <-stop: // buffered data after Unsubscribe is not dispatched
					return
				default:
				}
				s.idleStreams = 0
				// Events the transport reported before this publication
				// come first; counting it read takes the same lock.
				s.drainEventsThenRead()
				s.readTotal++
				s.handle(data)
				continue
			}
			s.drainEvents(true)
			gen, ok := s.streamClosed()
			if !ok {
				return
			}
			if stream = s.resubscribe(gen); stream == nil {
				return
			}
			s.drainEvents(false)
		}
	}
}

// drainEvents dispatches the queued transport events whose preceding
// publications were all handled (all of them when the stream closed).
func (s *Subscription) drainEvents(all bool) {
	s.mu.Lock()
	evs, lost := s.takeEventsLocked(all)
	s.mu.Unlock()
	s.dispatchEvents(evs, lost)
}

// drainEventsThenRead is drainEvents(false) for a publication just taken
// from the stream, which it counts as read under the same lock.
func (s *Subscription) drainEventsThenRead() {
	s.mu.Lock()
	evs, lost := s.takeEventsLocked(false)
	s.read++
	s.mu.Unlock()
	s.dispatchEvents(evs, lost)
}

// takeEventsLocked removes the queued events drainEvents dispatches and the
// count of lost ones. The caller holds s.mu.
func (s *Subscription) takeEventsLocked(all bool) ([]queuedEvent, int) {
	n := 0
	for n < len(s.events) && (all || s.events[n].at <= s.read) {
		n++
	}
	if n == 0 && s.lostEvents == 0 {
		return nil, 0
	}
	evs := append([]queuedEvent(nil), s.events[:n]...)
	s.events = append(s.events[:0], s.events[n:]...)
	lost := s.lostEvents
	s.lostEvents = 0
	return evs, lost
}

// dispatchEvents reports taken events (see drainEvents).
func (s *Subscription) dispatchEvents(evs []queuedEvent, lost int) {
	if lost > 0 {
		s.report(&StreamError{Event: StreamEvent{Kind: EventError, Channel: s.channel,
			Err: fmt.Errorf("%d transport events not reported: event queue full", lost)}})
	}
	for _, q := range evs {
		switch ev := q.ev; ev.Kind {
		case EventSubscribed, EventRecovered:
			// Normal operation; the position was recorded when reported.
		case EventUnrecoverable:
			// Reported once, split over the producers (see OnGap).
			s.openLoss(ev)
		default:
			s.report(&StreamError{Event: ev})
		}
	}
}

// resubscribe subscribes again after the stream of generation gen-1 closed,
// resuming after the last known position: the subscription is
// resubscribing. It returns nil when the subscription ended instead.
func (s *Subscription) resubscribe(gen int) <-chan []byte {
	p := s.c.cfg.reconnect
	var lastErr error
	for attempt := 0; p.MaxAttempts < 0 || attempt < p.MaxAttempts; attempt++ {
		// Streams that closed again before delivering anything count
		// towards the delay, so a transport that keeps closing fresh
		// streams is retried at a growing interval, not in a hot loop.
		if err := p.Sleep(s.ctx, p.delay(attempt+s.idleStreams)); err != nil {
			return nil // unsubscribed or closed
		}
		resume, known := s.Position()
		opts := s.transportOptions(gen)
		if known {
			opts.Since = &resume
		} else if s.fromBase > 0 {
			// No positions from the transport: the stream started above
			// fromBase and delivered readTotal publications since, so the
			// last one read is fromBase+readTotal.
			opts.FromSequence = s.fromBase + s.readTotal
		}
		stream, cancel, err := s.c.tr.Subscribe(s.ctx, s.channel, opts)
		if err == nil && (stream == nil || cancel == nil) {
			err = errors.New("transport returned no stream")
		}
		if err != nil {
			lastErr = err
			if s.ctx.Err() != nil {
				return nil
			}
			continue
		}
		if !s.streamOpened(stream, cancel) {
			return nil
		}
		s.st.resubscribes.Add(1)
		s.idleStreams = min(s.idleStreams+1, 32)
		return stream
	}
	err := fmt.Errorf("%w after %d attempts: %v", ErrResumeFailed, p.MaxAttempts, lastErr)
	s.resumeFailed(err)
	s.report(&DeliveryError{Channel: s.channel, Err: err})
	return nil
}

// observe counts one publication read and passes its envelope (nil when
// it did not decode) through the gap detector, together, so that
// ResumeState never sees a position that counts an envelope its marks do
// not hold. A publication the stream delivered past the newest one handled
// is new: it is never taken for a duplicate.
func (s *Subscription) observe(env *envelope.Envelope) envelope.Observation {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recv++
	isNew := false
	if s.posKnown && s.recv > 0 && !s.newUnknown {
		off := s.positionLocked()
		isNew = !s.newestKnown || off.Epoch != s.newest.Epoch || off.Offset > s.newest.Offset
		if isNew {
			s.newest, s.newestKnown = off, true
		}
	}
	if env == nil {
		return envelope.Observation{}
	}
	if isNew {
		return s.gaps.ObserveNew(env)
	}
	return s.gaps.ObserveEnvelope(env)
}

func (s *Subscription) handle(data []byte) {
	s.st.received.Add(1)
	d := s.newDelivery()
	env := &d.env
	if err := s.c.cfg.codec.DecodeInto(data, env); err != nil {
		s.observe(nil)
		s.st.decodeErrors.Add(1)
		s.report(&DeliveryError{Channel: s.channel, Data: append([]byte(nil), data...), Err: err})
		return
	}
	if env.Channel != s.channel {
		s.observe(nil)
		s.st.mismatched.Add(1)
		s.report(&DeliveryError{Channel: s.channel, Data: append([]byte(nil), data...), Envelope: env,
			Err: fmt.Errorf("%w: envelope says %q", ErrChannelMismatch, env.Channel)})
		return
	}
	obs := s.observe(env)
	if obs.Kind == envelope.Duplicate {
		s.st.duplicates.Add(1)
		return
	}
	s.observed(env, obs)
	if obs.Kind == envelope.Restart {
		s.report(&DeliveryError{Channel: s.channel, Data: append([]byte(nil), data...), Envelope: env,
			Err: fmt.Errorf("%w: #%d after #%d", ErrSequenceRestart, env.Sequence, obs.Previous)})
	}
	if s.filter != nil {
		if _, ok := s.filter[env.Aspect]; !ok {
			s.st.filtered.Add(1)
			return
		}
	}
	if v := s.c.cfg.validator; v != nil {
		if err := v.Validate(env); err != nil {
			if rejects(v) {
				s.st.rejected.Add(1)
				s.report(&DeliveryError{Channel: s.channel, Data: append([]byte(nil), data...), Envelope: env, Err: err})
				return
			}
			s.report(&DeliveryError{Channel: s.channel, Data: append([]byte(nil), data...), Envelope: env, Err: err})
		}
	}
	s.catchUp() // handlers registered meanwhile get the earlier envelopes first
	hs := s.handlers.Load()
	matched := false
	for i := range hs.entries {
		if hs.entries[i].matches(env.Aspect) {
			matched = true
			break
		}
	}
	if s.lateCap.Load() < 0 {
		s.late = append(s.late, retained{d: d, data: data, seen: len(hs.entries), unhandled: !matched})
		if len(s.late) >= lateEnvelops {
			s.closeLate(len(hs.entries))
		}
	}
	if !matched {
		s.st.unhandled.Add(1)
		return
	}
	if !s.dispatch(hs.entries, d, data, nil) {
		s.st.rejected.Add(1)
	}
}

// count records that handlers receive an envelope: a live one (late nil) is
// delivered; a kept one counted Unhandled moves to Delivered.
func (s *Subscription) count(late *retained) {
	switch {
	case late == nil:
		s.st.delivered.Add(1)
	case late.unhandled:
		late.unhandled = false
		s.st.unhandled.Add(-1)
		s.st.delivered.Add(1)
	}
}

// dispatch calls the entries matching env's aspect, in registration order,
// through the handle interceptors, counting the delivery just before the
// handlers run (Stats never lags what handlers saw). late is the kept
// envelope being handed to late handlers, or nil. It reports whether the
// handlers ran (an interceptor may refuse the delivery).
func (s *Subscription) dispatch(entries []handlerEntry, d *delivery, data []byte, late *retained) bool {
	env := &d.env
	var ctx context.Context = &d.ctx
	ints := s.c.cfg.handInts
	if len(ints) == 0 {
		s.count(late)
		s.runHandlers(ctx, entries, env, data)
		return true
	}
	ran := false
	h := EnvelopeHandler(func(ctx context.Context, env *envelope.Envelope) error {
		if !ran {
			ran = true
			s.count(late)
		}
		s.runHandlers(ctx, entries, env, data)
		return nil
	})
	for i := len(ints) - 1; i >= 0; i-- {
		h = ints[i](h)
	}
	s.call(ctx, h, env, data)
	return ran
}

// catchUp hands the envelopes of the late-registration window to the
// handlers registered after they were dispatched (up to those that existed
// when the window closed, then it drops them). Dispatch goroutine only.
func (s *Subscription) catchUp() {
	s.flushGaps(false)
	if len(s.late) == 0 {
		return
	}
	hs := s.handlers.Load()
	limit := len(hs.entries)
	if c := s.lateCap.Load(); c >= 0 {
		limit = min(limit, int(c))
		defer func() { s.late = nil }()
	}
	for i := range s.late {
		r := &s.late[i]
		if r.seen >= limit {
			continue
		}
		select {
		case <-s.ctx.Done():
			return
		default:
		}
		added := hs.entries[r.seen:limit]
		r.seen = limit
		matched := false
		for j := range added {
			if added[j].matches(r.d.env.Aspect) {
				matched = true
				break
			}
		}
		if !matched {
			continue
		}
		s.dispatch(added, r.d, r.data, r)
	}
}

// runHandlers calls the entries matching env's aspect, each reporting its
// own failure.
func (s *Subscription) runHandlers(ctx context.Context, entries []handlerEntry, env *envelope.Envelope, data []byte) {
	for i := range entries {
		if entries[i].matches(env.Aspect) {
			s.call(ctx, entries[i].h, env, data)
		}
	}
}

// call runs one handler; its error or panic is reported with a copy of the
// publication's bytes (the transport may share them).
func (s *Subscription) call(ctx context.Context, h EnvelopeHandler, env *envelope.Envelope, data []byte) {
	prev := s.current.Swap(env) // interceptors wrap handlers: restore theirs
	defer s.current.Store(prev)
	defer func() {
		if r := recover(); r != nil {
			s.report(&DeliveryError{Channel: s.channel, Data: append([]byte(nil), data...), Envelope: env,
				Err: &PanicError{Value: r, Stack: debug.Stack()}})
		}
	}()
	if err := h(ctx, env); err != nil {
		s.report(&DeliveryError{Channel: s.channel, Data: append([]byte(nil), data...), Envelope: env, Err: err})
	}
}
