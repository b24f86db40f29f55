package sse

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// Option configures a Transport made by NewTransport. The transports of
// this module share one configuration style, functional options
// (ws.Option, client.MemoryOption); an Option sets a field of Config, so
// Config and options describe the same settings, with the same defaults and
// checks (New's). Config stays for code that builds one.
type Option func(*Config)

// NewTransport returns a Transport for the Centrifugo server at url (for
// example "http://127.0.0.1:8000"), configured by opts. It is New with a
// Config whose URL is url and whose other fields the options set. It does
// no I/O.
func NewTransport(url string, opts ...Option) (*Transport, error) {
	cfg := Config{URL: url}
	for _, o := range opts {
		o(&cfg)
	}
	return New(cfg)
}

// WithAPIKey sets Config.APIKey, which authenticates Publish, History and
// Presence (the server HTTP API).
func WithAPIKey(key string) Option { return func(c *Config) { c.APIKey = key } }

// WithToken sets one connection token for every subscription stream, as
// ws.WithToken does. It wins over a token passed to Connect.
func WithToken(token string) Option {
	return func(c *Config) {
		c.Token = func(context.Context, string) (string, error) { return token, nil }
	}
}

// WithTokenFunc sets Config.Token, called before every connection attempt
// of a stream. It wins over a token passed to Connect.
func WithTokenFunc(f TokenFunc) Option { return func(c *Config) { c.Token = f } }

// WithHTTPClient sets Config.HTTPClient (its Timeout must be zero).
func WithHTTPClient(hc *http.Client) Option { return func(c *Config) { c.HTTPClient = hc } }

// WithPaths sets Config.SSEPath and Config.APIPath; an empty one keeps its
// default.
func WithPaths(ssePath, apiPath string) Option {
	return func(c *Config) { c.SSEPath, c.APIPath = ssePath, apiPath }
}

// WithBuffer sets Config.Buffer, the capacity of each subscription's
// delivery channel.
func WithBuffer(n int) Option { return func(c *Config) { c.Buffer = n } }

// WithMaxFrameSize sets Config.MaxFrameSize, the largest SSE event data
// delivered.
func WithMaxFrameSize(n int) Option { return func(c *Config) { c.MaxFrameSize = n } }

// WithPingTimeout sets Config.PingTimeout, how long a stream may stay
// silent before it is reconnected, as ws.WithPingTimeout does for the
// WebSocket transport.
func WithPingTimeout(d time.Duration) Option { return func(c *Config) { c.PingTimeout = d } }

// WithMaxPingDelay sets Config.MaxPingDelay.
func WithMaxPingDelay(d time.Duration) Option { return func(c *Config) { c.MaxPingDelay = d } }

// WithConnectTimeout sets Config.ConnectTimeout.
func WithConnectTimeout(d time.Duration) Option { return func(c *Config) { c.ConnectTimeout = d } }

// WithRequestTimeout sets Config.RequestTimeout, which bounds each API call
// attempt.
func WithRequestTimeout(d time.Duration) Option { return func(c *Config) { c.RequestTimeout = d } }

// WithReconnectDelay bounds the jittered exponential backoff between
// reconnection attempts (Config.ReconnectDelayMin and ReconnectDelayMax),
// as ws.WithReconnectDelay does.
func WithReconnectDelay(minDelay, maxDelay time.Duration) Option {
	return func(c *Config) { c.ReconnectDelayMin, c.ReconnectDelayMax = minDelay, maxDelay }
}

// WithPublishAttempts sets Config.PublishAttempts.
func WithPublishAttempts(n int) Option { return func(c *Config) { c.PublishAttempts = n } }

// WithName sets the client name and version the server sees (Config.Name
// and Config.Version).
func WithName(name, version string) Option {
	return func(c *Config) { c.Name, c.Version = name, version }
}

// WithLogger sets Config.Logger, which receives a Warn record for every
// lost stream, as ws.WithLogger does.
func WithLogger(l *slog.Logger) Option { return func(c *Config) { c.Logger = l } }
