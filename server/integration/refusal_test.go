package integration

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/transport/sse"
	"github.com/parsec-gen/parsec-gen/runtime/transport/ws"
	"github.com/parsec-gen/parsec-gen/server/internal/centrifugotest"
)

// refusalBound is how soon a refused Subscribe or Connect must fail: well
// below the caller's deadline, which a retry loop would run into.
const refusalBound = 5 * time.Second

// Server refusals reach the caller at once, naming the cause, on both
// transports: a namespace without history for clients (the WebSocket
// transport reads the stream position through it), a channel of an unknown
// namespace, a channel the connection may not subscribe to, a bad token.
func TestRefusalsSurfaceAtOnce(t *testing.T) {
	noHistory := centrifugotest.DefaultNamespace()
	noHistory.Name, noHistory.AllowHistoryForClient = "nohist", false
	closed := centrifugotest.DefaultNamespace()
	closed.Name, closed.AllowSubscribeForClient = "closed", false
	c := startCentrifugo(t, centrifugotest.Options{Namespaces: []centrifugotest.Namespace{centrifugotest.DefaultNamespace(), noHistory, closed}})
	wsURL := "ws://" + c.Addr + "/connection/websocket"
	token := func(user string) func(context.Context) (string, error) {
		return func(context.Context) (string, error) {
			return centrifugotest.SignHS256(c.Secret, centrifugotest.Claims{Sub: user, Exp: time.Now().Add(time.Hour).Unix()})
		}
	}

	// expect runs f with a deadline far above refusalBound and checks that
	// it failed within the bound with an error containing every want.
	expect := func(t *testing.T, what string, f func(ctx context.Context) error, want ...string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		start := time.Now()
		err := f(ctx)
		took := time.Since(start)
		if err == nil {
			t.Fatalf("%s succeeded, want a refusal", what)
		}
		if took > refusalBound {
			t.Errorf("%s failed after %v, want within %v: %v", what, took.Round(time.Millisecond), refusalBound, err)
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not name %q", what, err, w)
			}
		}
		t.Logf("FIGURES refusal/%s: failed after %v: %v", what, took.Round(time.Millisecond), err)
	}

	t.Run("ws", func(t *testing.T) {
		tr := dialWSCentrifugo(t, c, "refused")
		subscribe := func(channel string) func(ctx context.Context) error { return subscribeOnce(tr, channel) }
		expect(t, "ws/history-not-allowed", subscribe("nohist:a"), "permission denied", "allow_history_for_client")
		expect(t, "ws/unknown-namespace", subscribe("nosuch:a"), "unknown channel", "namespace")
		expect(t, "ws/subscribe-not-allowed", subscribe("closed:a"), "permission denied")
		expect(t, "ws/bad-token", func(ctx context.Context) error {
			bad, err := ws.New(wsURL, ws.WithTokenFunc(func(context.Context) (string, error) { return "not-a-token", nil }))
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := bad.Close(); err != nil {
					t.Error(err)
				}
			}()
			return bad.Connect(ctx, "")
		}, "invalid token")
	})
	t.Run("sse", func(t *testing.T) {
		tr := newSSE(t, c, c.URL, "refused", func(cfg *sse.Config) {
			// A token that lists no channel: the namespace decides.
			cfg.Token = func(context.Context, string) (string, error) { return token("refused")(context.Background()) }
		})
		subscribe := subscribeOnce
		expect(t, "sse/unknown-namespace", subscribe(tr, "nosuch:a"), "nosuch:a", "namespace")
		expect(t, "sse/subscribe-not-allowed", subscribe(tr, "closed:a"), "closed:a", "allow_subscribe_for_client")
		bad := newSSE(t, c, c.URL, "refused", func(cfg *sse.Config) {
			cfg.Token = func(context.Context, string) (string, error) { return "not-a-token", nil }
		})
		expect(t, "sse/bad-token", subscribe(bad, "parsec:a"), "invalid token")
	})
}

// subscribeOnce returns a function that subscribes tr to channel and, if
// that worked, ends the subscription again.
func subscribeOnce(tr client.Transport, channel string) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		out, cancel, err := tr.Subscribe(ctx, channel, client.SubscribeOptions{})
		if err == nil {
			cancel()
			for range out {
			}
		}
		return err
	}
}
