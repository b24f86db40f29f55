package sse

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/internal/transportkit"
)

// DisconnectError is the server's reason for ending a stream. When Reconnect
// is false the subscription ends; otherwise the transport reconnects.
type DisconnectError struct {
	Code      uint32
	Reason    string
	Reconnect bool
}

// Error implements error.
func (e *DisconnectError) Error() string {
	return fmt.Sprintf("sse: server disconnect %d %q (reconnect %t)", e.Code, e.Reason, e.Reconnect)
}

// UnsubscribedError is the server's reason for ending the stream's
// subscription. When Resubscribe is false the subscription ends; otherwise the
// transport reconnects and resumes.
type UnsubscribedError struct {
	Code        uint32
	Reason      string
	Resubscribe bool
}

// Error implements error.
func (e *UnsubscribedError) Error() string {
	return fmt.Sprintf("sse: server unsubscribed %d %q (resubscribe %t)", e.Code, e.Reason, e.Resubscribe)
}

// terminalError marks an error after which the subscription ends.
type terminalError struct{ err error }

func (e *terminalError) Error() string { return e.err.Error() }
func (e *terminalError) Unwrap() error { return e.err }

// errGap makes the stream reconnect and resume after a hole in live offsets.
var errGap = errors.New("sse: hole in stream offsets, resuming from the last position")

// codeInappropriateProtocol is Centrifugo's disconnect code for data the
// connection's protocol cannot carry: a publication whose data is not JSON
// (published in binary form) sent to a JSON client.
const codeInappropriateProtocol = 3506

// codeBadRequest is Centrifugo's disconnect code for a connect request it
// rejects, for example a server-side subscription to a channel of an
// unknown namespace.
const codeBadRequest = 3501

// reconnects reports whether a Centrifugo disconnect code allows reconnecting:
// 3500-3999 and 4500-4999 are terminal, everything else is not. The one
// exception is 3506: it is caused by one publication, not by this client, so
// the stream reconnects (without recovery if the publication is in the
// replay, see open) and reports the loss.
func reconnects(code uint32) bool {
	if code == codeInappropriateProtocol {
		return true
	}
	return !(code >= 3500 && code < 4000) && !(code >= 4500 && code < 5000)
}

// stream is one subscription: one SSE connection at a time, reconnected with
// recovery until cancelled. Position fields are owned by the run goroutine.
type stream struct {
	t       *Transport
	channel string
	opts    client.SubscribeOptions
	out     chan []byte
	ctx     context.Context
	cancel  context.CancelFunc
	done    chan struct{}

	epoch     string
	offset    uint64
	known     bool // epoch/offset hold a position to resume after
	connected bool // the stream was established at least once
	skipped   int  // events skipped (and reported) since the last publication
	noRecover bool // the next connect must not ask for recovery
}

func newStream(t *Transport, channel string, opts client.SubscribeOptions) *stream {
	s := &stream{t: t, channel: channel, opts: opts, out: make(chan []byte, t.cfg.Buffer), done: make(chan struct{})}
	s.ctx, s.cancel = context.WithCancel(t.ctx)
	switch {
	case opts.Since != nil:
		s.epoch, s.offset, s.known = opts.Since.Epoch, opts.Since.Offset, true
	case opts.FromSequence > 0:
		// An empty epoch matches any epoch on the server.
		s.offset, s.known = uint64(opts.FromSequence), true // exclusive: above it
	}
	return s
}

func (s *stream) emit(ev client.StreamEvent) {
	if s.opts.OnEvent == nil {
		return
	}
	ev.Channel = s.channel
	s.opts.OnEvent(ev)
}

// cursor is the stream's position for duplicate and gap checks.
func (s *stream) cursor() transportkit.Cursor {
	return transportkit.Cursor{Offset: s.offset, Known: s.known}
}

func (s *stream) position() client.StreamPosition {
	return client.StreamPosition{Offset: s.offset, Epoch: s.epoch}
}

// run owns the stream until it ends. It reports the first connection's result
// on ready, then reconnects with backoff on every loss.
func (s *stream) run(ready chan<- error) {
	defer close(s.done)
	defer close(s.out)
	defer s.cancel()
	first := true
	attempt := 0
	for {
		c, rec, err := s.open()
		if first {
			first = false
			ready <- err
			if err != nil {
				return
			}
		}
		if err == nil {
			attempt = 0
			err = s.deliverRecovered(rec)
			if err == nil {
				err = s.read(c)
			}
			c.close()
		}
		if s.ctx.Err() != nil {
			return
		}
		s.emit(client.StreamEvent{Kind: client.EventDisconnected, Position: s.position(), Err: err})
		if l := s.t.cfg.Logger; l != nil {
			l.Warn("sse: stream lost", "channel", s.channel, "err", err)
		}
		var term *terminalError
		if errors.As(err, &term) {
			return
		}
		if transportkit.Sleep(s.ctx, s.t.backoff(attempt)) != nil {
			return
		}
		attempt++
	}
}

