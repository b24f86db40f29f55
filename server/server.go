package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/centrifugal/centrifuge"

	"github.com/parsec-gen/parsec-gen/runtime/registry"
)

// WebsocketPath is the path the server serves the centrifuge WebSocket
// protocol on, the same path Centrifugo uses.
const WebsocketPath = "/connection/websocket"

// Defaults applied by Start for zero Config fields.
const (
	DefaultHistorySize  = 1000
	DefaultHistoryTTL   = 10 * time.Minute
	DefaultPingInterval = 25 * time.Second
	DefaultPongTimeout  = 10 * time.Second
	// DefaultMessageSizeLimit matches the WebSocket transport's default
	// envelope limit, so an envelope the transport lets through is not
	// refused by the server.
	DefaultMessageSizeLimit = 1 << 20
)

// Config configures an embedded server. The zero value is usable: a loopback
// listener on a free port, a random secret, memory broker and presence.
type Config struct {
	// Addr is the TCP address to listen on; it must be a loopback address.
	// Empty means "127.0.0.1:0" (a free port). Restart a server on the same
	// address to make clients reconnect to it.
	Addr string
	// Secret is the HMAC-SHA256 key for connection tokens. Empty means a
	// random 32-byte key, readable through Server.Secret.
	Secret []byte
	// APIKey authenticates the server HTTP API (APIPath: publish, history,
	// presence), sent in the X-API-Key header as to Centrifugo. Empty means a
	// random key, readable through Server.APIKey.
	APIKey string
	// TokenLeeway is the clock skew allowed when checking a token's "exp"
	// and "nbf": a token is accepted from nbf-TokenLeeway to exp+TokenLeeway.
	// Zero means none, as in Centrifugo.
	TokenLeeway time.Duration
	// HistorySize is how many publications each channel keeps for recovery
	// and history queries. Zero means DefaultHistorySize.
	HistorySize int
	// HistoryTTL is how long an idle channel's history is kept. Zero means
	// DefaultHistoryTTL.
	HistoryTTL time.Duration
	// PingInterval is how often the server pings each connection; a client
	// that sees no ping for PingInterval plus its own delay tolerance
	// considers the connection lost. It must be a whole number of seconds (the
	// protocol announces it in seconds). Zero means DefaultPingInterval.
	PingInterval time.Duration
	// PongTimeout is how long the server waits for a pong before closing a
	// connection. It must be less than PingInterval. Zero means
	// DefaultPongTimeout, capped below PingInterval.
	PongTimeout time.Duration
	// MessageSizeLimit caps an incoming WebSocket message in bytes. Zero means
	// DefaultMessageSizeLimit.
	MessageSizeLimit int
	// RedisAddr, when set ("host:port"), makes the node use Redis as broker and
	// presence manager so several nodes share channels, history and presence.
	RedisAddr string
	// Name identifies the node in logs. Empty means "parsec-embedded".
	Name string
	// Logf, when set, receives the node's warnings and errors.
	Logf func(format string, args ...any)
	// Registry is the schema registry served at RegistryPrefix; its changes
	// are published on registry.ChangeChannel. Nil means an empty registry,
	// readable through Server.Registry. A registry is served by one server.
	Registry *Registry
	// RegistryPrefix is the HTTP path of the registry. Empty means
	// registry.DefaultPrefix ("/parsec/schemas").
	RegistryPrefix string
}

// Server is a running embedded node. Its methods are safe for concurrent use.
type Server struct {
	cfg    Config
	node   *centrifuge.Node
	ln     net.Listener
	http   *http.Server
	served chan error

	closeOnce sync.Once
	closeErr  error
}

