package sse

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/internal/transportkit"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultSSEPath           = "/connection/uni_sse"
	DefaultAPIPath           = "/api"
	DefaultBuffer            = 256
	DefaultMaxFrameSize      = 8 << 20
	DefaultMaxPingDelay      = 10 * time.Second
	DefaultConnectTimeout    = 10 * time.Second
	DefaultRequestTimeout    = 10 * time.Second
	DefaultReconnectDelayMin = 100 * time.Millisecond
	DefaultReconnectDelayMax = 5 * time.Second
	DefaultPublishAttempts   = 3
)

// ErrClosed is returned by operations on a closed Transport. It is the
// error every transport of this module returns after Close (ws.ErrClosed,
// client.ErrTransportClosed), so errors.Is matches any of them.
var ErrClosed = transportkit.ErrClosed

// ErrPingTimeout is reported (wrapped, in an EventDisconnected) when the
// server sent nothing, not even a ping, within the ping timeout.
var ErrPingTimeout = errors.New("sse: no data or ping from server within the ping timeout")

// ErrConnectTimeout is reported (wrapped, in an EventDisconnected) when a
// connect request got no connect frame within Config.ConnectTimeout; the
// transport retries with backoff.
var ErrConnectTimeout = errors.New("sse: no connect frame")

// TokenFunc returns a connection token for one subscription stream. It is
// called before every connection attempt, so an expiring token is renewed on
// reconnect. The token must allow the server-side subscription to channel:
// either its "channels" (or "subs") claim lists the channel, or the channel's
// namespace sets allow_subscribe_for_client.
type TokenFunc func(ctx context.Context, channel string) (string, error)

// Config configures a Transport. Only URL is required.
type Config struct {
	// URL is the base URL of the Centrifugo server, for example
	// "http://127.0.0.1:8000".
	URL string
	// APIKey authenticates calls to the server HTTP API (Publish, History,
	// Presence); it is sent in the X-API-Key header.
	APIKey string
	// Token returns the connection token used by subscription streams. When
	// nil, streams use the token passed to Connect, or connect without a
	// token when that was empty (the server must allow anonymous
	// connections).
	Token TokenFunc
	// HTTPClient is used for both API calls and streams. Its Timeout must be
	// zero, since streams are long-lived; API calls are bounded by
	// RequestTimeout instead. Defaults to a client of its own.
	HTTPClient *http.Client
	// SSEPath is the path of the unidirectional SSE endpoint
	// (default DefaultSSEPath).
	SSEPath string
	// APIPath is the path prefix of the server HTTP API (default DefaultAPIPath).
	APIPath string
	// Buffer is the capacity of each subscription's delivery channel
	// (default DefaultBuffer). When it is full the stream stops reading, which
	// pushes back on the server; see the package documentation.
	Buffer int
	// MaxFrameSize bounds the data of one SSE event in bytes
	// (default DefaultMaxFrameSize). Larger events are skipped and reported.
	MaxFrameSize int
	// PingTimeout is how long a stream may stay silent before it is
	// considered dead. Zero means the server's ping interval (announced on
	// connect) plus MaxPingDelay; when the server disables pings and
	// PingTimeout is zero, silence is never a reason to reconnect.
	PingTimeout time.Duration
	// MaxPingDelay is the slack added to the server's ping interval when
	// PingTimeout is zero (default DefaultMaxPingDelay).
	MaxPingDelay time.Duration
	// ConnectTimeout bounds each connection attempt up to the server's
	// connect frame (default DefaultConnectTimeout).
	ConnectTimeout time.Duration
	// Logger, when set, receives a Warn record for every lost stream (the
	// same loss the subscriber gets as EventDisconnected), with the channel
	// and the error. Nil logs nothing.
	Logger *slog.Logger
	// RequestTimeout bounds each API call attempt (default DefaultRequestTimeout).
	RequestTimeout time.Duration
	// ReconnectDelayMin and ReconnectDelayMax bound the exponential backoff
	// between reconnect attempts. The jitter is "equal jitter": of each
	// attempt's delay d, d/2 is fixed and d/2 random, so a reconnect never
	// comes sooner than half the backoff step.
	ReconnectDelayMin time.Duration
	ReconnectDelayMax time.Duration
	// PublishAttempts is how many times Publish tries before giving up on
	// transient failures (default DefaultPublishAttempts). Every attempt of
	// one Publish carries the same idempotency key, so the server stores a
	// retried publication once.
	PublishAttempts int
	// Name and Version identify this client to the server in connect requests.
	Name    string
	Version string
}

// Transport is a client.Transport that publishes through Centrifugo's server
// HTTP API and subscribes through its unidirectional SSE endpoint. Each
// subscription owns one SSE stream with server-side subscription, recovery
// and reconnect.
//
// A Transport is safe for concurrent use.
type Transport struct {
	cfg    Config
	base   *url.URL
	hc     *http.Client
	ownHC  bool
	ctx    context.Context
	stop   context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	closed bool
	token  string // from Connect; Config.Token wins
}

var _ client.Transport = (*Transport)(nil)