// backoff returns the delay before reconnect attempt n (0-based):
// exponential between ReconnectDelayMin and ReconnectDelayMax, half of it
// random so that many clients do not reconnect in step.
func (t *Transport) backoff(n int) time.Duration {
	return transportkit.Backoff{Min: t.cfg.ReconnectDelayMin, Max: t.cfg.ReconnectDelayMax}.Delay(n, nil)
}

// conn is one open SSE response.
type conn struct {
	body   io.ReadCloser
	frames *frameReader
	dog    *watchdog
	cancel context.CancelFunc
}

func (c *conn) close() {
	c.dog.stop()
	c.cancel()
	// The request context is cancelled: closing only releases the body.
	_ = c.body.Close() // error irrelevant, see above
}

// open connects, reads up to the server's connect frame, applies its
// subscription result to the stream position and reports it, and returns the
// live connection with the publications recovered in the connect frame.
func (s *stream) open() (*conn, *recovery, error) {
	ctx, cancel := context.WithCancel(s.ctx)
	var timedOut atomic.Bool
	connectTimer := time.AfterFunc(s.t.cfg.ConnectTimeout, func() { timedOut.Store(true); cancel() })
	fail := func(err error) (*conn, *recovery, error) {
		connectTimer.Stop()
		cancel()
		if timedOut.Load() {
			err = fmt.Errorf("%w within %v: %w", ErrConnectTimeout, s.t.cfg.ConnectTimeout, err)
		}
		return nil, nil, err
	}

	req := connectRequest{Name: s.t.cfg.Name, Version: s.t.cfg.Version}
	if s.t.cfg.Token != nil {
		tok, err := s.t.cfg.Token(ctx, s.channel)
		if err != nil {
			return fail(fmt.Errorf("token: %w", err))
		}
		req.Token = tok
	} else {
		req.Token = s.t.connectToken()
	}
	resume := s.known && !s.noRecover
	s.noRecover = false
	sub := subscribeRequest{}
	if resume {
		sub = subscribeRequest{Recover: true, Epoch: s.epoch, Offset: s.offset}
	}
	req.Subs = map[string]subscribeRequest{s.channel: sub}
	body, err := json.Marshal(req)
	if err != nil {
		return fail(fmt.Errorf("encode connect request: %w", err))
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, s.t.endpoint(s.t.cfg.SSEPath), bytes.NewReader(body))
	if err != nil {
		return fail(err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Accept", "text/event-stream")
	resp, err := s.t.hc.Do(hreq)
	if err != nil {
		return fail(err)
	}
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512)) // best effort: the status says enough
		closeBody(resp.Body)
		err := fmt.Errorf("connect: http status %d: %s", resp.StatusCode, snippet(msg))
		if resp.StatusCode >= 400 && resp.StatusCode < 500 &&
			resp.StatusCode != http.StatusRequestTimeout && resp.StatusCode != http.StatusTooManyRequests {
			err = &terminalError{err}
		}
		return fail(err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		closeBody(resp.Body)
		return fail(fmt.Errorf("connect: response content type %q, want text/event-stream from %s", ct, s.t.cfg.SSEPath))
	}
	c := &conn{body: resp.Body, cancel: cancel}
	c.dog = newWatchdog(resp.Body, cancel)
	c.frames = newFrameReader(c.dog, s.t.cfg.MaxFrameSize)
	closeFail := func(err error) (*conn, *recovery, error) {
		c.close()
		return fail(err)
	}

	for {
		data, err := c.frames.next()
		if err != nil {
			var big *FrameTooLargeError
			if errors.As(err, &big) {
				// Most likely the connect frame carrying too many recovered
				// publications: the next attempt gives up recovery, and the
				// loss is reported then.
				s.emit(client.StreamEvent{Kind: client.EventError, Data: big.Prefix, Err: err})
				s.noRecover = true
				return closeFail(fmt.Errorf("connect frame: %w", err))
			}
			return closeFail(fmt.Errorf("before connect frame: %w", err))
		}
		var p push
		if err := json.Unmarshal(data, &p); err != nil {
			s.emit(client.StreamEvent{Kind: client.EventError, Data: data, Err: fmt.Errorf("sse: malformed frame before connect: %w", err)})
			continue
		}
		switch {
		case p.Disconnect != nil:
			if p.Disconnect.Code == codeInappropriateProtocol && resume {
				// The replay holds a publication the server cannot encode
				// for this client: it will fail the same way every time.
				// Resume from the server's current position instead; the
				// loss is reported then.
				s.noRecover = true
			}
			err := disconnectErr(p.Disconnect)
			if p.Disconnect.Code == codeBadRequest {
				// The connect request named one channel: the server's
				// "bad request" is about it.
				err = &terminalError{fmt.Errorf("channel %q refused (is its namespace configured?): %w", s.channel, err)}
			}
			return closeFail(err)
		case p.Connect != nil:
			connectTimer.Stop()
			if timedOut.Load() {
				return closeFail(context.DeadlineExceeded)
			}
			rec, err := s.applyConnect(p.Connect, resume)
			if err != nil {
				return closeFail(err)
			}
			c.dog.arm(s.pingTimeout(p.Connect.Ping))
			return c, rec, nil
		}
		// Pings and other pushes before the connect frame carry nothing for us.
	}
}