// Start runs a node as configured and serves it until Close. ctx bounds the
// start-up only.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	if err := applyDefaults(&cfg); err != nil {
		return nil, err
	}
	node, err := centrifuge.New(centrifuge.Config{
		Name:           cfg.Name,
		LogLevel:       centrifuge.LogLevelWarn,
		LogHandler:     logHandler(cfg.Logf),
		HistoryMetaTTL: 24 * time.Hour,
	})
	if err != nil {
		return nil, fmt.Errorf("server: new node: %w", err)
	}
	if cfg.RedisAddr != "" {
		if err := useRedis(node, cfg); err != nil {
			return nil, err
		}
	}
	s := &Server{cfg: cfg, node: node, served: make(chan error, 1)}
	node.OnConnecting(s.onConnecting)
	node.OnConnect(s.onConnect)
	if err := node.Run(); err != nil {
		return nil, fmt.Errorf("server: run node: %w", err)
	}

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", cfg.Addr)
	if err != nil {
		// The node has no connections yet; its shutdown error adds nothing to
		// the listen error the caller needs.
		_ = node.Shutdown(context.Background())
		return nil, fmt.Errorf("server: listen on %q: %w", cfg.Addr, err)
	}
	s.ln = ln
	mux := http.NewServeMux()
	mux.HandleFunc(APIPath+"/", s.serveAPI)
	mux.Handle(WebsocketPath, centrifuge.NewWebsocketHandler(node, centrifuge.WebsocketConfig{
		MessageSizeLimit: cfg.MessageSizeLimit,
		PingPongConfig: centrifuge.PingPongConfig{
			PingInterval: cfg.PingInterval,
			PongTimeout:  cfg.PongTimeout,
		},
	}))
	s.attachRegistry(mux, cfg.Registry, cfg.RegistryPrefix)
	s.http = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { s.served <- s.http.Serve(ln) }()
	return s, nil
}

func applyDefaults(cfg *Config) error {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return fmt.Errorf("server: config Addr %q: %w", cfg.Addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("server: config Addr %q: want a loopback address", cfg.Addr)
	}
	if len(cfg.Secret) == 0 {
		cfg.Secret = make([]byte, 32)
		if _, err := rand.Read(cfg.Secret); err != nil {
			return fmt.Errorf("server: random secret: %w", err)
		}
	}
	if cfg.APIKey == "" {
		key := make([]byte, 16)
		if _, err := rand.Read(key); err != nil {
			return fmt.Errorf("server: random API key: %w", err)
		}
		cfg.APIKey = hex.EncodeToString(key)
	}
	if cfg.HistorySize == 0 {
		cfg.HistorySize = DefaultHistorySize
	}
	if cfg.HistorySize < 0 {
		return fmt.Errorf("server: config HistorySize %d: want >= 0", cfg.HistorySize)
	}
	if cfg.HistoryTTL == 0 {
		cfg.HistoryTTL = DefaultHistoryTTL
	}
	if cfg.PingInterval == 0 {
		cfg.PingInterval = DefaultPingInterval
	}
	if cfg.PingInterval < time.Second || cfg.PingInterval%time.Second != 0 {
		// The protocol tells clients the interval in whole seconds.
		return fmt.Errorf("server: config PingInterval %s: want a whole number of seconds", cfg.PingInterval)
	}
	if cfg.PongTimeout == 0 {
		cfg.PongTimeout = min(DefaultPongTimeout, cfg.PingInterval/2)
	}
	if cfg.PongTimeout >= cfg.PingInterval {
		return fmt.Errorf("server: config PongTimeout %s: want less than PingInterval %s", cfg.PongTimeout, cfg.PingInterval)
	}
	if cfg.Name == "" {
		cfg.Name = "parsec-embedded"
	}
	if cfg.MessageSizeLimit == 0 {
		cfg.MessageSizeLimit = DefaultMessageSizeLimit
	}
	if cfg.RegistryPrefix == "" {
		cfg.RegistryPrefix = registry.DefaultPrefix
	}
	if !strings.HasPrefix(cfg.RegistryPrefix, "/") || cfg.RegistryPrefix == WebsocketPath {
		return fmt.Errorf("server: config RegistryPrefix %q: want a path starting with / other than %s", cfg.RegistryPrefix, WebsocketPath)
	}
	if cfg.Registry == nil {
		cfg.Registry = &Registry{now: time.Now, patterns: map[string]*registered{}}
	}
	cfg.Registry.mu.Lock()
	owned := cfg.Registry.publish != nil
	cfg.Registry.mu.Unlock()
	if owned {
		return errRegistryOwned
	}
	return nil
}

