package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"

	"github.com/parsec-gen/parsec-gen/runtime/internal/transportkit"
)

// Defaults of a MemoryTransport.
const (
	// DefaultMemoryHistorySize is the number of publications a MemoryTransport
	// keeps per channel for History and replay.
	DefaultMemoryHistorySize = 10000
	// DefaultMemoryBufferSize is the number of publications a MemoryTransport
	// buffers per subscriber before it disconnects the subscriber as too slow.
	DefaultMemoryBufferSize = 256
)

// ErrTransportClosed is returned by a MemoryTransport used after Close (until
// Connect opens it again). It is the error every transport of this module
// returns after Close (ws.ErrClosed, sse.ErrClosed), so errors.Is matches
// any of them. It is not ErrClosed, which says the Client was closed.
var ErrTransportClosed = transportkit.ErrClosed

// MemoryOption configures a MemoryTransport.
type MemoryOption func(*memoryConfig)

type memoryConfig struct {
	historySize int
	bufferSize  int
	userID      string
	connInfo    json.RawMessage
}

// MemoryHistorySize sets how many publications the broker keeps per channel
// (default DefaultMemoryHistorySize). Older ones are trimmed; a replay that
// asks for a trimmed offset is reported as EventUnrecoverable. The size is a
// property of the broker: it is taken from NewMemoryTransport and ignored by
// Peer.
func MemoryHistorySize(n int) MemoryOption {
	return func(c *memoryConfig) { c.historySize = n }
}

// MemoryBufferSize sets the per-subscriber buffer (default
// DefaultMemoryBufferSize).
func MemoryBufferSize(n int) MemoryOption {
	return func(c *memoryConfig) { c.bufferSize = n }
}

// MemoryUser sets the user id and connection info this transport shows in
// Presence. connInfo is JSON, as a server's connection info is; bytes that
// are not one JSON value are shown as a JSON string holding them.
func MemoryUser(userID string, connInfo []byte) MemoryOption {
	return func(c *memoryConfig) {
		c.userID = userID
		c.connInfo = nil
		switch {
		case len(connInfo) == 0:
		case json.Valid(connInfo):
			c.connInfo = bytes.Clone(connInfo)
		default:
			q, _ := json.Marshal(string(connInfo)) // a string always marshals
			c.connInfo = q
		}
	}
}

// MemoryTransport is an in-process Transport for tests and examples. Every
// MemoryTransport belongs to a broker; NewMemoryTransport creates a broker
// and Peer adds another connection to the same broker, so a publisher and a
// subscriber can each own their transport.
//
// A MemoryTransport works as soon as it exists: Connect is a no-op, kept
// for the Transport interface. Close cancels its subscriptions and makes it
// fail with ErrTransportClosed until Connect opens it again.
//
// Semantics, chosen to behave like a Centrifuge channel with history:
//   - Each channel has a stream: publications get consecutive offsets from 1
//     and the broker keeps the last HistorySize of them. The stream epoch is
//     fixed for the life of the channel (ResetChannel starts a new one).
//   - A subscriber has a bounded buffer. When a publication does not fit, the
//     broker disconnects the subscriber: it reports EventOverflow (Missed=1)
//     through OnEvent and closes the subscriber's stream after the
//     publications already buffered. Nothing else is delivered on that
//     stream, so a resubscribe from the next offset loses nothing while the
//     history still holds it.
//   - Subscribe reports EventSubscribed whose Position.Offset is the offset of
//     the publication just before the first one the stream delivers: the n-th
//     publication received has offset Position.Offset+n.
//   - SubscribeOptions.FromSequence replays the history above that offset
//     (exclusive: FromSequence+1 is the first replayed);
//     Since replays from after the position when its epoch matches. Replay
//     that cannot be complete (trimmed history, other epoch) reports
//     EventUnrecoverable with Missed set when known, then delivers what is
//     left (after an epoch change, everything the new epoch retained). A
//     successful Since replay reports EventRecovered.
//   - History bounds are stream offsets: Since exclusive, Until inclusive;
//     Limit keeps the most recent ones.
//   - Presence lists one entry per transport subscribed to the channel.
//
// Delivered byte slices are shared between subscribers and history: readers
// must not modify them.
//
// It keeps the contract every Transport keeps, checked by the suite in
// package runtime/transport/transporttest like the WebSocket and SSE
// transports.
type MemoryTransport struct {
	b        *memBroker
	cfg      memoryConfig
	clientID string

	mu     sync.Mutex
	closed bool
	subs   map[*memSub]struct{}
}

