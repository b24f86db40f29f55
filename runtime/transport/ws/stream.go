package ws

import (
	"context"
	"errors"
	"fmt"
	"sync"

	centrifuge "github.com/centrifugal/centrifuge-go"

	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/internal/transportkit"
)

// outBuffer caps the buffer of the channel Subscribe returns: enough to
// spare the consumer a goroutine switch per publication.
const outBuffer = 64

// item is one entry of a stream's queue: a publication or an event.
type item struct {
	data []byte
	ev   *client.StreamEvent
}

// stream is one Subscribe call. It owns a centrifuge Subscription (replaced
// when a slow consumer forces a resubscribe), the queue between
// centrifuge-go's handler goroutine and the consumer, and the position of
// the last publication it accepted.
type stream struct {
	t       *Transport
	cn      *conn // the connection carrying the subscription; set under t.mu
	claim   claim
	channel string
	onEvent func(client.StreamEvent)
	since   *client.StreamPosition
	from    int64

	out      chan []byte
	done     chan struct{} // closed when the stream ends
	pumpDone chan struct{} // closed when the pump has closed out
	endOnce  sync.Once
	wake     chan struct{} // cap 1: the queue changed

	mu         sync.Mutex
	q          []item
	nData      int
	gen        int // generation of sub; callbacks of older ones are ignored
	sub        *centrifuge.Subscription
	resume     *client.StreamPosition // position the next fresh subscription starts from
	offers     int                    // positions GetState handed out for the current generation
	rejections int                    // of those, rejected as unrecoverable since the last subscribe
	last       client.StreamPosition  // last accepted publication (or start point)
	haveLast   bool
	subscribed bool // at least one subscribe succeeded
	afterGap   bool // the pending subscribe starts over after an unrecoverable report
	first      chan error
	overflowed bool  // queue was full: accepting nothing until resubscribed
	dropped    int64 // publications skipped while overflowed
	restarting bool
	ended      bool
	pumping    bool                // the pump holds a batch it has not fully delivered
	final      *client.StreamEvent // why the stream ended, reported last
}

// Subscribe starts delivery of channel's publications and waits until the
// server confirmed the subscription or ctx ended. See the package
// documentation for positions, recovery and the slow-consumer policy.
func (t *Transport) Subscribe(ctx context.Context, channel string, opts client.SubscribeOptions) (<-chan []byte, func(), error) {
	if channel == "" {
		return nil, nil, errors.New("ws transport: subscribe: empty channel name")
	}
	if opts.FromSequence < 0 {
		return nil, nil, fmt.Errorf("ws transport: subscribe to %q: negative FromSequence %d", channel, opts.FromSequence)
	}
	s := &stream{
		t:        t,
		channel:  channel,
		onEvent:  opts.OnEvent,
		from:     opts.FromSequence,
		out:      make(chan []byte, min(t.cfg.queueSize, outBuffer)),
		done:     make(chan struct{}),
		pumpDone: make(chan struct{}),
		wake:     make(chan struct{}, 1),
		first:    make(chan error, 1),
	}
	if opts.Since != nil && opts.FromSequence == 0 {
		p := *opts.Since
		s.since = &p
		s.resume = &p
	}
	cn, err := t.claimConn(s)
	if err != nil {
		return nil, nil, err
	}
	if cn.c.State() == centrifuge.StateDisconnected {
		// Not connected and not trying: before Connect, after Connect gave
		// up, or after the server refused the connection for good.
		t.forget(s)
		t.mu.Lock()
		why := t.lastErr
		t.mu.Unlock()
		if why == nil {
			why = errors.New("Connect was not called")
		}
		return nil, nil, fmt.Errorf("ws transport: subscribe to %q: not connected: %w", channel, why)
	}
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		t.forget(s)
		return nil, nil, ErrClosed
	}
	t.streams[s] = struct{}{}
	t.mu.Unlock()
	go s.pump()

	if err := s.startSub(); err != nil {
		s.cancel()
		return nil, nil, err
	}
	select {
	case err := <-s.first:
		if err != nil {
			s.cancel()
			return nil, nil, err
		}
	case <-ctx.Done():
		s.cancel()
		return nil, nil, fmt.Errorf("ws transport: subscribe to %q: %w", channel, ctx.Err())
	}
	return s.out, s.cancel, nil
}

