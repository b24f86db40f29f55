// Package centrifugotest runs real Centrifugo v6 and redis-server processes
// for integration tests: each on a free loopback port, with a generated
// configuration in the test's temporary directory, stopped and restarted on
// demand, their logs shown in the test log when the test fails. It also mints
// HS256 connection tokens and calls the server HTTP API.
//
// The Centrifugo binary comes from $PARSEC_CENTRIFUGO (the Makefile exports
// it) or <repository>/bin/centrifugo (`make centrifugo`); redis-server from
// $PARSEC_REDIS_SERVER or $PATH (`make redis`). When one is missing the test
// is skipped, except in CI (CI=true), where it fails.
package centrifugotest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Bounds of process management. Waits poll a condition until a deadline.
const (
	startTimeout = 20 * time.Second
	stopTimeout  = 5 * time.Second
	// shutdownTimeout bounds Centrifugo's own graceful shutdown.
	shutdownTimeout = 2 * time.Second
	pollEvery       = 25 * time.Millisecond
)

// Namespace configures one Centrifugo channel namespace.
type Namespace struct {
	Name string
	// HistorySize and HistoryTTL enable history (both must be set).
	HistorySize int
	HistoryTTL  time.Duration
	// ForceRecovery and ForcePositioning apply to every subscription, which
	// server-side subscriptions of unidirectional transports need.
	ForceRecovery    bool
	ForcePositioning bool
	Presence         bool
	// AllowSubscribeForClient lets a client with a valid token subscribe
	// without listing the channel in its token.
	AllowSubscribeForClient bool
	AllowPublishForClient   bool
	AllowHistoryForClient   bool
	AllowPresenceForClient  bool
}

// DefaultNamespace is the "parsec" namespace most tests use: history of 1000
// publications for five minutes, forced recovery and positioning, presence,
// and client-side subscribe/publish/history/presence permissions.
func DefaultNamespace() Namespace {
	return Namespace{
		Name: "parsec", HistorySize: 1000, HistoryTTL: 5 * time.Minute,
		ForceRecovery: true, ForcePositioning: true, Presence: true,
		AllowSubscribeForClient: true, AllowPublishForClient: true,
		AllowHistoryForClient: true, AllowPresenceForClient: true,
	}
}

// Options configures a Centrifugo process. The zero value is usable: one
// DefaultNamespace, memory engine, pings every 2s.
type Options struct {
	Namespaces []Namespace
	// RedisAddr, when set, selects the redis engine at this host:port, so
	// several nodes share history, recovery and presence.
	RedisAddr string
	// PingInterval and PongTimeout set the server's client pings
	// (default 2s and 1s; PongTimeout must stay below PingInterval).
	PingInterval time.Duration
	PongTimeout  time.Duration
	// ClientQueueMaxSize bounds the bytes queued per client connection before
	// the server disconnects it as slow (0: Centrifugo's default, 1 MiB).
	ClientQueueMaxSize int
	// Client is merged into the generated "client" section, for settings
	// without a field here (for example "expired_close_delay").
	Client map[string]any
	// LogLevel is Centrifugo's log level (default "info").
	LogLevel string
	// Extra is merged into the top level of the generated configuration.
	Extra map[string]any
}

// Centrifugo is one Centrifugo process under test control.
type Centrifugo struct {
	// URL is the base HTTP URL, e.g. "http://127.0.0.1:41234".
	URL string
	// Addr is the host:port the server listens on.
	Addr string
	// APIKey authenticates the server HTTP API (X-API-Key header).
	APIKey string
	// Secret is the HMAC key connection tokens are signed with.
	Secret string

	t      testing.TB
	bin    string
	config string
	log    *syncBuffer
	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	starts int
}

