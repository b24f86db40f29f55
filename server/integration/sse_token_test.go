package integration

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/transport/sse"
	"github.com/parsec-gen/parsec-gen/server/internal/centrifugotest"
)

// Connection tokens that expire while streaming: a unidirectional client
// cannot refresh in place, so Centrifugo disconnects it (3005) and the
// transport reconnects with a fresh token, resuming without loss.
func TestSSETokenExpiry(t *testing.T) {
	const (
		messages = 200
		channel  = "parsec:sse-expiry"
		ttl      = 2 * time.Second
	)
	c := startCentrifugo(t, centrifugotest.Options{Client: map[string]any{"expired_close_delay": "100ms"}})
	var minted atomic.Int32
	tr := newSSE(t, c, c.URL, "sse-expiry", func(cfg *sse.Config) {
		cfg.Token = func(_ context.Context, ch string) (string, error) {
			minted.Add(1)
			return centrifugotest.SignHS256(c.Secret, centrifugotest.Claims{
				Sub: "sse-expiry", Exp: time.Now().Add(ttl).Unix(), Channels: []string{ch},
			})
		}
	})
	ta, _ := subscribe(t, tr, channel, client.SubscribeOptions{})
	pub := newSSE(t, c, c.URL, "pub", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// Spread the stream over more than one token lifetime.
	wait := background(t, func() error {
		return publishTicks(ctx, t, pub, channel, "p0", 1, messages, 3*ttl/(2*messages))
	})
	waitFor(t, 4*ttl, "the token to expire", func() bool { return ta.count(client.EventDisconnected) > 0 })
	wait()
	checkClean(t, "subscriber", ta, "p0", messages)
	var dis *sse.DisconnectError
	if e := ta.eventsOf(client.EventDisconnected)[0]; !errors.As(e.Err, &dis) || dis.Code != 3005 {
		t.Errorf("disconnect = %v, want the server's 3005 (connection expired)", e.Err)
	}
	if n := minted.Load(); n < 2 {
		t.Errorf("tokens minted = %d, want a fresh one per reconnect", n)
	}
	figures(t, "sse/token-expiry", messages, ta)
	t.Logf("FIGURES sse/token-expiry: tokens minted %d", minted.Load())
}
