// Package ws is a client.Transport over the centrifuge WebSocket protocol,
// for Parsec servers, Centrifugo and any centrifuge-based node.
//
// It uses github.com/centrifugal/centrifuge-go with the Protobuf protocol, so
// publication data travels as opaque bytes: a malformed envelope reaches the
// runtime's error hook instead of breaking the connection's framing.
//
// # Streams and positions
//
// Every subscription is positioned and recoverable: the transport tracks the
// server stream position (offset + epoch) of the last publication it handed
// over. After a lost connection it resubscribes from that position and the
// server replays what was missed. When the server refuses (history trimmed,
// epoch changed, or more missed than it replays in one go, as Centrifugo's
// recovery_max_publication_limit) the transport reads what the history
// still holds after that position, hands it over and recovers from there:
// only publications the history lost are missing, and they are reported as
// client.EventUnrecoverable with their exact count. After an epoch change
// (server restart without persistent history) it reports Missed -1 and
// delivers the new epoch from its oldest retained publication (everything
// in it is new to the subscriber). A position never crosses epochs, and
// publications at or below the last delivered offset are dropped as
// duplicates.
//
// The transport reads the stream top through the history API when it
// subscribes, so channels must keep history and let clients read it (on
// Centrifugo: history_size, history_ttl, force_recovery and
// allow_history_for_client in the channel's namespace). The embedded server
// in the server module is configured that way. A server that refuses the
// read (permission denied, unknown channel) or the subscription makes
// Subscribe fail at once with the server's answer.
//
// Events reach SubscribeOptions.OnEvent in stream order: an event is reported
// after every publication received before it was delivered on the channel.
//
// # Slow consumers
//
// centrifuge-go runs handlers on its read loop, so the transport hands each
// publication to a bounded per-subscription queue (WithQueueSize) drained by
// its own goroutine: a consumer that publishes or reads history from its
// handler never stalls the connection. When the queue is full the transport
// stops accepting publications, reports client.EventError wrapping
// ErrSlowConsumer, and once the consumer has caught up it resubscribes from
// the last position it accepted, so the server replays the skipped
// publications from history. If history no longer holds them the
// resubscription reports client.EventUnrecoverable with the count. A
// subscription holds at most twice the queue size plus 64 publications (the
// queue, the batch being handed over, the returned channel's buffer).
//
// # TLS, proxies and gateways
//
// Every connection the transport opens gets the same dial options, passed
// through to centrifuge-go: WithTLSConfig (roots to trust, a client
// certificate for mutual TLS), WithHeader (headers of the upgrade request,
// such as a gateway's API key), WithNetDialContext (a custom dialer),
// WithProxy and WithCookieJar, WithWriteTimeout and WithHandshakeTimeout
// beside WithReadTimeout, and WithLogHandler for centrifuge-go's own log.
//
// # Positions for persistence
//
// client.EventSubscribed carries the stream position just before the next
// publication on the channel: after it, the n-th publication received has
// offset Position.Offset+n. A restarted process passes the position it
// persisted as SubscribeOptions.Since; publications at or below it are not
// delivered again.
//
// # Close and the contract
//
// A Transport used after Close returns ErrClosed, which is the same error
// as sse.ErrClosed and client.ErrTransportClosed. The transport keeps the
// contract every client.Transport keeps; package transporttest is its test
// suite, which this transport runs against the embedded node of the server
// module.
package ws

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	centrifuge "github.com/centrifugal/centrifuge-go"

	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/internal/transportkit"
)

// Defaults of a Transport.
const (
	DefaultQueueSize      = 1024
	DefaultReadTimeout    = 5 * time.Second
	DefaultPingTimeout    = 10 * time.Second
	DefaultMaxMessageSize = 1 << 20
)

// ErrSlowConsumer is wrapped by the client.EventError reported when a
// subscription's queue filled up. The transport recovers the publications it
// skipped from the server's history; see the package documentation.
var ErrSlowConsumer = errors.New("ws transport: subscription queue full")