// Require returns the absolute path of the binary named by env, or found by
// fallback, or ends the test: a failure in CI (CI=true), a skip elsewhere,
// with how to get it.
func Require(t testing.TB, what, env, fallback, howto string) string {
	t.Helper()
	if p := os.Getenv(env); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if fallback != "" {
		if p, err := exec.LookPath(fallback); err == nil {
			return p
		}
	}
	msg := fmt.Sprintf("%s not found ($%s unset or missing, no fallback): run %s", what, env, howto)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// Binary returns the Centrifugo binary, see Require.
func Binary(t testing.TB) string {
	t.Helper()
	return Require(t, "centrifugo", "PARSEC_CENTRIFUGO", repoBin("centrifugo"), "`make centrifugo`")
}

// repoBin finds <repository>/bin/name by walking up from the working
// directory; it returns "" when there is none.
func repoBin(name string) string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		p := filepath.Join(dir, "bin", name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if err := ln.Close(); err != nil {
		t.Fatalf("free port: %v", err)
	}
	return port
}

// Start writes a configuration for opts into t.TempDir(), starts Centrifugo
// on a free loopback port and waits until its health endpoint answers. The
// process is stopped when the test ends; its log is printed if the test
// failed.
func Start(t testing.TB, opts Options) *Centrifugo {
	t.Helper()
	bin := Binary(t)
	port := FreePort(t)
	c := &Centrifugo{
		Addr:   net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		APIKey: "test-api-key",
		Secret: "test-hmac-secret-0123456789abcdef",
		t:      t,
		bin:    bin,
		log:    &syncBuffer{},
	}
	c.URL = "http://" + c.Addr
	cfg, err := json.MarshalIndent(c.configMap(port, opts), "", "  ")
	if err != nil {
		t.Fatalf("centrifugo config: %v", err)
	}
	c.config = filepath.Join(t.TempDir(), "centrifugo.json")
	if err := os.WriteFile(c.config, cfg, 0o600); err != nil {
		t.Fatalf("centrifugo config: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Errorf("stop centrifugo: %v", err)
		}
		if t.Failed() {
			t.Logf("centrifugo %s log:\n%s", c.Addr, c.log.String())
		}
	})
	if err := c.start(); err != nil {
		t.Fatalf("start centrifugo: %v\nlog:\n%s", err, c.log.String())
	}
	return c
}

func (c *Centrifugo) configMap(port int, opts Options) map[string]any {
	ping, pong := opts.PingInterval, opts.PongTimeout
	if ping == 0 {
		ping = 2 * time.Second
	}
	if pong == 0 {
		pong = min(time.Second, ping/2)
	}
	level := opts.LogLevel
	if level == "" {
		level = "info"
	}
	nss := opts.Namespaces
	if len(nss) == 0 {
		nss = []Namespace{DefaultNamespace()}
	}
	var nsCfg []map[string]any
	for _, ns := range nss {
		m := map[string]any{
			"name":                       ns.Name,
			"force_recovery":             ns.ForceRecovery,
			"force_positioning":          ns.ForcePositioning,
			"presence":                   ns.Presence,
			"allow_subscribe_for_client": ns.AllowSubscribeForClient,
			"allow_publish_for_client":   ns.AllowPublishForClient,
			"allow_history_for_client":   ns.AllowHistoryForClient,
			"allow_presence_for_client":  ns.AllowPresenceForClient,
		}
		if ns.HistorySize > 0 {
			m["history_size"] = ns.HistorySize
			m["history_ttl"] = ns.HistoryTTL.String()
		}
		nsCfg = append(nsCfg, m)
	}
	clientCfg := map[string]any{
		"token":           map[string]any{"hmac_secret_key": c.Secret},
		"ping_interval":   ping.String(),
		"pong_timeout":    pong.String(),
		"allowed_origins": []string{"*"},
	}
	if opts.ClientQueueMaxSize > 0 {
		clientCfg["queue_max_size"] = opts.ClientQueueMaxSize
	}
	for k, v := range opts.Client {
		clientCfg[k] = v
	}
	cfg := map[string]any{
		"http_server": map[string]any{"address": "127.0.0.1", "port": port},
		"log":         map[string]any{"level": level},
		"client":      clientCfg,
		"http_api":    map[string]any{"key": c.APIKey},
		"uni_sse":     map[string]any{"enabled": true},
		"health":      map[string]any{"enabled": true},
		"channel":     map[string]any{"namespaces": nsCfg},
		// A graceful shutdown waits for open streams (an SSE stream never
		// goes idle) up to this bound; keep it under stopTimeout so a stop
		// with a stalled subscriber still ends by itself.
		"shutdown": map[string]any{"timeout": shutdownTimeout.String()},
	}
	if opts.RedisAddr != "" {
		cfg["engine"] = map[string]any{
			"type":  "redis",
			"redis": map[string]any{"address": []string{"redis://" + opts.RedisAddr}},
		}
	}
	for k, v := range opts.Extra {
		cfg[k] = v
	}
	return cfg
}