func useRedis(node *centrifuge.Node, cfg Config) error {
	shard, err := centrifuge.NewRedisShard(node, centrifuge.RedisShardConfig{Address: cfg.RedisAddr})
	if err != nil {
		return fmt.Errorf("server: redis %q: %w", cfg.RedisAddr, err)
	}
	broker, err := centrifuge.NewRedisBroker(node, centrifuge.RedisBrokerConfig{Shards: []*centrifuge.RedisShard{shard}})
	if err != nil {
		return fmt.Errorf("server: redis broker: %w", err)
	}
	presence, err := centrifuge.NewRedisPresenceManager(node, centrifuge.RedisPresenceManagerConfig{Shards: []*centrifuge.RedisShard{shard}})
	if err != nil {
		return fmt.Errorf("server: redis presence: %w", err)
	}
	node.SetBroker(broker)
	node.SetPresenceManager(presence)
	return nil
}

func logHandler(logf func(string, ...any)) centrifuge.LogHandler {
	if logf == nil {
		return nil
	}
	return func(e centrifuge.LogEntry) { logf("centrifuge: %s %v", e.Message, e.Fields) }
}

func (s *Server) onConnecting(_ context.Context, e centrifuge.ConnectEvent) (centrifuge.ConnectReply, error) {
	c, err := verifyToken(s.cfg.Secret, e.Token, time.Now(), s.cfg.TokenLeeway)
	if errors.Is(err, errExpired) {
		return centrifuge.ConnectReply{}, centrifuge.ErrorTokenExpired
	}
	if err != nil {
		return centrifuge.ConnectReply{}, centrifuge.DisconnectInvalidToken
	}
	return centrifuge.ConnectReply{
		// Info is what other clients see of this connection (presence
		// conn_info, publication info), as with Centrifugo's "info" claim.
		Credentials:       &centrifuge.Credentials{UserID: c.User, ExpireAt: expireAt(c, s.cfg.TokenLeeway), Info: c.Info},
		ClientSideRefresh: true,
	}, nil
}

func (s *Server) onConnect(client *centrifuge.Client) {
	user := client.UserID()
	client.OnRefresh(func(e centrifuge.RefreshEvent, cb centrifuge.RefreshCallback) {
		c, err := verifyToken(s.cfg.Secret, e.Token, time.Now(), s.cfg.TokenLeeway)
		if errors.Is(err, errExpired) {
			cb(centrifuge.RefreshReply{}, centrifuge.ErrorTokenExpired)
			return
		}
		if err != nil || c.User != user {
			cb(centrifuge.RefreshReply{}, centrifuge.DisconnectInvalidToken)
			return
		}
		cb(centrifuge.RefreshReply{ExpireAt: expireAt(c, s.cfg.TokenLeeway), Info: c.Info}, nil)
	})
	client.OnSubscribe(func(_ centrifuge.SubscribeEvent, cb centrifuge.SubscribeCallback) {
		cb(centrifuge.SubscribeReply{Options: centrifuge.SubscribeOptions{
			EnablePositioning: true,
			EnableRecovery:    true,
			EmitPresence:      true,
		}}, nil)
	})
	client.OnPublish(func(e centrifuge.PublishEvent, cb centrifuge.PublishCallback) {
		cb(centrifuge.PublishReply{Options: centrifuge.PublishOptions{
			HistorySize: s.cfg.HistorySize,
			HistoryTTL:  s.cfg.HistoryTTL,
			// Like Centrifugo: subscribers see who published (user,
			// client, conn_info) in the publication's info.
			ClientInfo: e.ClientInfo,
		}}, nil)
	})
	client.OnHistory(func(_ centrifuge.HistoryEvent, cb centrifuge.HistoryCallback) {
		cb(centrifuge.HistoryReply{}, nil)
	})
	client.OnPresence(func(_ centrifuge.PresenceEvent, cb centrifuge.PresenceCallback) {
		cb(centrifuge.PresenceReply{}, nil)
	})
	client.OnPresenceStats(func(_ centrifuge.PresenceStatsEvent, cb centrifuge.PresenceStatsCallback) {
		cb(centrifuge.PresenceStatsReply{}, nil)
	})
}