// ErrClosed is returned by a Transport used after Close. It is the error
// every transport of this module returns after Close (sse.ErrClosed,
// client.ErrTransportClosed), so errors.Is matches any of them.
var ErrClosed = transportkit.ErrClosed

// Option configures a Transport.
type Option func(*config)

type config struct {
	token          string
	tokenFunc      func(context.Context) (string, error)
	readTimeout    time.Duration
	pingTimeout    time.Duration
	queueSize      int
	name           string
	maxMessageSize int
	minReconnect   time.Duration
	maxReconnect   time.Duration
	logger         *slog.Logger
	dial           dialConfig // options.go
}

// WithLogger makes the transport log its connections' state changes: Info
// when a connection is established, Warn when it is lost and being
// repaired, Error when it ended for good. By default it logs nothing (the
// same changes reach subscribers as stream events).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithToken sets the connection token (a JWT the server verifies). It wins
// over a token passed to Connect.
func WithToken(token string) Option { return func(c *config) { c.token = token } }

// WithTokenFunc sets a function that returns a fresh connection token. It is
// called when the server reports the token expired and before it expires when
// the server asks clients to refresh. Returning an error wrapping
// ErrUnauthorized stops reconnecting for good. It wins over a token passed to
// Connect.
func WithTokenFunc(f func(ctx context.Context) (string, error)) Option {
	return func(c *config) { c.tokenFunc = f }
}

// ErrUnauthorized, returned by a token function, tells the transport that no
// token can be had: it disconnects for good instead of retrying.
var ErrUnauthorized = centrifuge.ErrUnauthorized

// WithReadTimeout bounds each request to the server (connect, subscribe,
// publish, history, presence). Default DefaultReadTimeout.
func WithReadTimeout(d time.Duration) Option { return func(c *config) { c.readTimeout = d } }

// WithPingTimeout sets how long past the server's ping interval the
// transport waits for a ping before it considers the connection lost and
// reconnects. Default DefaultPingTimeout.
func WithPingTimeout(d time.Duration) Option { return func(c *config) { c.pingTimeout = d } }

// WithQueueSize sets how many publications each subscription buffers for a
// slow consumer. Default DefaultQueueSize.
func WithQueueSize(n int) Option { return func(c *config) { c.queueSize = n } }

// WithName sets the client name the server sees (an environment name such as
// "billing", not a per-user value).
func WithName(name string) Option { return func(c *config) { c.name = name } }

// WithMaxMessageSize caps the size of a published envelope and of a received
// publication. Larger ones are refused by Publish and reported as
// client.EventError on a subscription, which goes on. Default
// DefaultMaxMessageSize.
func WithMaxMessageSize(n int) Option { return func(c *config) { c.maxMessageSize = n } }

// WithReconnectDelay bounds the jittered exponential backoff between
// reconnection attempts (defaults 200ms and 20s).
func WithReconnectDelay(minDelay, maxDelay time.Duration) Option {
	return func(c *config) { c.minReconnect, c.maxReconnect = minDelay, maxDelay }
}

// Transport is a client.Transport over a centrifuge WebSocket connection.
//
// The server allows one subscription per channel and connection, so a
// second concurrent Subscribe to the same channel opens an extra connection
// (with the same options) for it; publish, history and presence always use
// the first connection.
type Transport struct {
	cfg  config
	url  string
	ccfg centrifuge.Config
	c    *centrifuge.Client // the first connection, conns[0].c

	mu        sync.Mutex
	conns     []*conn
	claims    map[claim]*stream // which connection carries which channel
	streams   map[*stream]struct{}
	connected chan struct{} // closed while connected; replaced on loss
	lastErr   error         // why the last connection attempt failed for good
	closed    bool
	started   bool
}

var _ client.Transport = (*Transport)(nil)

// conn is one centrifuge connection of a Transport.
type conn struct {
	c  *centrifuge.Client
	up atomic.Bool
}

// claim names a channel subscribed on one of the Transport's connections.
type claim struct {
	conn    int
	channel string
}