func disconnectErr(d *disconnectPush) error {
	err := &DisconnectError{Code: d.Code, Reason: d.Reason, Reconnect: reconnects(d.Code)}
	if !err.Reconnect {
		return &terminalError{err}
	}
	return err
}

func (s *stream) pingTimeout(serverPing uint32) time.Duration {
	if s.t.cfg.PingTimeout > 0 {
		return s.t.cfg.PingTimeout
	}
	if serverPing == 0 {
		return 0
	}
	return time.Duration(serverPing)*time.Second + s.t.cfg.MaxPingDelay
}

// recovery holds the publications a connect frame recovered and the
// server's stream offset after them.
type recovery struct {
	pubs []*publication
	top  uint64
}

// applyConnect reconciles the stream position with the server's subscription
// result and reports it. It returns the recovered publications to deliver.
func (s *stream) applyConnect(cp *connectPush, resumed bool) (*recovery, error) {
	res, ok := cp.Subs[s.channel]
	if !ok {
		return nil, &terminalError{fmt.Errorf("server did not subscribe the stream to channel %q: "+
			"the connection token must list it (channels or subs claim) or its namespace must set allow_subscribe_for_client", s.channel)}
	}
	srv := client.StreamPosition{Offset: res.Offset, Epoch: res.Epoch}
	if res.Recovered {
		// After a successful recovery Centrifugo echoes the requested offset;
		// the stream position is the one after the recovered publications.
		for _, p := range res.Publications {
			if p != nil && p.Offset > srv.Offset {
				srv.Offset = p.Offset
			}
		}
	}
	reconnect := s.connected
	s.connected = true

	// EventSubscribed carries the position the publications that follow it
	// start after: each delivered publication advances it by one.
	if resumed && res.Recovered && (s.epoch == "" || s.epoch == res.Epoch) {
		s.epoch = res.Epoch
		s.emit(client.StreamEvent{Kind: client.EventSubscribed, Position: s.position()})
		s.emit(client.StreamEvent{Kind: client.EventRecovered, Position: srv})
		// The publications advance s.offset as they are delivered; the
		// server's offset is checked against it afterwards.
		return &recovery{pubs: res.Publications, top: srv.Offset}, nil
	}

	missed := int64(-1)
	switch {
	case !s.known && !reconnect:
		// A fresh subscription: nothing to resume, nothing missed.
		missed = 0
	case s.known && res.Epoch != "" && (s.epoch == "" || s.epoch == res.Epoch) && res.Offset >= s.offset:
		missed = int64(res.Offset - s.offset)
	}
	if missed != 0 && s.known && resumed {
		// The server refused the recovery asked for: deliver what history
		// still holds before giving any of it up. (Without recovery asked,
		// the replay itself is what failed, see noRecover.)
		if rec := s.refill(res); rec != nil {
			return rec, nil
		}
	}
	s.emit(client.StreamEvent{Kind: client.EventSubscribed, Position: srv})
	if missed != 0 {
		s.emit(client.StreamEvent{Kind: client.EventUnrecoverable, Position: srv, Missed: missed})
	}
	s.epoch, s.offset, s.known = res.Epoch, res.Offset, res.Epoch != ""
	s.skipped = 0
	return nil, nil
}