var _ Transport = (*MemoryTransport)(nil)

type memBroker struct {
	historySize int

	mu       sync.Mutex
	channels map[string]*memChannel
	clients  int
	epochs   int
}

type memChannel struct {
	name  string
	mu    sync.Mutex
	epoch string
	top   uint64
	log   []memPub // retained publications, ascending offsets
	subs  map[*memSub]struct{}
}

type memPub struct {
	offset uint64
	data   []byte
}

type memSub struct {
	t       *MemoryTransport
	ch      *memChannel
	out     chan []byte
	onEvent func(StreamEvent)
	closed  bool // guarded by ch.mu
}

// NewMemoryTransport returns a transport on a new in-memory broker.
func NewMemoryTransport(opts ...MemoryOption) *MemoryTransport {
	b := &memBroker{channels: make(map[string]*memChannel)}
	t := b.newTransport(opts)
	b.historySize = t.cfg.historySize
	return t
}

// Peer returns a new, unconnected transport on the same broker as t, with
// its own client id and options.
func (t *MemoryTransport) Peer(opts ...MemoryOption) *MemoryTransport {
	return t.b.newTransport(opts)
}

func (b *memBroker) newTransport(opts []MemoryOption) *MemoryTransport {
	cfg := memoryConfig{historySize: DefaultMemoryHistorySize, bufferSize: DefaultMemoryBufferSize}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.historySize < 0 {
		cfg.historySize = 0
	}
	if cfg.bufferSize < 1 {
		cfg.bufferSize = 1
	}
	b.mu.Lock()
	b.clients++
	id := "mem-" + strconv.Itoa(b.clients)
	b.mu.Unlock()
	if cfg.userID == "" {
		cfg.userID = id
	}
	return &MemoryTransport{b: b, cfg: cfg, clientID: id, subs: make(map[*memSub]struct{})}
}

// ClientID returns the id this transport shows in Presence.
func (t *MemoryTransport) ClientID() string { return t.clientID }

func (b *memBroker) channel(name string) *memChannel {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.channels[name]
	if c == nil {
		b.epochs++
		c = &memChannel{name: name, epoch: "e" + strconv.Itoa(b.epochs), subs: make(map[*memSub]struct{})}
		b.channels[name] = c
	}
	return c
}

// Connect is a no-op on a new transport (publish and subscribe work without
// it); after Close it opens the transport again. The token is not used.
func (t *MemoryTransport) Connect(ctx context.Context, token string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t.mu.Lock()
	t.closed = false
	t.mu.Unlock()
	return nil
}

// Close disconnects the transport and closes every stream it returned.
func (t *MemoryTransport) Close() error {
	t.mu.Lock()
	t.closed = true
	subs := make([]*memSub, 0, len(t.subs))
	for s := range t.subs {
		subs = append(subs, s)
	}
	t.mu.Unlock()
	for _, s := range subs {
		s.cancel()
	}
	return nil
}

func (t *MemoryTransport) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t.mu.Lock()
	closed := t.closed
	t.mu.Unlock()
	if closed {
		return ErrTransportClosed
	}
	return nil
}

// Publish appends a copy of data to channel's stream and hands it to every
// subscriber.
func (t *MemoryTransport) Publish(ctx context.Context, channel string, data []byte) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	if channel == "" {
		return errors.New("memory transport: publish: empty channel name")
	}
	data = bytes.Clone(data)
	c := t.b.channel(channel)
	var dropped []*memSub
	c.mu.Lock()
	c.top++
	c.log = append(c.log, memPub{offset: c.top, data: data})
	c.trim(t.b.historySize)
	for s := range c.subs {
		select {
		case s.out <- data:
		default:
			dropped = append(dropped, s)
			s.closeLocked()
		}
	}
	c.mu.Unlock()
	for _, s := range dropped {
		s.t.forget(s)
		if s.onEvent != nil {
			s.onEvent(StreamEvent{Kind: EventOverflow, Channel: channel, Missed: 1,
				Err: fmt.Errorf("memory transport: channel %q: subscriber buffer full, disconnected", channel)})
		}
	}
	return nil
}