// New returns a Transport for the server's WebSocket endpoint, such as
// "ws://127.0.0.1:8000/connection/websocket". It does not connect.
func New(url string, opts ...Option) (*Transport, error) {
	cfg := config{
		readTimeout:    DefaultReadTimeout,
		pingTimeout:    DefaultPingTimeout,
		queueSize:      DefaultQueueSize,
		maxMessageSize: DefaultMaxMessageSize,
	}
	for _, o := range opts {
		o(&cfg)
	}
	switch {
	case url == "":
		return nil, errors.New("ws transport: empty URL")
	case cfg.queueSize < 1:
		return nil, fmt.Errorf("ws transport: queue size %d: want at least 1", cfg.queueSize)
	case cfg.readTimeout <= 0 || cfg.pingTimeout <= 0:
		return nil, fmt.Errorf("ws transport: timeouts must be positive (read %s, ping %s)", cfg.readTimeout, cfg.pingTimeout)
	case cfg.maxMessageSize < 1:
		return nil, fmt.Errorf("ws transport: max message size %d: want at least 1", cfg.maxMessageSize)
	}
	if err := cfg.dial.check(); err != nil {
		return nil, err
	}
	t := &Transport{cfg: cfg, url: url, streams: map[*stream]struct{}{}, claims: map[claim]*stream{}, connected: make(chan struct{})}
	t.ccfg = centrifuge.Config{
		Token:              cfg.token,
		Name:               cfg.name,
		ReadTimeout:        cfg.readTimeout,
		HandshakeTimeout:   cfg.readTimeout,
		MaxServerPingDelay: cfg.pingTimeout,
		MinReconnectDelay:  cfg.minReconnect,
		MaxReconnectDelay:  cfg.maxReconnect,
	}
	cfg.dial.apply(&t.ccfg)
	if cfg.tokenFunc != nil {
		t.ccfg.GetToken = func(centrifuge.ConnectionTokenEvent) (string, error) {
			ctx, cancel := context.WithTimeout(context.Background(), cfg.readTimeout)
			defer cancel()
			return cfg.tokenFunc(ctx)
		}
	}
	first := t.newConn(true)
	t.conns = []*conn{first}
	t.c = first.c
	return t, nil
}

// newConn creates a connection whose losses are reported to the streams it
// carries. The first connection also drives Connect's state.
func (t *Transport) newConn(primary bool) *conn {
	cn := &conn{c: centrifuge.NewProtobufClient(t.url, t.ccfg)}
	cn.c.OnConnected(func(centrifuge.ConnectedEvent) {
		if l := t.cfg.logger; l != nil {
			l.Info("ws transport: connected", "url", t.url)
		}
		cn.up.Store(true)
		if primary {
			t.setConnected(true, nil)
		}
	})
	cn.c.OnConnecting(func(e centrifuge.ConnectingEvent) {
		if primary {
			t.setConnected(false, nil)
		}
		if cn.up.Swap(false) {
			if l := t.cfg.logger; l != nil {
				l.Warn("ws transport: connection lost, reconnecting", "url", t.url, "code", e.Code, "reason", e.Reason)
			}
			t.broadcast(cn, client.StreamEvent{Kind: client.EventDisconnected,
				Err: fmt.Errorf("ws transport: connection lost (code %d: %s), reconnecting", e.Code, e.Reason)})
		}
	})
	cn.c.OnDisconnected(func(e centrifuge.DisconnectedEvent) {
		cn.up.Store(false)
		err := fmt.Errorf("ws transport: disconnected for good (code %d: %s)", e.Code, e.Reason)
		if primary {
			t.setConnected(false, err)
		}
		if e.Code != 0 { // 0: our own Close or Disconnect
			if l := t.cfg.logger; l != nil {
				l.Error("ws transport: disconnected for good", "url", t.url, "code", e.Code, "reason", e.Reason)
			}
			// Off the handler goroutine, as in stream.startSub.
			go t.endAll(cn, err)
		}
	})
	return cn
}