func (c *Centrifugo) start() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cmd != nil {
		return errors.New("already running")
	}
	c.starts++
	fmt.Fprintf(c.log, "--- start #%d ---\n", c.starts)
	cmd := exec.Command(c.bin, "--config", c.config)
	cmd.Stdout = c.log
	cmd.Stderr = c.log
	cmd.Dir = filepath.Dir(c.config)
	// Own process group, so that no signal meant for the test reaches it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() {
		// The exit status is in the log; a stopped server exits non-zero.
		_ = cmd.Wait() // see above
		close(exited)
	}()
	c.cmd, c.exited = cmd, exited
	return waitHealthy(c.URL+"/health", exited)
}

// waitHealthy polls url until it answers 200, the process exits, or the
// start timeout passes.
func waitHealthy(url string, exited <-chan struct{}) error {
	hc := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(startTimeout)
	for {
		resp, err := hc.Get(url)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body) // draining is best effort
			_ = resp.Body.Close()                 // nothing to do about a close error
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-exited:
			return errors.New("process exited before it became healthy")
		case <-time.After(pollEvery):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not healthy within %v (last error: %v)", startTimeout, err)
		}
	}
}

// Stop sends SIGTERM and waits for the process to exit, then SIGKILL after a
// bound. Stopping a stopped server does nothing.
func (c *Centrifugo) Stop() error {
	return c.stop(syscall.SIGTERM)
}

// Kill ends the process at once with SIGKILL: no disconnect frames, no
// graceful shutdown.
func (c *Centrifugo) Kill() error {
	return c.stop(syscall.SIGKILL)
}

func (c *Centrifugo) stop(sig syscall.Signal) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cmd == nil {
		return nil
	}
	cmd, exited := c.cmd, c.exited
	c.cmd, c.exited = nil, nil
	return stopProcess(cmd, exited, sig)
}

func stopProcess(cmd *exec.Cmd, exited <-chan struct{}, sig syscall.Signal) error {
	select {
	case <-exited:
		return nil
	default:
	}
	if err := cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("signal %v: %w", sig, err)
	}
	select {
	case <-exited:
		return nil
	case <-time.After(stopTimeout):
	}
	if err := cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("kill after %v: %w", stopTimeout, err)
	}
	select {
	case <-exited:
		return fmt.Errorf("did not exit within %v of %v, killed", stopTimeout, sig)
	case <-time.After(stopTimeout):
		return fmt.Errorf("did not exit even after SIGKILL")
	}
}

// Restart stops the server (SIGTERM) and starts it again on the same port
// with the same configuration. With the memory engine the new process has
// new stream epochs.
func (c *Centrifugo) Restart() error {
	if err := c.Stop(); err != nil {
		return err
	}
	return c.Start()
}

// Start starts a stopped server again on the same port; it retries while the
// port is still held by the previous process.
func (c *Centrifugo) Start() error {
	var err error
	for range 5 {
		if err = c.start(); err == nil {
			return nil
		}
		if stopErr := c.Stop(); stopErr != nil {
			return errors.Join(err, stopErr)
		}
		time.Sleep(200 * time.Millisecond)
	}
	return err
}

// Log returns everything the process wrote so far.
func (c *Centrifugo) Log() string { return c.log.String() }

// API calls the server HTTP API method with req and decodes the response's
// result into result (which may be nil). A response error object becomes an
// error naming the method.
func (c *Centrifugo) API(ctx context.Context, method string, req, result any) error {
	body, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("api %s: %w", method, err)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL+"/api/"+method, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("api %s: %w", method, err)
	}
	hreq.Header.Set("X-API-Key", c.APIKey)
	hreq.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(hreq)
	if err != nil {
		return fmt.Errorf("api %s: %w", method, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("api %s: %w", method, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("api %s: http status %d: %s", method, resp.StatusCode, data)
	}
	var env struct {
		Error *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(data, &env); err != nil {
		return fmt.Errorf("api %s: decode %q: %w", method, data, err)
	}
	if env.Error != nil {
		return fmt.Errorf("api %s: error %d: %s", method, env.Error.Code, env.Error.Message)
	}
	if result != nil && len(env.Result) > 0 {
		if err := json.Unmarshal(env.Result, result); err != nil {
			return fmt.Errorf("api %s: decode result: %w", method, err)
		}
	}
	return nil
}

// DisconnectUser disconnects every connection of user with a reconnect code
// (3001 unless code is given), as an operator would.
func (c *Centrifugo) DisconnectUser(ctx context.Context, user string, code uint32, reason string) error {
	if code == 0 {
		code = 3001
	}
	req := map[string]any{"user": user, "disconnect": map[string]any{"code": code, "reason": reason}}
	return c.API(ctx, "disconnect", req, nil)
}

// syncBuffer is a bytes.Buffer safe for concurrent writers and readers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