// New validates cfg, applies defaults and returns a Transport. It does no I/O.
func New(cfg Config) (*Transport, error) {
	if cfg.URL == "" {
		return nil, errors.New("sse: config: URL is required")
	}
	base, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("sse: config: URL %q: %w", cfg.URL, err)
	}
	if base.Scheme != "http" && base.Scheme != "https" {
		return nil, fmt.Errorf("sse: config: URL %q: scheme must be http or https", cfg.URL)
	}
	if base.Host == "" {
		return nil, fmt.Errorf("sse: config: URL %q: host is missing", cfg.URL)
	}
	if cfg.HTTPClient != nil && cfg.HTTPClient.Timeout != 0 {
		return nil, errors.New("sse: config: HTTPClient.Timeout must be zero: streams are long-lived, use RequestTimeout")
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"PingTimeout", cfg.PingTimeout}, {"MaxPingDelay", cfg.MaxPingDelay},
		{"ConnectTimeout", cfg.ConnectTimeout}, {"RequestTimeout", cfg.RequestTimeout},
		{"ReconnectDelayMin", cfg.ReconnectDelayMin}, {"ReconnectDelayMax", cfg.ReconnectDelayMax},
	} {
		if d.v < 0 {
			return nil, fmt.Errorf("sse: config: %s is %v, want >= 0", d.name, d.v)
		}
	}
	if cfg.Buffer < 0 || cfg.MaxFrameSize < 0 || cfg.PublishAttempts < 0 {
		return nil, errors.New("sse: config: Buffer, MaxFrameSize and PublishAttempts must be >= 0")
	}
	setDefault(&cfg.SSEPath, DefaultSSEPath)
	setDefault(&cfg.APIPath, DefaultAPIPath)
	setDefault(&cfg.Buffer, DefaultBuffer)
	setDefault(&cfg.MaxFrameSize, DefaultMaxFrameSize)
	setDefault(&cfg.MaxPingDelay, DefaultMaxPingDelay)
	setDefault(&cfg.ConnectTimeout, DefaultConnectTimeout)
	setDefault(&cfg.RequestTimeout, DefaultRequestTimeout)
	setDefault(&cfg.ReconnectDelayMin, DefaultReconnectDelayMin)
	setDefault(&cfg.ReconnectDelayMax, DefaultReconnectDelayMax)
	setDefault(&cfg.PublishAttempts, DefaultPublishAttempts)
	if cfg.ReconnectDelayMax < cfg.ReconnectDelayMin {
		cfg.ReconnectDelayMax = cfg.ReconnectDelayMin
	}
	base.Path = strings.TrimSuffix(base.Path, "/")
	t := &Transport{cfg: cfg, base: base, hc: cfg.HTTPClient}
	if t.hc == nil {
		t.ownHC = true
		t.hc = &http.Client{Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:          64,
			MaxIdleConnsPerHost:   16,
			IdleConnTimeout:       30 * time.Second,
			ResponseHeaderTimeout: cfg.ConnectTimeout,
		}}
	}
	t.ctx, t.stop = context.WithCancel(context.Background())
	return t, nil
}

func setDefault[T comparable](p *T, def T) {
	var zero T
	if *p == zero {
		*p = def
	}
}

// Connect checks that the transport is usable. HTTP needs no standing
// connection: every subscription opens its own stream in Subscribe. token,
// when not empty, is the connection token of the streams opened afterwards,
// unless Config.Token is set: the configured function wins.
func (t *Transport) Connect(ctx context.Context, token string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return ErrClosed
	}
	if token != "" {
		t.token = token
	}
	return nil
}

// connectToken returns the token Connect was given.
func (t *Transport) connectToken() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.token
}

// Close ends every subscription (their channels are closed), waits for their
// goroutines and releases idle connections. It is idempotent.
func (t *Transport) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	t.mu.Unlock()
	t.stop()
	t.wg.Wait()
	if t.ownHC {
		t.hc.CloseIdleConnections()
	}
	return nil
}

func (t *Transport) endpoint(path string) string {
	u := *t.base
	u.Path = t.base.Path + path
	return u.String()
}

// Subscribe opens an SSE stream subscribed server-side to channel and returns
// once the server confirmed the subscription (or failed to). ctx bounds only
// this setup; the subscription lives until cancel is called or the Transport
// is closed. Publications recovered on subscribe (opts.Since,
// opts.FromSequence) are delivered first, in order.
func (t *Transport) Subscribe(ctx context.Context, channel string, opts client.SubscribeOptions) (<-chan []byte, func(), error) {
	if channel == "" {
		return nil, nil, errors.New("sse: subscribe: channel is empty")
	}
	if opts.FromSequence < 0 {
		return nil, nil, fmt.Errorf("sse: subscribe %q: FromSequence is %d, want >= 0", channel, opts.FromSequence)
	}
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil, nil, ErrClosed
	}
	s := newStream(t, channel, opts)
	t.wg.Add(1)
	t.mu.Unlock()

	ready := make(chan error, 1)
	go func() {
		defer t.wg.Done()
		s.run(ready)
	}()
	select {
	case err := <-ready:
		if err != nil {
			return nil, nil, fmt.Errorf("sse: subscribe %q: %w", channel, err)
		}
	case <-ctx.Done():
		s.cancel()
		<-s.done
		return nil, nil, fmt.Errorf("sse: subscribe %q: %w", channel, ctx.Err())
	}
	return s.out, s.cancel, nil
}