// claimConn picks the first connection not yet carrying channel for s,
// opening a new one when all do.
func (t *Transport) claimConn(s *stream) (*conn, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil, ErrClosed
	}
	for i, cn := range t.conns {
		k := claim{i, s.channel}
		if t.claims[k] == nil {
			t.claims[k] = s
			s.claim, s.cn = k, cn
			return cn, nil
		}
	}
	cn := t.newConn(false)
	t.conns = append(t.conns, cn)
	k := claim{len(t.conns) - 1, s.channel}
	t.claims[k] = s
	s.claim, s.cn = k, cn
	// A failed first dial is retried in the background; Subscribe's wait
	// for the first subscription bounds it.
	if err := cn.c.Connect(); err != nil && errors.Is(err, centrifuge.ErrClientClosed) {
		return nil, ErrClosed
	}
	return cn, nil
}

// setConnected records the connection state and reports whether it changed
// from connected to not connected.
func (t *Transport) setConnected(up bool, permanent error) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	wasUp := isClosed(t.connected)
	switch {
	case up && !wasUp:
		close(t.connected)
		t.lastErr = nil
	case !up && wasUp:
		t.connected = make(chan struct{})
	}
	if permanent != nil {
		t.lastErr = permanent
	}
	return wasUp && !up
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// Connect dials the server and waits until the connection is established or
// ctx ends. Later losses of the connection are repaired in the background.
//
// token, when not empty, is the connection token, unless the transport was
// built WithToken or WithTokenFunc: a configured token or token function
// wins over the one passed here.
func (t *Transport) Connect(ctx context.Context, token string) error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return ErrClosed
	}
	if token != "" && t.cfg.token == "" && t.cfg.tokenFunc == nil {
		t.ccfg.Token = token // connections made later use it too
		for _, cn := range t.conns {
			cn.c.SetToken(token)
		}
	}
	t.started = true
	t.mu.Unlock()
	// A failed first dial is retried by centrifuge-go in the background; its
	// error only matters if ctx runs out first.
	dialErr := t.c.Connect()
	for {
		t.mu.Lock()
		up, lastErr, state := t.connected, t.lastErr, t.c.State()
		t.mu.Unlock()
		if isClosed(up) {
			t.reconnectExtras()
			return nil
		}
		if lastErr != nil && state == centrifuge.StateDisconnected {
			return fmt.Errorf("ws transport: connect to %s: %w", t.url, lastErr)
		}
		select {
		case <-up:
			t.reconnectExtras()
			return nil
		case <-ctx.Done():
			// Stop retrying: the caller sees the failure and may call
			// Connect again. Disconnect fails only once closed.
			_ = t.c.Disconnect()
			if dialErr != nil {
				return fmt.Errorf("ws transport: connect to %s: %w (first attempt: %v)", t.url, ctx.Err(), dialErr)
			}
			return fmt.Errorf("ws transport: connect to %s: %w", t.url, ctx.Err())
		case <-time.After(50 * time.Millisecond): // re-check for a permanent failure
		}
	}
}

// reconnectExtras restarts extra connections that gave up, after the first
// connection is up again.
func (t *Transport) reconnectExtras() {
	t.mu.Lock()
	extras := slices.Clone(t.conns[1:])
	t.mu.Unlock()
	for _, cn := range extras {
		if cn.c.State() == centrifuge.StateDisconnected {
			// Connect fails only on a closed client or a failed first dial,
			// which centrifuge-go retries in the background.
			_ = cn.c.Connect()
		}
	}
}

// Close disconnects, ends every subscription (closing its channel) and waits
// for the transport's goroutines. It is idempotent.
func (t *Transport) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	streams := slices.Collect(maps.Keys(t.streams))
	conns := t.conns
	t.mu.Unlock()
	for _, s := range streams {
		s.cancel()
	}
	for _, cn := range conns {
		cn.c.Close()
	}
	for _, s := range streams {
		<-s.pumpDone
	}
	return nil
}

func (t *Transport) ctx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, t.cfg.readTimeout)
}

func (t *Transport) checkOpen() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return ErrClosed
	}
	return nil
}

