package integration

import (
	"context"
	"testing"
	"time"

	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/transport/ws"
	"github.com/parsec-gen/parsec-gen/server/internal/centrifugotest"
)

// BenchmarkCentrifugoRoundTrip measures one publish until its delivery to a
// subscriber through the same Centrifugo, for the HTTP+SSE transport and the
// obvious alternative, the WebSocket transport, in one run.
func BenchmarkCentrifugoRoundTrip(b *testing.B) {
	c := startCentrifugo(b, centrifugotest.Options{})
	data := encodeTick(b, "parsec:bench", "p0", 1)
	run := func(b *testing.B, pub, sub client.Transport, channel string) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		out, stop, err := sub.Subscribe(ctx, channel, client.SubscribeOptions{})
		if err != nil {
			b.Fatal(err)
		}
		defer stop()
		b.SetBytes(int64(len(data)))
		b.ResetTimer()
		for b.Loop() {
			if err := pub.Publish(ctx, channel, data); err != nil {
				b.Fatal(err)
			}
			select {
			case <-out:
			case <-ctx.Done():
				b.Fatal("publication not delivered")
			}
		}
	}
	b.Run("sse", func(b *testing.B) {
		tr := newSSE(b, c, c.URL, "bench-sse", nil)
		run(b, tr, tr, "parsec:bench-sse")
	})
	b.Run("ws", func(b *testing.B) {
		tr, err := ws.New("ws://"+c.Addr+"/connection/websocket", ws.WithTokenFunc(func(context.Context) (string, error) {
			return c.Token(centrifugotest.Claims{Sub: "bench-ws"}), nil
		}))
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := tr.Connect(ctx, ""); err != nil {
			b.Fatal(err)
		}
		defer func() {
			if err := tr.Close(); err != nil {
				b.Error(err)
			}
		}()
		run(b, tr, tr, "parsec:bench-ws")
	})
}