// startSub creates and subscribes a centrifuge Subscription for the current
// generation.
func (s *stream) startSub() error {
	s.mu.Lock()
	gen := s.gen
	s.mu.Unlock()
	sub, err := s.cn.c.NewSubscription(s.channel, centrifuge.SubscriptionConfig{
		Positioned:  true,
		Recoverable: true,
		GetState: func(centrifuge.SubscriptionGetStateEvent) (centrifuge.StreamPosition, error) {
			return s.getState(gen)
		},
	})
	if err != nil {
		return fmt.Errorf("ws transport: subscribe to %q: %w", s.channel, err)
	}
	sub.OnSubscribed(func(e centrifuge.SubscribedEvent) { s.onSubscribed(gen, e) })
	sub.OnPublication(func(e centrifuge.PublicationEvent) { s.onPublication(gen, e) })
	sub.OnError(func(e centrifuge.SubscriptionErrorEvent) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if gen == s.gen {
			s.enqueueEvent(client.StreamEvent{Kind: client.EventError, Channel: s.channel,
				Err: fmt.Errorf("ws transport: channel %q: %w", s.channel, e.Error)})
		}
	})
	sub.OnUnsubscribed(func(e centrifuge.UnsubscribedEvent) {
		if e.Code == 0 { // our own Unsubscribe (cancel or resubscribe)
			return
		}
		s.mu.Lock()
		current := gen == s.gen
		s.mu.Unlock()
		if current {
			// Not on centrifuge-go's handler goroutine: ending unsubscribes,
			// which must not wait for a client that is closing and waiting
			// for this very handler to return.
			go s.end(fmt.Errorf("ws transport: channel %q: unsubscribed (code %d: %s)", s.channel, e.Code, e.Reason))
		}
	})
	s.mu.Lock()
	if s.ended || gen != s.gen {
		s.mu.Unlock()
		// Not yet subscribed, so removal cannot fail.
		_ = s.cn.c.RemoveSubscription(sub)
		return nil
	}
	s.sub = sub
	s.mu.Unlock()
	if err := sub.Subscribe(); err != nil {
		return fmt.Errorf("ws transport: subscribe to %q: %w", s.channel, err)
	}
	return nil
}

