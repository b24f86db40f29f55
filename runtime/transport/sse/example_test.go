package sse_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/transport/sse"
)

// Example connects a runtime client to Centrifugo over HTTP and SSE. The
// token function would normally call the service that mints connection
// tokens whose "channels" claim lists the channel.
func Example() {
	tr, err := sse.New(sse.Config{
		URL:    "http://127.0.0.1:8000",
		APIKey: "api-key",
		Token: func(ctx context.Context, channel string) (string, error) {
			return "connection-token-for-" + channel, nil
		},
		ReconnectDelayMax: 2 * time.Second,
	})
	if err != nil {
		log.Fatal(err)
	}
	c, err := client.New(client.WithTransport(tr))
	if err != nil {
		log.Fatal(err)
	}
	defer func() {
		if err := c.Close(); err != nil {
			log.Print(err)
		}
	}()
	fmt.Println("configured")
	// Output: configured
}

// ExampleNewTransport configures the same transport with options, the
// configuration style the WebSocket and memory transports use too.
func ExampleNewTransport() {
	tr, err := sse.NewTransport("http://127.0.0.1:8000",
		sse.WithAPIKey("api-key"),
		sse.WithTokenFunc(func(ctx context.Context, channel string) (string, error) {
			return "connection-token-for-" + channel, nil
		}),
		sse.WithReconnectDelay(sse.DefaultReconnectDelayMin, 2*time.Second),
	)
	if err != nil {
		log.Fatal(err)
	}
	if err := tr.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Println("configured")
	// Output: configured
}
