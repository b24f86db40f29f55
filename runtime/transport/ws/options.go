package ws

import (
	"cmp"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	centrifuge "github.com/centrifugal/centrifuge-go"
)

// LogLevel is centrifuge-go's log level, for WithLogHandler.
type LogLevel = centrifuge.LogLevel

// LogEntry is one log entry of centrifuge-go, for WithLogHandler.
type LogEntry = centrifuge.LogEntry

// Log levels for WithLogHandler. centrifuge-go has two: debug, and trace,
// which adds every frame sent and received (tokens included) and costs
// performance; use it only while developing.
const (
	LogLevelDebug = centrifuge.LogLevelDebug
	LogLevelTrace = centrifuge.LogLevelTrace
)

// Default WebSocket timeouts of a Transport, beside DefaultReadTimeout.
const (
	DefaultWriteTimeout = time.Second
)

// dialConfig is what a Transport passes through to every centrifuge-go
// connection it opens (the first and any extra one for a channel subscribed
// twice): how to reach the server and what to log.
type dialConfig struct {
	tlsConfig        *tls.Config
	header           http.Header
	netDialContext   func(ctx context.Context, network, addr string) (net.Conn, error)
	proxy            func(*http.Request) (*url.URL, error)
	cookieJar        http.CookieJar
	writeTimeout     time.Duration
	handshakeTimeout time.Duration // 0: the read timeout
	logLevel         LogLevel
	logHandler       func(LogEntry)
}

// WithTLSConfig sets the TLS configuration of wss:// connections: the roots
// to trust (RootCAs), a client certificate for mutual TLS (Certificates or
// GetClientCertificate), ServerName. The transport does not change it; do
// not change it after New. Default: the system's roots.
func WithTLSConfig(cfg *tls.Config) Option {
	return func(c *config) { c.dial.tlsConfig = cfg }
}

// WithHeader adds HTTP headers to the WebSocket upgrade request of every
// connection, for a proxy or gateway in front of the server (an API key, a
// routing header). Several WithHeader options add up; the values are copied.
func WithHeader(h http.Header) Option {
	return func(c *config) {
		if c.dial.header == nil {
			c.dial.header = http.Header{}
		}
		for k, vs := range h {
			for _, v := range vs {
				c.dial.header.Add(k, v)
			}
		}
	}
}

// WithNetDialContext sets the function that opens the TCP connections (a
// custom dialer: a local address, a SOCKS or in-process tunnel, a test
// listener). Default: a net.Dialer's DialContext.
func WithNetDialContext(dial func(ctx context.Context, network, addr string) (net.Conn, error)) Option {
	return func(c *config) { c.dial.netDialContext = dial }
}

// WithProxy sets the function that picks the HTTP proxy for the upgrade
// request, as http.Transport's Proxy does; a nil URL means no proxy.
// Default: http.ProxyFromEnvironment (HTTPS_PROXY, NO_PROXY, ...).
func WithProxy(proxy func(*http.Request) (*url.URL, error)) Option {
	return func(c *config) { c.dial.proxy = proxy }
}

// WithCookieJar sets the cookie jar whose cookies the upgrade request sends
// (and which stores the ones its response sets).
func WithCookieJar(jar http.CookieJar) Option {
	return func(c *config) { c.dial.cookieJar = jar }
}

// WithWriteTimeout bounds each WebSocket write. Zero means
// DefaultWriteTimeout.
func WithWriteTimeout(d time.Duration) Option {
	return func(c *config) { c.dial.writeTimeout = d }
}

// WithHandshakeTimeout bounds the WebSocket handshake (TCP, TLS and the
// upgrade). Default: the read timeout (WithReadTimeout).
func WithHandshakeTimeout(d time.Duration) Option {
	return func(c *config) { c.dial.handshakeTimeout = d }
}

// WithLogHandler passes centrifuge-go's log entries at level and above to h.
// centrifuge-go calls h from a goroutine of its own and drops entries when h
// falls behind by more than 256. Default: no logging.
func WithLogHandler(level LogLevel, h func(LogEntry)) Option {
	return func(c *config) { c.dial.logLevel, c.dial.logHandler = level, h }
}

// check reports a dial option that cannot work.
func (d dialConfig) check() error {
	if d.writeTimeout < 0 || d.handshakeTimeout < 0 {
		return fmt.Errorf("ws transport: timeouts must not be negative (write %s, handshake %s)", d.writeTimeout, d.handshakeTimeout)
	}
	if d.logHandler != nil && d.logLevel == centrifuge.LogLevelNone {
		return fmt.Errorf("ws transport: WithLogHandler needs a level (LogLevelDebug or LogLevelTrace)")
	}
	return nil
}

// apply copies the dial options into the centrifuge-go configuration.
func (d dialConfig) apply(cc *centrifuge.Config) {
	cc.TLSConfig = d.tlsConfig
	cc.Header = d.header
	cc.NetDialContext = d.netDialContext
	cc.Proxy = d.proxy
	cc.CookieJar = d.cookieJar
	cc.WriteTimeout = cmp.Or(d.writeTimeout, DefaultWriteTimeout)
	if d.handshakeTimeout > 0 {
		cc.HandshakeTimeout = d.handshakeTimeout
	}
	if d.logHandler != nil {
		cc.LogLevel, cc.LogHandler = d.logLevel, d.logHandler
	}
}