// getState gives centrifuge-go the position a fresh subscription recovers
// from. centrifuge-go asks again for the same generation only when the
// server rejected the position it was given as unrecoverable.
func (s *stream) getState(gen int) (centrifuge.StreamPosition, error) {
	s.mu.Lock()
	if gen != s.gen || s.ended {
		s.mu.Unlock()
		return centrifuge.StreamPosition{}, errors.New("ws transport: stale subscription")
	}
	if s.offers == 0 && s.resume != nil {
		p := *s.resume
		s.last, s.haveLast = p, true
		s.offers++
		s.mu.Unlock()
		return centrifuge.StreamPosition{Offset: p.Offset, Epoch: p.Epoch}, nil
	}
	rejected := s.offers > 0
	if !rejected {
		s.mu.Unlock()
		pos, err := s.streamTop()
		if err != nil {
			return centrifuge.StreamPosition{}, s.refused(err)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.from > 0 && !s.subscribed {
			pos.Offset = min(uint64(s.from), pos.Offset) // exclusive: recover above it
		}
		s.offers++
		s.last, s.haveLast = pos, true
		return centrifuge.StreamPosition{Offset: pos.Offset, Epoch: pos.Epoch}, nil
	}
	s.rejections++
	prev, havePrev, rejections := s.last, s.haveLast, s.rejections
	s.mu.Unlock()

	// The server would not replay from prev: history lost part of what
	// followed, the epoch changed, or the server caps how much one
	// recovery replays. Read what the history still holds after prev and
	// hand it over; the subscription then recovers from the last one.
	if havePrev && rejections <= maxCatchUps {
		ctx, cancel := s.t.ctx(context.Background())
		h, err := s.cn.c.History(ctx, s.channel, centrifuge.WithHistoryLimit(-1),
			centrifuge.WithHistorySince(&centrifuge.StreamPosition{Offset: prev.Offset, Epoch: prev.Epoch}))
		cancel()
		if err == nil && h.Epoch == prev.Epoch {
			return s.catchUp(prev, h), nil
		}
		if err != nil && isRefusal(err) {
			return centrifuge.StreamPosition{}, s.refused(err)
		}
		// An error here is the epoch change (or a failed read): the stream
		// top below is the fallback.
	}
	pos, err := s.streamTop()
	if err != nil {
		return centrifuge.StreamPosition{}, s.refused(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offers++
	s.afterGap = true
	missed := int64(-1)
	if havePrev && prev.Epoch == pos.Epoch && pos.Offset >= prev.Offset {
		missed = int64(pos.Offset - prev.Offset)
	}
	resume := pos
	if havePrev && prev.Epoch != pos.Epoch && rejections <= maxCatchUps {
		// A new epoch (the server lost the stream, e.g. a restart with the
		// memory engine): everything in it is new to this subscriber, so
		// recover it from its start; what its history no longer holds is
		// caught up and reported like any other refused recovery.
		resume = client.StreamPosition{Epoch: pos.Epoch}
	}
	s.enqueueEvent(client.StreamEvent{Kind: client.EventUnrecoverable, Channel: s.channel, Position: resume, Missed: missed,
		Err: fmt.Errorf("ws transport: channel %q: position %d of epoch %q cannot be recovered; resuming at %d of epoch %q",
			s.channel, prev.Offset, prev.Epoch, resume.Offset, resume.Epoch)})
	s.last, s.haveLast = resume, true
	return centrifuge.StreamPosition{Offset: resume.Offset, Epoch: resume.Epoch}, nil
}

// isRefusal reports whether err is the server refusing the operation for
// good (permission denied, unknown channel, bad request, not available):
// retrying cannot help.
func isRefusal(err error) bool {
	var e *centrifuge.Error
	if !errors.As(err, &e) || e.Temporary {
		return false
	}
	switch e.Code {
	case 101, 102, 103, 104, 107, 108: // unauthorized, unknown channel, permission denied, method not found, bad request, not available
		return true
	}
	return false
}

// refused ends the stream when err is a refusal, so that Subscribe fails
// at once with the server's answer instead of centrifuge-go retrying until
// the caller's deadline; it returns err for centrifuge-go either way.
func (s *stream) refused(err error) error {
	if !isRefusal(err) {
		return err
	}
	var e *centrifuge.Error
	errors.As(err, &e)
	if e.Code == 102 {
		err = fmt.Errorf("ws transport: channel %q: %w (is its namespace configured?)", s.channel, err)
	} else {
		err = fmt.Errorf("ws transport: channel %q: the server refused to tell the stream position, which the transport "+
			"needs to resume without loss (the namespace must keep history and allow it to clients: history_size, "+
			"history_ttl, allow_history_for_client): %w", s.channel, err)
	}
	// Not on this goroutine: ending removes the subscription, whose
	// GetState call is still running.
	go s.end(err)
	return err
}

// maxCatchUps bounds how many history reads in a row may stand in for a
// refused recovery before the transport gives up and resumes at the top.
const maxCatchUps = 16

// catchUp queues the publications history returned after prev, reporting
// the offsets history no longer holds, and returns the position the
// subscription recovers from.
func (s *stream) catchUp(prev client.StreamPosition, h centrifuge.HistoryResult) centrifuge.StreamPosition {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offers++
	first := h.Offset + 1 // the stream's next offset when history is empty
	if len(h.Publications) > 0 {
		first = h.Publications[0].Offset
	}
	if gap := (transportkit.Cursor{Offset: prev.Offset, Known: true}).Upto(first); !gap.Empty() && s.last.Offset == prev.Offset {
		s.afterGap = true
		s.enqueueEvent(client.StreamEvent{Kind: client.EventUnrecoverable, Channel: s.channel,
			Position: client.StreamPosition{Offset: first - 1, Epoch: prev.Epoch}, Missed: gap.Missed(),
			Err: fmt.Errorf("ws transport: channel %q: %w", s.channel, gap)})
		s.last.Offset = first - 1
	}
	for _, p := range h.Publications {
		s.accept(p.Offset, p.Data)
	}
	return centrifuge.StreamPosition{Offset: s.last.Offset, Epoch: s.last.Epoch}
}

// streamTop reads the current position of the channel's stream.
func (s *stream) streamTop() (client.StreamPosition, error) {
	ctx, cancel := s.t.ctx(context.Background())
	defer cancel()
	top, err := s.cn.c.History(ctx, s.channel)
	if err != nil {
		return client.StreamPosition{}, fmt.Errorf("stream top of %q: %w", s.channel, err)
	}
	return client.StreamPosition{Offset: top.Offset, Epoch: top.Epoch}, nil
}

func (s *stream) onSubscribed(gen int, e centrifuge.SubscribedEvent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if gen != s.gen || s.ended {
		return
	}
	firstTime := !s.subscribed
	s.subscribed = true
	s.rejections = 0
	defer func() { s.afterGap = false }()
	if e.StreamPosition == nil { // the server keeps no stream for this channel
		s.haveLast = false
		s.enqueueEvent(client.StreamEvent{Kind: client.EventSubscribed, Channel: s.channel})
	} else {
		top := client.StreamPosition{Offset: e.StreamPosition.Offset, Epoch: e.StreamPosition.Epoch}
		switch {
		case e.WasRecovering && e.Recovered && s.haveLast && s.last.Epoch == top.Epoch:
			// Recovered publications follow, from s.last.Offset+1.
			s.enqueueEvent(client.StreamEvent{Kind: client.EventSubscribed, Channel: s.channel, Position: s.last})
			if (!firstTime || s.since != nil) && !s.afterGap {
				s.enqueueEvent(client.StreamEvent{Kind: client.EventRecovered, Channel: s.channel, Position: top})
			}
		case e.WasRecovering && !e.Recovered:
			// A server that does not reject unrecoverable positions.
			missed := int64(-1)
			if s.haveLast && s.last.Epoch == top.Epoch && top.Offset >= s.last.Offset {
				missed = int64(top.Offset - s.last.Offset)
			}
			s.enqueueEvent(client.StreamEvent{Kind: client.EventSubscribed, Channel: s.channel, Position: top})
			s.enqueueEvent(client.StreamEvent{Kind: client.EventUnrecoverable, Channel: s.channel, Position: top, Missed: missed,
				Err: fmt.Errorf("ws transport: channel %q: position %d of epoch %q cannot be recovered", s.channel, s.last.Offset, s.last.Epoch)})
			s.last, s.haveLast = top, true
		default:
			s.last, s.haveLast = top, true
			s.enqueueEvent(client.StreamEvent{Kind: client.EventSubscribed, Channel: s.channel, Position: top})
		}
	}
	if firstTime {
		s.first <- nil
	}
}

func (s *stream) onPublication(gen int, e centrifuge.PublicationEvent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if gen != s.gen || s.ended {
		return
	}
	s.accept(e.Offset, e.Data)
}

// accept queues one publication: duplicates are dropped, skipped offsets and
// oversized data reported, a full queue switches to overflow. s.mu must be
// held.
func (s *stream) accept(off uint64, data []byte) {
	dup, gap := s.cursor().Next(off)
	if dup {
		return // already delivered: a replay overlapping the resume point
	}
	if s.overflowed {
		s.dropped++
		return
	}
	if s.nData >= s.t.cfg.queueSize {
		s.overflowed, s.dropped = true, 1
		s.enqueueEvent(client.StreamEvent{Kind: client.EventError, Channel: s.channel, Position: s.last,
			Err: fmt.Errorf("%w: channel %q: %d publications waiting; resubscribing from offset %d once drained",
				ErrSlowConsumer, s.channel, s.nData, s.last.Offset)})
		return
	}
	if !gap.Empty() {
		s.enqueueEvent(client.StreamEvent{Kind: client.EventUnrecoverable, Channel: s.channel, Position: s.last,
			Missed: gap.Missed(),
			Err:    fmt.Errorf("ws transport: channel %q: offsets %d..%d skipped by the server", s.channel, gap.From, gap.To)})
	}
	if off > 0 {
		s.last.Offset = off
	}
	if len(data) > s.t.cfg.maxMessageSize {
		s.enqueueEvent(client.StreamEvent{Kind: client.EventError, Channel: s.channel, Position: s.last, Data: data[:s.t.cfg.maxMessageSize],
			Err: fmt.Errorf("ws transport: channel %q: publication at offset %d has %d bytes, over the %d-byte limit", s.channel, off, len(data), s.t.cfg.maxMessageSize)})
		return
	}
	if len(s.q) == 0 && !s.pumping {
		// Nothing queued or in the pump's hands: hand over directly while
		// the channel has room, sparing a goroutine switch. s.mu held
		// keeps end (and so the channel's close) out meanwhile.
		select {
		case s.out <- data:
			return
		default:
		}
	}
	s.q = append(s.q, item{data: data})
	s.nData++
	s.signal()
}

// cursor is the position of the last accepted publication, for duplicate
// and gap checks. s.mu must be held.
func (s *stream) cursor() transportkit.Cursor {
	return transportkit.Cursor{Offset: s.last.Offset, Known: s.haveLast}
}

// enqueueEvent queues ev behind the publications already queued. Events are
// never dropped; they are rare (one or two per reconnect). s.mu must be held.
func (s *stream) enqueueEvent(ev client.StreamEvent) {
	if s.ended {
		return
	}
	s.q = append(s.q, item{ev: &ev})
	s.signal()
}

func (s *stream) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// pump moves queued items to the consumer, calling OnEvent for events in
// order, and starts the resubscription after an overflow.
func (s *stream) pump() {
	defer close(s.pumpDone)
	defer close(s.out)
	defer s.reportEnd()
	var batch []item
	for {
		s.mu.Lock()
		for len(s.q) == 0 {
			s.mu.Unlock()
			select {
			case <-s.wake:
			case <-s.done:
				return
			}
			s.mu.Lock()
		}
		// Take everything queued at once: one lock per batch, not per item.
		batch, s.q = s.q, batch[:0]
		s.pumping = true
		for _, it := range batch {
			if it.ev == nil {
				s.nData--
			}
		}
		s.mu.Unlock()

		for i, it := range batch {
			if it.ev != nil {
				if s.onEvent != nil {
					s.onEvent(*it.ev)
				}
				continue
			}
			select {
			case s.out <- it.data:
			case <-s.done:
				s.requeue(batch[i+1:])
				return
			}
		}
		clear(batch)

		s.mu.Lock()
		s.pumping = false
		restart := s.overflowed && !s.restarting && s.nData <= s.t.cfg.queueSize/2
		if restart {
			s.restarting = true
		}
		s.mu.Unlock()
		if restart {
			s.resubscribe()
		}
	}
}

// requeue puts the undelivered rest of a batch back in front of the queue,
// so reportEnd still sees its events.
func (s *stream) requeue(rest []item) {
	s.mu.Lock()
	s.q = append(append([]item(nil), rest...), s.q...)
	s.mu.Unlock()
}

// reportEnd delivers, when the stream ended on an error, the events still
// queued and then the error. Queued publications are discarded.
func (s *stream) reportEnd() {
	s.mu.Lock()
	rest, final := s.q, s.final
	s.q = nil
	s.mu.Unlock()
	if final == nil || s.onEvent == nil {
		return
	}
	for _, it := range rest {
		if it.ev != nil {
			s.onEvent(*it.ev)
		}
	}
	s.onEvent(*final)
}

// resubscribe replaces the centrifuge Subscription with one that recovers
// from the last accepted position, so the server replays what the full queue
// skipped.
func (s *stream) resubscribe() {
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	old := s.sub
	s.gen++
	s.offers, s.rejections = 0, 0
	if s.haveLast {
		p := s.last
		s.resume = &p
	}
	s.overflowed, s.restarting, s.dropped = false, false, 0
	s.mu.Unlock()
	if old != nil {
		s.dropSub(old)
	}
	if err := s.startSub(); err != nil {
		s.end(err)
	}
}

// dropSub unsubscribes and forgets sub. Both fail only once the client is
// closed, when there is nothing left to release.
func (s *stream) dropSub(sub *centrifuge.Subscription) {
	_ = sub.Unsubscribe()
	_ = s.cn.c.RemoveSubscription(sub)
}

// end ends the stream and releases its subscription. A non-nil err is
// reported through OnEvent (after the events already queued) before the
// channel closes. It is idempotent and never waits for the consumer.
func (s *stream) end(err error) {
	s.endOnce.Do(func() {
		s.mu.Lock()
		if err != nil {
			s.final = &client.StreamEvent{Kind: client.EventError, Channel: s.channel, Err: err}
		}
		s.ended = true
		sub := s.sub
		s.sub = nil
		s.gen = -1
		s.mu.Unlock()
		select {
		case s.first <- fmt.Errorf("ws transport: subscribe to %q: %w", s.channel, errOr(err)):
		default:
		}
		if sub != nil {
			s.dropSub(sub)
		}
		s.t.forget(s)
		close(s.done)
	})
}

func errOr(err error) error {
	if err == nil {
		return ErrClosed
	}
	return err
}

// cancel ends the stream without an event.
func (s *stream) cancel() { s.end(nil) }