// trim keeps at most n publications; the slice is compacted only when it has
// doubled so trimming stays amortised O(1).
func (c *memChannel) trim(n int) {
	if len(c.log) <= n {
		return
	}
	if n == 0 {
		c.log = c.log[:0]
		return
	}
	if len(c.log) >= 2*n {
		kept := make([]memPub, n, 2*n)
		copy(kept, c.log[len(c.log)-n:])
		c.log = kept
		return
	}
}

// retained returns the publications the history currently holds.
func (c *memChannel) retained(n int) []memPub {
	if len(c.log) > n {
		return c.log[len(c.log)-n:]
	}
	return c.log
}

// Subscribe starts delivery of channel's publications; see MemoryTransport
// for replay, overflow and the events reported.
func (t *MemoryTransport) Subscribe(ctx context.Context, channel string, opts SubscribeOptions) (<-chan []byte, func(), error) {
	if err := t.check(ctx); err != nil {
		return nil, nil, err
	}
	if channel == "" {
		return nil, nil, errors.New("memory transport: subscribe: empty channel name")
	}
	c := t.b.channel(channel)
	var events []StreamEvent
	c.mu.Lock()
	hist := c.retained(t.b.historySize)
	var from uint64 // first offset to replay; 0 = live only
	switch {
	case opts.FromSequence > 0:
		from = uint64(opts.FromSequence) + 1 // exclusive: the publications above it
	case opts.Since != nil && opts.Since.Epoch != c.epoch:
		events = append(events, StreamEvent{Kind: EventUnrecoverable, Channel: channel, Missed: -1,
			Position: StreamPosition{Offset: c.top, Epoch: c.epoch},
			Err:      fmt.Errorf("memory transport: channel %q: epoch %q is gone (now %q)", channel, opts.Since.Epoch, c.epoch)})
		if len(hist) > 0 { // replay what the new epoch kept; the loss is already reported
			from = hist[0].offset
		}
	case opts.Since != nil:
		from = opts.Since.Offset + 1
	}
	var replay []memPub
	if from > 0 && from <= c.top {
		first := c.top + 1
		if len(hist) > 0 {
			first = hist[0].offset
		}
		if gap := (transportkit.Cursor{Offset: from - 1, Known: true}).Upto(first); !gap.Empty() {
			events = append(events, StreamEvent{Kind: EventUnrecoverable, Channel: channel, Missed: gap.Missed(),
				Position: StreamPosition{Offset: c.top, Epoch: c.epoch},
				Err:      fmt.Errorf("memory transport: channel %q: %w", channel, gap)})
			from = first
		} else if opts.Since != nil && opts.FromSequence <= 0 {
			events = append(events, StreamEvent{Kind: EventRecovered, Channel: channel,
				Position: StreamPosition{Offset: c.top, Epoch: c.epoch}})
		}
		i := sort.Search(len(hist), func(i int) bool { return hist[i].offset >= from })
		replay = hist[i:]
	} else if opts.Since != nil && opts.FromSequence <= 0 && opts.Since.Epoch == c.epoch {
		if from == c.top+1 {
			events = append(events, StreamEvent{Kind: EventRecovered, Channel: channel,
				Position: StreamPosition{Offset: c.top, Epoch: c.epoch}})
		} else {
			events = append(events, StreamEvent{Kind: EventUnrecoverable, Channel: channel, Missed: -1,
				Position: StreamPosition{Offset: c.top, Epoch: c.epoch},
				Err:      fmt.Errorf("memory transport: channel %q: position %d is ahead of the stream (%d)", channel, from-1, c.top)})
		}
	}
	s := &memSub{t: t, ch: c, onEvent: opts.OnEvent, out: make(chan []byte, t.cfg.bufferSize+len(replay))}
	for _, p := range replay {
		s.out <- p.data
	}
	before := c.top
	if len(replay) > 0 {
		before = replay[0].offset - 1
	}
	c.subs[s] = struct{}{}
	subscribed := StreamEvent{Kind: EventSubscribed, Channel: channel, Position: StreamPosition{Offset: before, Epoch: c.epoch}}
	c.mu.Unlock()

	t.mu.Lock()
	if t.closed { // Close ran concurrently: do not leak the stream
		t.mu.Unlock()
		s.cancel()
		return nil, nil, ErrTransportClosed
	}
	t.subs[s] = struct{}{}
	t.mu.Unlock()
	if s.onEvent != nil {
		s.onEvent(subscribed)
		for _, e := range events {
			s.onEvent(e)
		}
	}
	return s.out, s.cancel, nil
}