// Publish sends data to channel and waits for the server's acknowledgement.
// When the connection is being re-established it waits for it, up to the
// read timeout. An error means the publication may or may not have been
// accepted; the runtime's per-producer sequences make a retry safe.
func (t *Transport) Publish(ctx context.Context, channel string, data []byte) error {
	if err := t.checkOpen(); err != nil {
		return err
	}
	if len(data) > t.cfg.maxMessageSize {
		return fmt.Errorf("ws transport: publish to %q: %d bytes exceed the %d-byte limit", channel, len(data), t.cfg.maxMessageSize)
	}
	// centrifuge-go bounds the wait for the connection and for the reply by
	// the read timeout itself.
	if _, err := t.c.Publish(ctx, channel, data); err != nil {
		return fmt.Errorf("ws transport: publish to %q: %w", channel, err)
	}
	return nil
}

// History returns the publications the server keeps for channel, oldest
// first, bounded by opts (offsets above Since, at or below Until; Limit keeps
// the most recent).
func (t *Transport) History(ctx context.Context, channel string, opts client.HistoryOptions) ([][]byte, error) {
	if err := t.checkOpen(); err != nil {
		return nil, err
	}
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("ws transport: history of %q: %w", channel, err)
	}
	ctx, cancel := t.ctx(ctx)
	defer cancel()
	var hopts []centrifuge.HistoryOption
	newestOnly := opts.NewestOnly()
	if newestOnly {
		// Only the newest Limit: ask the server for exactly those.
		hopts = append(hopts, centrifuge.WithHistoryLimit(int32(min(opts.Limit, 1<<30))), centrifuge.WithHistoryReverse(true))
	} else {
		hopts = append(hopts, centrifuge.WithHistoryLimit(-1))
		if opts.Since > 1 {
			top, err := t.c.History(ctx, channel)
			if err != nil {
				return nil, fmt.Errorf("ws transport: history of %q: %w", channel, err)
			}
			hopts = append(hopts, centrifuge.WithHistorySince(&centrifuge.StreamPosition{Offset: uint64(opts.Since - 1), Epoch: top.Epoch}))
		}
	}
	res, err := t.c.History(ctx, channel, hopts...)
	if err != nil {
		return nil, fmt.Errorf("ws transport: history of %q: %w", channel, err)
	}
	pubs := res.Publications
	if newestOnly {
		slices.Reverse(pubs)
	}
	out := make([][]byte, 0, len(pubs))
	for _, p := range pubs {
		if opts.Contains(p.Offset) {
			out = append(out, p.Data)
		}
	}
	return opts.Trim(out), nil
}

// Presence lists the clients subscribed to channel, ordered by client id.
func (t *Transport) Presence(ctx context.Context, channel string) ([]client.PresenceEntry, error) {
	if err := t.checkOpen(); err != nil {
		return nil, err
	}
	ctx, cancel := t.ctx(ctx)
	defer cancel()
	res, err := t.c.Presence(ctx, channel)
	if err != nil {
		return nil, fmt.Errorf("ws transport: presence of %q: %w", channel, err)
	}
	out := make([]client.PresenceEntry, 0, len(res.Clients))
	for _, id := range slices.Sorted(maps.Keys(res.Clients)) {
		info := res.Clients[id]
		out = append(out, client.PresenceEntry{UserID: info.User, ClientID: info.Client, ConnInfo: info.ConnInfo})
	}
	return out, nil
}

// broadcast queues ev for every live stream on cn.
func (t *Transport) broadcast(cn *conn, ev client.StreamEvent) {
	for _, s := range t.streamsOn(cn) {
		e := ev
		e.Channel = s.channel
		s.mu.Lock()
		s.enqueueEvent(e)
		s.mu.Unlock()
	}
}

// endAll ends every stream on cn after reporting err.
func (t *Transport) endAll(cn *conn, err error) {
	for _, s := range t.streamsOn(cn) {
		s.end(err)
	}
}

func (t *Transport) streamsOn(cn *conn) []*stream {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []*stream
	for s := range t.streams {
		if s.cn == cn {
			out = append(out, s)
		}
	}
	return out
}

// forget drops s and its claim on a connection.
func (t *Transport) forget(s *stream) {
	t.mu.Lock()
	delete(t.streams, s)
	if t.claims[s.claim] == s {
		delete(t.claims, s.claim)
	}
	t.mu.Unlock()
}
