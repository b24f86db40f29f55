package server_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/envelope"
	"github.com/parsec-gen/parsec-gen/runtime/transport/ws"
	"github.com/parsec-gen/parsec-gen/server"
)

// An embedded server on a free loopback port, and a runtime client talking to
// it over the WebSocket transport.
func ExampleStart() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv, err := server.Start(ctx, server.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer func() {
		if err := srv.Close(context.Background()); err != nil {
			log.Print(err)
		}
	}()

	tr, err := ws.New(srv.URL(), ws.WithTokenFunc(func(context.Context) (string, error) {
		return srv.Token("checkout", time.Hour) // refreshed before it expires
	}))
	if err != nil {
		log.Fatal(err)
	}
	c, err := client.New(client.WithTransport(tr),
		client.WithProducer(envelope.Producer{ID: "checkout-1", Kind: envelope.ProducerService}))
	if err != nil {
		log.Fatal(err)
	}
	if err := c.Connect(ctx, ""); err != nil {
		log.Fatal(err)
	}
	defer func() {
		if err := c.Close(); err != nil { // also closes the transport
			log.Print(err)
		}
	}()

	sub, err := c.Subscribe(ctx, "orders")
	if err != nil {
		log.Fatal(err)
	}
	got := make(chan *envelope.Envelope, 1)
	sub.HandleEnvelope(func(_ context.Context, env *envelope.Envelope) error {
		got <- env
		return nil
	})
	if err := sub.Start(); err != nil {
		log.Fatal(err)
	}
	if _, err := c.PublishAspect(ctx, "orders", "order_placed", map[string]string{"order_id": "o-1"}); err != nil {
		log.Fatal(err)
	}
	env := <-got
	fmt.Printf("%s #%d from %s: %s\n", env.Aspect, env.Sequence, env.Producer.ID, env.Payload)
	// Output: order_placed #1 from checkout-1: {"order_id":"o-1"}
}