// deliverRecovered sends the publications recovered in a connect frame, then
// checks that they reached the server's offset.
func (s *stream) deliverRecovered(r *recovery) error {
	if r == nil {
		return nil
	}
	top := r.top
	for _, p := range r.pubs {
		if p == nil {
			continue
		}
		if err := s.deliver(p, false); err != nil {
			return err
		}
	}
	if gap := s.cursor().Upto(top + 1); !gap.Empty() {
		s.emit(client.StreamEvent{Kind: client.EventUnrecoverable, Position: client.StreamPosition{Offset: top, Epoch: s.epoch},
			Missed: gap.Missed()})
		s.offset = top
	}
	return nil
}

// deliver passes one publication on, dropping duplicates at reconnect
// boundaries and handling holes in the offsets. live says whether a hole can
// be repaired by reconnecting with recovery.
func (s *stream) deliver(p *publication, live bool) error {
	dup, gap := s.cursor().Next(p.Offset)
	switch {
	case dup:
		return nil // already delivered before a reconnect
	case gap.Empty():
	case uint64(s.skipped) >= uint64(gap.Missed()):
		// The missing publications are the events skipped and reported
		// as errors.
	case live:
		return errGap
	default:
		s.emit(client.StreamEvent{Kind: client.EventUnrecoverable,
			Position: client.StreamPosition{Offset: p.Offset, Epoch: s.epoch}, Missed: gap.Missed()})
	}
	if p.Offset != 0 && s.known {
		s.offset = p.Offset
	}
	s.skipped = 0
	select {
	case s.out <- []byte(p.Data):
		return nil
	case <-s.ctx.Done():
		return s.ctx.Err()
	}
}

// read consumes live frames until the connection fails.
func (s *stream) read(c *conn) error {
	for {
		data, err := c.frames.next()
		if err != nil {
			var big *FrameTooLargeError
			if errors.As(err, &big) {
				s.skipped++
				s.emit(client.StreamEvent{Kind: client.EventError, Data: big.Prefix, Err: err})
				continue
			}
			switch {
			case c.dog.fired.Load():
				return fmt.Errorf("%w (%v)", ErrPingTimeout, c.dog.timeout())
			case err == io.EOF:
				return errors.New("sse: server closed the stream")
			case errors.Is(err, errCutEvent):
				return err
			}
			return fmt.Errorf("sse: stream broken: %w", err)
		}
		var p push
		if err := json.Unmarshal(data, &p); err != nil {
			s.skipped++
			s.emit(client.StreamEvent{Kind: client.EventError, Data: data, Err: fmt.Errorf("sse: malformed frame: %w", err)})
			continue
		}
		switch {
		case p.Pub != nil:
			if p.Channel != "" && p.Channel != s.channel {
				continue
			}
			if err := s.deliver(p.Pub, true); err != nil {
				return err
			}
		case p.Disconnect != nil:
			return disconnectErr(p.Disconnect)
		case p.Unsubscribe != nil && (p.Channel == "" || p.Channel == s.channel):
			u := &UnsubscribedError{Code: p.Unsubscribe.Code, Reason: p.Unsubscribe.Reason, Resubscribe: p.Unsubscribe.Code >= 2500}
			if !u.Resubscribe {
				return &terminalError{u}
			}
			return u
		case p.Connect != nil:
			s.emit(client.StreamEvent{Kind: client.EventError, Data: data, Err: errors.New("sse: unexpected second connect frame")})
		}
		// Pings ({}), join/leave, messages and pushes for other channels are
		// not ours to deliver.
	}
}

// watchdog cancels a stream whose reads wait longer than its timeout. The
// clock only runs while a Read waits for the network, so a stream that is not
// read because its consumer is slow never times out.
type watchdog struct {
	r       io.Reader
	cancel  context.CancelFunc
	limit   atomic.Int64
	timer   *time.Timer
	fired   atomic.Bool
	stopped atomic.Bool
}

func newWatchdog(r io.Reader, cancel context.CancelFunc) *watchdog {
	w := &watchdog{r: r, cancel: cancel}
	w.timer = time.AfterFunc(time.Hour, func() {
		if !w.stopped.Load() {
			w.fired.Store(true)
			w.cancel()
		}
	})
	w.timer.Stop()
	return w
}

// arm sets the silence timeout; zero disables it.
func (w *watchdog) arm(d time.Duration) { w.limit.Store(int64(d)) }

func (w *watchdog) timeout() time.Duration { return time.Duration(w.limit.Load()) }

func (w *watchdog) stop() {
	w.stopped.Store(true)
	w.timer.Stop()
}

// Read implements io.Reader.
func (w *watchdog) Read(p []byte) (int, error) {
	if d := w.timeout(); d > 0 {
		w.timer.Reset(d)
	}
	n, err := w.r.Read(p)
	w.timer.Stop()
	return n, err
}
