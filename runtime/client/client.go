package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/parsec-gen/parsec-gen/runtime/envelope"
	"github.com/parsec-gen/parsec-gen/runtime/internal/transportkit"
)

// Validator checks an envelope's payload against its aspect's schema;
// *schema.Validator implements it. A Validator that also has a
// Rejects() bool method decides whether a failed check drops the envelope
// (true, the default) or only reports it (false, a "warn" mode).
type Validator interface {
	Validate(env *envelope.Envelope) error
}

// schemaRefLookup is implemented by validators that know each aspect's
// schema ref; Publish uses it when the caller gives none.
type schemaRefLookup interface {
	SchemaRef(aspect string) (string, bool)
}

// ReconnectPolicy bounds how a Subscription resubscribes after its stream
// closed without Unsubscribe or Close: attempt n (from 0) waits
// min(MaxDelay, MinDelay*2^n) scaled by a random factor in [0.5, 1), then
// subscribes again. After MaxAttempts failed attempts in a row the
// subscription ends with ErrResumeFailed.
type ReconnectPolicy struct {
	MinDelay    time.Duration // default 50ms
	MaxDelay    time.Duration // default 5s
	MaxAttempts int           // default 10; a negative value means no limit
	// Rand returns a number in [0, 1) for the jitter; default math/rand/v2.
	Rand func() float64
	// Sleep waits d or until ctx is done; tests replace it to run without
	// wall-clock waits. Default: a timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

func (p ReconnectPolicy) withDefaults() ReconnectPolicy {
	if p.MinDelay <= 0 {
		p.MinDelay = 50 * time.Millisecond
	}
	if p.MaxDelay < p.MinDelay {
		p.MaxDelay = max(5*time.Second, p.MinDelay)
	}
	if p.MaxAttempts == 0 {
		p.MaxAttempts = 10
	}
	if p.Rand == nil {
		p.Rand = rand.Float64
	}
	if p.Sleep == nil {
		p.Sleep = transportkit.Sleep
	}
	return p
}

// delay returns the wait before attempt n (from 0).
func (p ReconnectPolicy) delay(n int) time.Duration {
	return transportkit.Backoff{Min: p.MinDelay, Max: p.MaxDelay}.Delay(n, p.Rand)
}

// ClientOption configures a Client.
type ClientOption func(*clientConfig)

// Option is the former name of ClientOption, kept for code written against it.
type Option = ClientOption

type clientConfig struct {
	transport Transport
	producer  envelope.Producer
	seqs      *envelope.SequenceTracker
	snap      SequenceSnapshotter
	ahead     int64
	validator Validator
	onError   func(error)
	reconnect ReconnectPolicy
	codec     envelope.Codec
	now       func() time.Time
	gapOpts   envelope.GapOptions
	logger    *slog.Logger
	pubInts   []PublishInterceptor
	handInts  []HandleInterceptor
	drift     *driftConfig // WithRegistryDrift
}

// WithTransport sets the transport. It is required.
func WithTransport(t Transport) ClientOption { return func(c *clientConfig) { c.transport = t } }

// WithProducer sets who this client publishes as. It is required for
// publishing.
func WithProducer(p envelope.Producer) ClientOption {
	return func(c *clientConfig) { c.producer = p }
}

// WithSequenceTracker sets the tracker that numbers published envelopes;
// by default the Client has its own.
func WithSequenceTracker(t *envelope.SequenceTracker) ClientOption {
	return func(c *clientConfig) { c.seqs = t }
}

// WithSnapshotter persists the sequence tracker so a restarted process never
// reuses a sequence number. New restores the stored state (a state that
// cannot be read fails New). While running, the Client persists reserved
// high-water marks ahead of what it publishes (see WithSnapshotReserve); Close
// persists the exact numbers.
func WithSnapshotter(s SequenceSnapshotter) ClientOption {
	return func(c *clientConfig) { c.snap = s }
}

// WithSnapshotReserve sets how far ahead of the published sequences the
// snapshot's high-water marks run (default 4096). A publish waits for a write
// only when it would pass the durable mark; a background writer extends the
// mark by a full reserve whenever half of it is used, so publishes do not
// wait as long as n/2 publishes on a channel take longer than one snapshot
// write (about a millisecond with fsync: about 2 million publishes per
// second per channel at the default). After a crash, each channel's
// numbering continues above the last durable mark: up to n numbers are
// skipped, never reused.
func WithSnapshotReserve(n int64) ClientOption { return func(c *clientConfig) { c.ahead = n } }

// WithValidator validates payloads of published and received envelopes.
// It takes the Validator interface, which *schema.Validator implements.
func WithValidator(v Validator) ClientOption { return func(c *clientConfig) { c.validator = v } }

// WithErrorHandler receives every error the Client reports instead of
// returning: delivery errors (*DeliveryError), stream events (*StreamError)
// and snapshot write failures. It is called from the Client's goroutines,
// possibly concurrently, and should return quickly. Without it, and without
// a Subscription.OnError hook, errors go to the logger (WithLogger).
func WithErrorHandler(f func(error)) ClientOption { return func(c *clientConfig) { c.onError = f } }

// WithLogger sets where the Client logs the errors no hook receives
// (WithErrorHandler, Subscription.OnError): at level Warn for a lost
// connection, Error for everything else, with the channel as an attribute
// when there is one. The default is slog.Default(), which writes through the
// standard logger. A nil l discards them.
func WithLogger(l *slog.Logger) ClientOption {
	return func(c *clientConfig) {
		if l == nil {
			l = slog.New(slog.DiscardHandler)
		}
		c.logger = l
	}
}

// PublishFunc sends one envelope: the Client has stamped it (channel,
// sequence, time, producer) and checked it against the validator.
type PublishFunc func(ctx context.Context, env *envelope.Envelope) error

// PublishInterceptor wraps the sending of every envelope the Client
// publishes (Publish, the PublishDerived and typed variants): it sees the
// context and the stamped envelope, may call next at most once (with a
// context of its own, for tracing) and may fail the publish by returning an
// error without calling next; the envelope's sequence number is then not
// used. It must not change the envelope's Channel, Sequence or Producer. It
// runs while the channel's turn is held (publishes on one channel are
// serialised), so it should return quickly.
type PublishInterceptor func(next PublishFunc) PublishFunc

// HandleInterceptor wraps the delivery of one envelope to a subscription's
// matching handlers: next calls them in registration order. It sees the
// handler context (carrying the envelope, see EnvelopeFromContext) and may
// pass a context of its own to next, which the context-aware handlers
// (HandleEnvelope, HandleAspect, HandleAspectTyped) receive. Returning an
// error without calling next fails the delivery: no handler runs, the
// envelope counts as Rejected and the error reaches the error hooks as a
// *DeliveryError. An error returned after next ran is reported the same way.
type HandleInterceptor func(next EnvelopeHandler) EnvelopeHandler

// WithPublishInterceptor adds publish interceptors; the first added is the
// outermost.
func WithPublishInterceptor(i ...PublishInterceptor) ClientOption {
	return func(c *clientConfig) { c.pubInts = append(c.pubInts, i...) }
}

// WithHandleInterceptor adds handle interceptors; the first added is the
// outermost.
func WithHandleInterceptor(i ...HandleInterceptor) ClientOption {
	return func(c *clientConfig) { c.handInts = append(c.handInts, i...) }
}

// WithReconnect sets the policy for resubscribing lost streams.
func WithReconnect(p ReconnectPolicy) ClientOption {
	return func(c *clientConfig) { c.reconnect = p }
}

// WithCodec sets the envelope codec (size limit); the default limit is
// envelope.DefaultMaxSize.
func WithCodec(codec envelope.Codec) ClientOption { return func(c *clientConfig) { c.codec = codec } }

// WithClock sets the clock stamping produced_at (default time.Now).
func WithClock(now func() time.Time) ClientOption { return func(c *clientConfig) { c.now = now } }

// WithGapOptions bounds each subscription's gap detector.
func WithGapOptions(o envelope.GapOptions) ClientOption {
	return func(c *clientConfig) { c.gapOpts = o }
}

// Client publishes and subscribes to Parsec channels over a Transport. It is
// safe for concurrent use.
type Client struct {
	cfg     clientConfig
	tr      Transport
	seqs    *envelope.SequenceTracker
	persist *persister

	ctx    context.Context // canceled by Close; parent of every handler context
	cancel context.CancelFunc

	mu       sync.Mutex
	closed   bool
	subs     map[*Subscription]struct{}
	inflight sync.WaitGroup // publishes in progress; Close waits for them
}

// New returns a Client. It fails without WithTransport, with an invalid
// producer, or when the snapshotter's stored state cannot be read.
func New(opts ...ClientOption) (*Client, error) {
	cfg := clientConfig{ahead: 4096, now: time.Now}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.transport == nil {
		return nil, errors.New("parsec: client: no transport (use WithTransport)")
	}
	if cfg.producer != (envelope.Producer{}) {
		if cfg.producer.ID == "" {
			return nil, errors.New("parsec: client: producer has an empty id")
		}
		if !cfg.producer.Kind.Valid() {
			return nil, fmt.Errorf("parsec: client: producer kind %q is not user, agent or service", cfg.producer.Kind)
		}
	}
	if cfg.ahead < 1 {
		return nil, fmt.Errorf("parsec: client: snapshot reserve %d must be at least 1", cfg.ahead)
	}
	cfg.reconnect = cfg.reconnect.withDefaults()
	c := &Client{cfg: cfg, tr: cfg.transport, seqs: cfg.seqs, subs: make(map[*Subscription]struct{})}
	if c.seqs == nil {
		c.seqs = envelope.NewSequenceTracker()
	}
	if cfg.snap != nil {
		stored, err := cfg.snap.Load()
		if err != nil {
			return nil, fmt.Errorf("parsec: client: restoring sequences: %w", err)
		}
		for ch, n := range stored {
			// A tracker handed in may already be further: never go back.
			stored[ch] = max(n, c.seqs.Peek(ch))
		}
		c.seqs.Restore(stored)
		c.persist = newPersister(cfg.snap, c.seqs, cfg.ahead, stored, c.report)
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	return c, nil
}

// Connect connects the transport, handing it token as the connection token
// (empty for none). The WebSocket transport uses it unless it was configured
// with its own token or token function, which win; see the transport's
// documentation for what it does with the token.
func (c *Client) Connect(ctx context.Context, token string) error {
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed {
		return ErrClosed
	}
	if err := c.tr.Connect(ctx, token); err != nil {
		return fmt.Errorf("parsec: connect: %w", err)
	}
	c.checkDrift(ctx)
	return nil
}

// Close ends every subscription, waits for running handlers to return,
// persists the exact sequence numbers and closes the transport. It must not
// be called from a handler. Later calls return nil.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	subs := make([]*Subscription, 0, len(c.subs))
	for s := range c.subs {
		subs = append(subs, s)
	}
	c.mu.Unlock()
	c.cancel()
	for _, s := range subs {
		s.stopStream()
	}
	for _, s := range subs {
		<-s.done
	}
	c.inflight.Wait()
	var errs []error
	if c.persist != nil {
		if err := c.persist.close(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := c.tr.Close(); err != nil {
		errs = append(errs, fmt.Errorf("parsec: closing transport: %w", err))
	}
	return errors.Join(errs...)
}

// report hands an error to the client's error hook.
func (c *Client) report(err error) {
	if c.cfg.onError != nil {
		c.cfg.onError(err)
		return
	}
	c.log(err)
}

// log writes an error no hook received to the logger.
func (c *Client) log(err error) {
	l := c.cfg.logger
	if l == nil {
		l = slog.Default()
	}
	level := slog.LevelError
	var attrs []slog.Attr
	var de *DeliveryError
	var se *StreamError
	var ge *GapError
	switch {
	case errors.As(err, &de):
		attrs = append(attrs, slog.String("channel", de.Channel))
	case errors.As(err, &se):
		attrs = append(attrs, slog.String("channel", se.Event.Channel))
		if se.Event.Kind == EventDisconnected {
			level = slog.LevelWarn
		}
	case errors.As(err, &ge):
		attrs = append(attrs, slog.String("channel", ge.Channel))
	}
	attrs = append(attrs, slog.Any("err", err))
	l.LogAttrs(context.Background(), level, "parsec client", attrs...)
}

// Payload is an aspect payload ready to publish: generated code fills it
// from a typed message's MarshalJSON.
type Payload struct {
	Aspect string
	// SchemaRef is the payload's schema; when empty it is looked up from
	// the validator when that knows it.
	SchemaRef string
	// Data is one JSON value. PublishPayload does not re-check it.
	Data []byte
}

// Publish publishes env on channel. The caller supplies Aspect (required),
// Payload (JSON bytes, checked; empty for none) and optionally Causation and
// SchemaRef; the Client stamps Channel, Sequence (the channel's next number
// from the sequence tracker), ProducedAt and Producer, overwriting what env
// holds there. PublishEnvelope does the same and returns the envelope as
// sent.
func (c *Client) Publish(ctx context.Context, channel string, env envelope.Envelope) error {
	_, err := c.PublishEnvelope(ctx, channel, env)
	return err
}

// PublishEnvelope is Publish returning the envelope as sent (with its
// sequence and timestamp).
func (c *Client) PublishEnvelope(ctx context.Context, channel string, env envelope.Envelope) (*envelope.Envelope, error) {
	if env.Aspect == "" {
		return nil, fmt.Errorf("parsec: publish on %q: envelope has no aspect", channel)
	}
	data := []byte(env.Payload)
	if len(data) > 0 && !json.Valid(data) {
		return nil, fmt.Errorf("parsec: publish %s on %q: %w", env.Aspect, channel, ErrInvalidPayload)
	}
	var cause *envelope.Causation
	if env.Causation != nil {
		cp := *env.Causation
		cause = &cp
	}
	return c.publish(ctx, channel, Payload{Aspect: env.Aspect, SchemaRef: env.SchemaRef, Data: data}, cause)
}

// PublishAspect wraps payload in an envelope for aspect and publishes it on
// channel. payload may be a json.Marshaler, []byte or json.RawMessage
// holding JSON (checked), or any value encoding/json can marshal. It returns
// the envelope as sent.
func (c *Client) PublishAspect(ctx context.Context, channel, aspect string, payload any) (*envelope.Envelope, error) {
	data, err := marshalPayload(payload)
	if err != nil {
		return nil, fmt.Errorf("parsec: publish %s on %q: %w", aspect, channel, err)
	}
	return c.publish(ctx, channel, Payload{Aspect: aspect, Data: data}, nil)
}

// PublishPayload publishes an encoded payload on channel.
func (c *Client) PublishPayload(ctx context.Context, channel string, p Payload) (*envelope.Envelope, error) {
	return c.publish(ctx, channel, p, nil)
}

// PublishDerived publishes payload on channel, which may differ from the
// parent's, with its causation set to the envelope whose handler received
// ctx. It returns ErrNoParent when ctx does not come from a handler.
func (c *Client) PublishDerived(ctx context.Context, channel, aspect string, payload any) (*envelope.Envelope, error) {
	data, err := marshalPayload(payload)
	if err != nil {
		return nil, fmt.Errorf("parsec: publish %s on %q: %w", aspect, channel, err)
	}
	return c.PublishDerivedPayload(ctx, channel, Payload{Aspect: aspect, Data: data})
}

// PublishDerivedPayload is PublishDerived for an encoded payload.
func (c *Client) PublishDerivedPayload(ctx context.Context, channel string, p Payload) (*envelope.Envelope, error) {
	parent, ok := EnvelopeFromContext(ctx)
	if !ok {
		return nil, ErrNoParent
	}
	return c.publish(ctx, channel, p, causationOf(parent))
}

func causationOf(parent *envelope.Envelope) *envelope.Causation {
	return &envelope.Causation{ParentChannel: parent.Channel, ParentSequence: parent.Sequence, ParentProducer: parent.Producer.ID}
}

func marshalPayload(payload any) ([]byte, error) {
	switch p := payload.(type) {
	case nil:
		return nil, nil
	case json.RawMessage:
		if !json.Valid(p) {
			return nil, ErrInvalidPayload
		}
		return p, nil
	case []byte:
		if !json.Valid(p) {
			return nil, ErrInvalidPayload
		}
		return p, nil
	case json.Marshaler:
		return p.MarshalJSON()
	}
	return json.Marshal(payload)
}

// publish numbers, validates, encodes and sends one envelope. The sequence
// is reserved first and committed only once the envelope was handed to the
// transport, so a publish that fails before the wire leaves no gap, and
// publishes on one channel reach the transport in sequence order. A
// transport failure consumes the number: the envelope may have been sent.
func (c *Client) publish(ctx context.Context, channel string, p Payload, cause *envelope.Causation) (*envelope.Envelope, error) {
	if c.cfg.producer.ID == "" {
		return nil, ErrNoProducer
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, ErrClosed
	}
	c.inflight.Add(1)
	c.mu.Unlock()
	defer c.inflight.Done()
	if p.SchemaRef == "" {
		if l, ok := c.cfg.validator.(schemaRefLookup); ok {
			p.SchemaRef, _ = l.SchemaRef(p.Aspect) // an unknown aspect keeps no ref
		}
	}
	env := &envelope.Envelope{
		Channel: channel,
		// The wire keeps milliseconds: the returned envelope equals the
		// one subscribers decode.
		ProducedAt: c.cfg.now().UTC().Truncate(time.Millisecond),
		Producer:   c.cfg.producer,
		Aspect:     p.Aspect,
		SchemaRef:  p.SchemaRef,
		Causation:  cause,
		Payload:    p.Data,
	}
	// The schema check needs no sequence: run it before taking the
	// channel's turn, which serialises publishes on the channel.
	if v := c.cfg.validator; v != nil {
		if err := v.Validate(env); err != nil && rejects(v) {
			return nil, fmt.Errorf("parsec: publish %s on %q: %w", p.Aspect, channel, err)
		} else if err != nil {
			c.report(&DeliveryError{Channel: channel, Envelope: env, Err: err})
		}
	}
	r, err := c.seqs.ReserveContext(ctx, channel)
	if err != nil {
		return nil, fmt.Errorf("parsec: publish %s on %q: %w", p.Aspect, channel, err)
	}
	env.Sequence = r.Seq()
	fail := func(err error) (*envelope.Envelope, error) {
		r.Abort()
		return nil, fmt.Errorf("parsec: publish %s on %q: %w", p.Aspect, channel, err)
	}
	var sent bool // the envelope reached the transport: its number is used
	if ints := c.cfg.pubInts; len(ints) > 0 {
		reachedAny := false // the closure's own, so that only this branch allocates it
		next := PublishFunc(func(ctx context.Context, env *envelope.Envelope) error {
			reached, err := c.send(ctx, channel, env)
			reachedAny = reachedAny || reached
			return err
		})
		for i := len(ints) - 1; i >= 0; i-- {
			next = ints[i](next)
		}
		err = next(ctx, env)
		sent = reachedAny
	} else {
		// No closure here: without interceptors a publish allocates only
		// the envelope and its encoding.
		sent, err = c.send(ctx, channel, env)
	}
	if !sent {
		return fail(err)
	}
	r.Commit()
	if err != nil {
		return nil, err
	}
	return env, nil
}

// send encodes env and hands it to the transport; reached reports whether
// it got that far, after which its sequence number counts as used.
func (c *Client) send(ctx context.Context, channel string, env *envelope.Envelope) (reached bool, err error) {
	data, err := c.cfg.codec.Encode(env) // sizes its buffer from the envelope
	if err != nil {
		return false, err
	}
	if c.persist != nil {
		if err := c.persist.ensure(ctx, channel, env.Sequence); err != nil {
			return false, err
		}
	}
	if err := c.tr.Publish(ctx, channel, data); err != nil {
		return true, fmt.Errorf("parsec: publish %s #%d on %q: %w", env.Aspect, env.Sequence, channel, err)
	}
	return true, nil
}

func rejects(v Validator) bool {
	if r, ok := v.(interface{ Rejects() bool }); ok {
		return r.Rejects()
	}
	return true
}

// History returns channel's stored envelopes within opts, oldest first: the
// publications above stream position opts.Since and at or below opts.Until
// (see HistoryOptions). Entries that do not decode are left out and reported
// to the error hook.
func (c *Client) History(ctx context.Context, channel string, opts HistoryOptions) ([]envelope.Envelope, error) {
	return c.history(ctx, channel, opts, c.report)
}

func (c *Client) history(ctx context.Context, channel string, opts HistoryOptions, report func(error)) ([]envelope.Envelope, error) {
	raw, err := c.tr.History(ctx, channel, opts)
	if err != nil {
		return nil, fmt.Errorf("parsec: history of %q: %w", channel, err)
	}
	out := make([]envelope.Envelope, 0, len(raw))
	for _, data := range raw {
		var env envelope.Envelope
		if err := c.cfg.codec.DecodeInto(data, &env); err != nil {
			report(&DeliveryError{Channel: channel, Data: data, Err: err})
			continue
		}
		out = append(out, env)
	}
	return out, nil
}

// Presence lists the clients subscribed to channel.
func (c *Client) Presence(ctx context.Context, channel string) ([]PresenceEntry, error) {
	p, err := c.tr.Presence(ctx, channel)
	if err != nil {
		return nil, fmt.Errorf("parsec: presence of %q: %w", channel, err)
	}
	return p, nil
}

// parentKey carries the envelope whose handler is running.
type parentKey struct{}

// EnvelopeFromContext returns the envelope whose handler received ctx.
func EnvelopeFromContext(ctx context.Context) (*envelope.Envelope, bool) {
	env, ok := ctx.Value(parentKey{}).(*envelope.Envelope)
	return env, ok
}

// persister keeps the snapshot's high-water marks ahead of the published
// sequences; see WithSnapshotReserve.
type persister struct {
	snap   SequenceSnapshotter
	seqs   *envelope.SequenceTracker
	ahead  int64
	report func(error)

	mu        sync.Mutex
	durable   map[string]int64 // marks known to be stored
	want      map[string]int64 // highest sequence a publish asked to cover
	err       error            // result of the last write
	requested bool             // a write round was asked for and has not started
	round     chan struct{}    // closed when the current write round ends
	kick      chan struct{}
	stop      chan struct{}
	finished  chan struct{}
}

func newPersister(snap SequenceSnapshotter, seqs *envelope.SequenceTracker, ahead int64, stored map[string]int64, report func(error)) *persister {
	p := &persister{
		snap: snap, seqs: seqs, ahead: ahead, report: report,
		durable: make(map[string]int64, len(stored)), want: make(map[string]int64),
		round: make(chan struct{}), kick: make(chan struct{}, 1),
		stop: make(chan struct{}), finished: make(chan struct{}),
	}
	for ch, n := range stored {
		p.durable[ch] = n
	}
	go p.loop()
	return p
}

func (p *persister) signal() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// ensure returns once seq on channel is covered by a durable mark.
func (p *persister) ensure(ctx context.Context, channel string, seq int64) error {
	for {
		p.mu.Lock()
		mark := p.durable[channel]
		if seq <= mark {
			// Past half the reserve, have it extended before publishes
			// must wait; one request per write round.
			kick := seq > mark-p.ahead/2 && !p.requested
			if kick {
				p.requested = true
			}
			p.mu.Unlock()
			if kick {
				p.signal()
			}
			return nil
		}
		p.requested = true
		if seq > p.want[channel] {
			p.want[channel] = seq
		}
		round := p.round
		p.mu.Unlock()
		p.signal()
		select {
		case <-round:
		case <-p.finished:
			return ErrClosed
		case <-ctx.Done():
			return ctx.Err()
		}
		p.mu.Lock()
		err := p.err
		ok := seq <= p.durable[channel]
		p.mu.Unlock()
		if !ok && err != nil {
			return err
		}
	}
}

func (p *persister) loop() {
	defer close(p.finished)
	for {
		select {
		case <-p.stop:
			return
		case <-p.kick:
		}
		p.mu.Lock()
		p.requested = false // publishes from now on may ask for the next round
		used := p.seqs.Snapshot()
		for ch, n := range p.want {
			used[ch] = max(used[ch], n)
		}
		// Write only when some channel has used half of its reserve (or
		// needs more), and then extend every such channel by a full
		// reserve: one write per half reserve of publishes.
		need := false
		target := make(map[string]int64, len(p.durable)+len(used))
		for ch, n := range p.durable {
			target[ch] = n
		}
		for ch, n := range used {
			if mark, ok := p.durable[ch]; !ok || n > mark-p.ahead/2 {
				need = true
				target[ch] = max(target[ch], n+p.ahead)
			}
		}
		if !need {
			close(p.round)
			p.round = make(chan struct{})
			p.mu.Unlock()
			continue
		}
		p.mu.Unlock()
		err := p.snap.Save(target)
		p.mu.Lock()
		p.err = err
		if err == nil {
			p.durable = target
		}
		close(p.round)
		p.round = make(chan struct{})
		p.mu.Unlock()
		if err != nil {
			p.report(fmt.Errorf("parsec: saving sequence snapshot: %w", err))
		}
	}
}

// close stops the writer and stores the exact last-issued numbers.
func (p *persister) close() error {
	close(p.stop)
	<-p.finished
	exact := p.seqs.Snapshot()
	for ch := range p.durable {
		if _, ok := exact[ch]; !ok {
			exact[ch] = p.seqs.Peek(ch)
		}
	}
	if err := p.snap.Save(exact); err != nil {
		return fmt.Errorf("parsec: saving sequence snapshot: %w", err)
	}
	return nil
}