// Registry is the schema registry the server serves.
func (s *Server) Registry() *Registry { return s.cfg.Registry }

// RegistryURL is the HTTP URL of the registry's snapshot.
func (s *Server) RegistryURL() string { return "http://" + s.Addr() + s.cfg.RegistryPrefix }

// Addr is the address the server listens on, such as "127.0.0.1:40123".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL is the WebSocket endpoint clients connect to.
func (s *Server) URL() string { return "ws://" + s.Addr() + WebsocketPath }

// HTTPURL is the server's base HTTP URL, such as "http://127.0.0.1:40123":
// the URL runtime/transport/sse publishes through (its HTTP API under
// APIPath). The embedded server does not serve the unidirectional SSE
// endpoint, so that transport can publish, read history and presence here
// but not subscribe.
func (s *Server) HTTPURL() string { return "http://" + s.Addr() }

// APIKey is the key the HTTP API accepts in the X-API-Key header.
func (s *Server) APIKey() string { return s.cfg.APIKey }

// Secret is the HMAC key the server verifies connection tokens with.
func (s *Server) Secret() []byte { return append([]byte(nil), s.cfg.Secret...) }

// Token returns a connection token for user, valid for ttl (forever when
// ttl <= 0).
func (s *Server) Token(user string, ttl time.Duration) (string, error) {
	if user == "" {
		return "", errors.New("server: token: empty user")
	}
	return SignToken(s.cfg.Secret, user, ttl, time.Now())
}

// TokenWithClaims returns a connection token carrying c, for example with
// connection info that presence and publication info show.
func (s *Server) TokenWithClaims(c TokenClaims) (string, error) {
	if c.User == "" {
		return "", errors.New("server: token: empty user")
	}
	return SignTokenClaims(s.cfg.Secret, c)
}

// Publish publishes data to channel from the server side, keeping it in the
// channel's history, and returns its stream position.
func (s *Server) Publish(channel string, data []byte) (offset uint64, epoch string, err error) {
	res, err := s.node.Publish(channel, data, centrifuge.WithHistory(s.cfg.HistorySize, s.cfg.HistoryTTL))
	if err != nil {
		return 0, "", fmt.Errorf("server: publish to %q: %w", channel, err)
	}
	return res.Offset, res.Epoch, nil
}

// StreamTop returns the current position of channel's stream.
func (s *Server) StreamTop(channel string) (offset uint64, epoch string, err error) {
	res, err := s.node.History(channel)
	if err != nil {
		return 0, "", fmt.Errorf("server: stream top of %q: %w", channel, err)
	}
	return res.Offset, res.Epoch, nil
}

// Disconnect closes every connection of user. With reconnect the clients are
// told to reconnect (and recover their subscriptions); without it they are
// told not to.
func (s *Server) Disconnect(user string, reconnect bool) error {
	d := centrifuge.DisconnectForceNoReconnect
	if reconnect {
		d = centrifuge.DisconnectForceReconnect
	}
	if err := s.node.Disconnect(user, centrifuge.WithCustomDisconnect(d)); err != nil {
		return fmt.Errorf("server: disconnect %q: %w", user, err)
	}
	return nil
}

// Node exposes the underlying centrifuge node for tests that need more than
// this API.
func (s *Server) Node() *centrifuge.Node { return s.node }

// Close stops accepting connections, disconnects clients (telling them to
// reconnect, as on a restart) and shuts the node down. ctx bounds the wait.
// Close is idempotent.
func (s *Server) Close(ctx context.Context) error {
	s.closeOnce.Do(func() {
		s.cfg.Registry.detach()
		// Node shutdown disconnects every client with a reconnect advice; the
		// HTTP server then only has hijacked connections left, which it does
		// not track, so Shutdown returns once the listener is closed.
		errNode := s.node.Shutdown(ctx)
		errHTTP := s.http.Shutdown(ctx)
		if err := <-s.served; !errors.Is(err, http.ErrServerClosed) {
			errHTTP = errors.Join(errHTTP, err)
		}
		if errNode != nil || errHTTP != nil {
			s.closeErr = fmt.Errorf("server: close: %w", errors.Join(errNode, errHTTP))
		}
	})
	return s.closeErr
}