// closeLocked ends the stream and reports whether it was open; c.mu must
// be held.
func (s *memSub) closeLocked() bool {
	if s.closed {
		return false
	}
	s.closed = true
	delete(s.ch.subs, s)
	close(s.out)
	return true
}

func (s *memSub) cancel() { s.close() }

// close ends the stream and reports whether this call closed it.
func (s *memSub) close() bool {
	s.ch.mu.Lock()
	closed := s.closeLocked()
	s.ch.mu.Unlock()
	s.t.forget(s)
	return closed
}

func (t *MemoryTransport) forget(s *memSub) {
	t.mu.Lock()
	delete(t.subs, s)
	t.mu.Unlock()
}

// DropSubscriptions closes this transport's streams on channel (all channels
// when channel is empty) as a lost connection would, without reporting an
// event. It returns the number of streams closed. It is a test hook for
// reconnect handling.
func (t *MemoryTransport) DropSubscriptions(channel string) int {
	t.mu.Lock()
	var subs []*memSub
	for s := range t.subs {
		if channel == "" || s.ch.name == channel {
			subs = append(subs, s)
		}
	}
	t.mu.Unlock()
	n := 0
	for _, s := range subs {
		if s.close() {
			n++
		}
	}
	return n
}

// ResetChannel forgets channel's stream as a restarted server would: history
// is emptied, offsets start again from 1 under a new epoch and every
// subscriber's stream is closed. It is a test hook.
func (t *MemoryTransport) ResetChannel(channel string) {
	c := t.b.channel(channel)
	t.b.mu.Lock()
	t.b.epochs++
	epoch := "e" + strconv.Itoa(t.b.epochs)
	t.b.mu.Unlock()
	c.mu.Lock()
	c.epoch = epoch
	c.top = 0
	c.log = nil
	subs := make([]*memSub, 0, len(c.subs))
	for s := range c.subs {
		subs = append(subs, s)
		s.closeLocked()
	}
	c.mu.Unlock()
	for _, s := range subs {
		s.t.forget(s)
	}
}

// History returns the retained publications of channel within opts, oldest
// first: offsets above Since and at or below Until (0: no bound); Limit
// keeps the most recent matches. The returned slices are copies.
func (t *MemoryTransport) History(ctx context.Context, channel string, opts HistoryOptions) ([][]byte, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("memory transport: history of %q: %w", channel, err)
	}
	c := t.b.channel(channel)
	c.mu.Lock()
	defer c.mu.Unlock()
	var out [][]byte
	for _, p := range c.retained(t.b.historySize) {
		if opts.Contains(p.offset) {
			out = append(out, bytes.Clone(p.data))
		}
	}
	return opts.Trim(out), nil
}

// Presence lists the transports subscribed to channel, one entry each,
// ordered by client id.
func (t *MemoryTransport) Presence(ctx context.Context, channel string) ([]PresenceEntry, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	c := t.b.channel(channel)
	c.mu.Lock()
	seen := make(map[*MemoryTransport]bool)
	var out []PresenceEntry
	for s := range c.subs {
		if seen[s.t] {
			continue
		}
		seen[s.t] = true
		out = append(out, PresenceEntry{UserID: s.t.cfg.userID, ClientID: s.t.clientID, ConnInfo: bytes.Clone(s.t.cfg.connInfo)})
	}
	c.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ClientID < out[j].ClientID })
	return out, nil
}
