package sse

import (
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// NewTransport with options builds the same Transport configuration as New
// with the equivalent Config, defaults and checks included.
func TestNewTransportOptionsMatchConfig(t *testing.T) {
	hc := &http.Client{}
	logger := slog.Default()
	tok := func(context.Context, string) (string, error) { return "t", nil }
	byOpts, err := NewTransport("http://127.0.0.1:8000",
		WithAPIKey("key"), WithTokenFunc(tok), WithHTTPClient(hc), WithPaths("/sse", ""),
		WithBuffer(8), WithMaxFrameSize(1024), WithPingTimeout(3*time.Second), WithMaxPingDelay(time.Second),
		WithConnectTimeout(2*time.Second), WithRequestTimeout(4*time.Second),
		WithReconnectDelay(10*time.Millisecond, time.Second), WithPublishAttempts(5),
		WithName("billing", "1.2"), WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	byConfig, err := New(Config{
		URL: "http://127.0.0.1:8000", APIKey: "key", Token: tok, HTTPClient: hc, SSEPath: "/sse",
		Buffer: 8, MaxFrameSize: 1024, PingTimeout: 3 * time.Second, MaxPingDelay: time.Second,
		ConnectTimeout: 2 * time.Second, RequestTimeout: 4 * time.Second,
		ReconnectDelayMin: 10 * time.Millisecond, ReconnectDelayMax: time.Second, PublishAttempts: 5,
		Name: "billing", Version: "1.2", Logger: logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(byConfig.cfg, byOpts.cfg, cmpopts.IgnoreFields(Config{}, "Token", "HTTPClient", "Logger")); diff != "" {
		t.Fatalf("options and Config differ (-config +options):\n%s", diff)
	}
	if byOpts.cfg.HTTPClient != hc || byOpts.cfg.Logger != logger || byOpts.cfg.Token == nil {
		t.Fatal("NewTransport dropped the HTTP client, the logger or the token function")
	}
	if byOpts.cfg.APIPath != DefaultAPIPath {
		t.Fatalf("an empty API path: %q, want the default %q", byOpts.cfg.APIPath, DefaultAPIPath)
	}

	static, err := NewTransport("http://127.0.0.1:8000", WithToken("fixed"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := static.cfg.Token(context.Background(), "any"); got != "fixed" || err != nil {
		t.Fatalf("WithToken: %q, %v; want the fixed token", got, err)
	}
	// The checks are New's.
	if _, err := NewTransport("http://127.0.0.1:8000", WithRequestTimeout(-time.Second)); err == nil {
		t.Fatal("a negative timeout passed")
	}
	if _, err := NewTransport(""); err == nil {
		t.Fatal("an empty URL passed")
	}
}
