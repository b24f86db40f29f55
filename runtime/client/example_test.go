package client_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/envelope"
)

// OrderPlaced is an aspect payload type; parsec-gen generates such types
// from JSON Schemas.
type OrderPlaced struct {
	OrderID string `json:"order_id"`
	Amount  int64  `json:"amount"`
}

// connect returns a connected client on tr; examples keep error handling
// short.
func connect(tr client.Transport, opts ...client.Option) *client.Client {
	c, err := client.New(append([]client.Option{client.WithTransport(tr)}, opts...)...)
	if err != nil {
		log.Fatal(err)
	}
	if err := c.Connect(context.Background(), ""); err != nil {
		log.Fatal(err)
	}
	return c
}

func ExampleClient_Publish() {
	ctx := context.Background()
	c := connect(client.NewMemoryTransport(),
		client.WithProducer(envelope.Producer{ID: "billing-1", Kind: envelope.ProducerService}))
	defer closeClient(c)

	env, err := c.PublishAspect(ctx, "orders:eu", "order_placed", OrderPlaced{OrderID: "o-1", Amount: 4999})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(env.Channel, env.Aspect, env.Sequence, env.Producer.ID, string(env.Payload))
	env, err = c.PublishAspect(ctx, "orders:eu", "order_placed", []byte(`{"order_id":"o-2","amount":15}`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("next sequence:", env.Sequence)
	// Output:
	// orders:eu order_placed 1 billing-1 {"order_id":"o-1","amount":4999}
	// next sequence: 2
}

func ExampleClient_Subscribe() {
	ctx := context.Background()
	broker := client.NewMemoryTransport()
	pub := connect(broker, client.WithProducer(envelope.Producer{ID: "billing-1", Kind: envelope.ProducerService}))
	defer closeClient(pub)
	sub := connect(broker.Peer())
	defer closeClient(sub)

	s, err := sub.Subscribe(ctx, "orders:eu")
	if err != nil {
		log.Fatal(err)
	}
	done := make(chan struct{})
	s.HandleEnvelope(func(ctx context.Context, env *envelope.Envelope) error {
		fmt.Printf("#%d %s from %s\n", env.Sequence, env.Aspect, env.Producer.ID)
		if env.Sequence == 2 {
			close(done)
		}
		return nil
	})
	s.OnError(func(err error) { fmt.Println("error:", err) })
	// Envelopes published before Start wait for it: none is lost.
	if _, err := pub.PublishAspect(ctx, "orders:eu", "order_placed", OrderPlaced{OrderID: "o-1"}); err != nil {
		log.Fatal(err)
	}
	if err := s.Start(); err != nil {
		log.Fatal(err)
	}
	if _, err := pub.PublishAspect(ctx, "orders:eu", "order_shipped", nil); err != nil {
		log.Fatal(err)
	}
	<-done
	// Output:
	// #1 order_placed from billing-1
	// #2 order_shipped from billing-1
}

func ExampleOnAspectTyped() {
	ctx := context.Background()
	broker := client.NewMemoryTransport()
	pub := connect(broker, client.WithProducer(envelope.Producer{ID: "shop", Kind: envelope.ProducerService}))
	defer closeClient(pub)
	worker := connect(broker.Peer(), client.WithProducer(envelope.Producer{ID: "billing", Kind: envelope.ProducerService}))
	defer closeClient(worker)

	s, err := worker.Subscribe(ctx, "orders")
	if err != nil {
		log.Fatal(err)
	}
	done := make(chan struct{})
	client.HandleAspectTyped(s, "order_placed", func(ctx context.Context, env *envelope.Envelope, o *OrderPlaced) error {
		fmt.Printf("order %s for %d\n", o.OrderID, o.Amount)
		// The handler's context carries env: the derived envelope records it
		// as its cause.
		_, err := s.PublishDerivedAspect(ctx, "invoice_created", map[string]string{"order_id": o.OrderID})
		return err
	})
	s.HandleAspect("invoice_created", func(ctx context.Context, env *envelope.Envelope) error {
		c := env.Causation
		fmt.Printf("invoice caused by %s #%d from %s\n", c.ParentChannel, c.ParentSequence, c.ParentProducer)
		close(done)
		return nil
	})
	s.OnError(func(err error) { fmt.Println("error:", err) })
	if err := s.Start(); err != nil {
		log.Fatal(err)
	}
	if _, err := pub.PublishAspect(ctx, "orders", "order_placed", OrderPlaced{OrderID: "o-7", Amount: 120}); err != nil {
		log.Fatal(err)
	}
	<-done
	// Output:
	// order o-7 for 120
	// invoice caused by orders #1 from shop
}

func ExampleSubscription_OnGap() {
	ctx := context.Background()
	// The broker keeps only the last 3 publications per channel.
	broker := client.NewMemoryTransport(client.MemoryHistorySize(3))
	pub := connect(broker, client.WithProducer(envelope.Producer{ID: "sensor-1", Kind: envelope.ProducerAgent}))
	defer closeClient(pub)
	for i := 0; i < 10; i++ {
		if _, err := pub.PublishAspect(ctx, "readings", "reading", map[string]int{"value": i}); err != nil {
			log.Fatal(err)
		}
	}
	sub := connect(broker.Peer())
	defer closeClient(sub)
	// Asking for everything above offset 1: offsets 2..7 are gone.
	s, err := sub.Subscribe(ctx, "readings", client.WithFromSequence(1))
	if err != nil {
		log.Fatal(err)
	}
	done := make(chan struct{})
	s.OnGap(func(channel string, gap int64) { fmt.Printf("gap on %s: %d lost\n", channel, gap) })
	s.OnError(func(err error) { fmt.Println("reported:", err) })
	s.HandleEnvelope(func(ctx context.Context, env *envelope.Envelope) error {
		fmt.Println("got", env.Sequence)
		if env.Sequence == 10 {
			close(done)
		}
		return nil
	})
	if err := s.Start(); err != nil {
		log.Fatal(err)
	}
	<-done
	// The subscriber never heard of sensor-1 before: no producer can account
	// for the loss, which is reported once to the error hooks, not to OnGap.

	// Output:
	// reported: parsec: channel "readings": 6 publications lost that no producer accounted for
	// got 8
	// got 9
	// got 10
}

// closeClient closes c at the end of an example.
func closeClient(c *client.Client) {
	if err := c.Close(); err != nil {
		log.Print(err)
	}
}

func ExampleSubscription_ResumeState() {
	ctx := context.Background()
	broker := client.NewMemoryTransport(client.MemoryHistorySize(3))
	raw := broker.Peer()
	// publish puts envelope #seq of sensor-1 on the channel.
	publish := func(seq int64) {
		data, err := envelope.Encode(&envelope.Envelope{Channel: "readings", Sequence: seq,
			ProducedAt: time.Date(2026, 1, 1, 0, 0, int(seq), 0, time.UTC),
			Producer:   envelope.Producer{ID: "sensor-1", Kind: envelope.ProducerAgent}, Aspect: "reading"})
		if err == nil {
			err = raw.Publish(ctx, "readings", data)
		}
		if err != nil {
			log.Fatal(err)
		}
	}
	// run subscribes from state until it has seen #last, and returns the
	// state to persist.
	run := func(state []byte, last int64) []byte {
		c := connect(broker.Peer())
		defer closeClient(c)
		var opts []client.SubscribeOption
		if state != nil {
			var st client.ResumeState
			if err := st.UnmarshalBinary(state); err != nil {
				log.Fatal(err)
			}
			opts = append(opts, client.WithResumeState(st))
		}
		s, err := c.Subscribe(ctx, "readings", opts...)
		if err != nil {
			log.Fatal(err)
		}
		done := make(chan struct{})
		s.OnGapReport(func(r client.GapReport) {
			fmt.Printf("%s lost #%d..#%d (%d, %s)\n", r.Producer, r.First, r.Last, r.Missed, r.Detection)
		})
		s.OnEnvelope(func(env envelope.Envelope) {
			fmt.Println("got", env.Sequence)
			if env.Sequence == last {
				close(done)
			}
		})
		if state == nil {
			publish(1)
			publish(2)
		}
		<-done
		out, err := s.ResumeState().MarshalBinary()
		if err != nil {
			log.Fatal(err)
		}
		return out
	}
	state := run(nil, 2)
	// While the subscriber is down the sensor skips #3..#4, then publishes
	// #5..#9; the broker keeps only #7..#9.
	for seq := int64(5); seq <= 9; seq++ {
		publish(seq)
	}
	run(state, 9)
	// Output:
	// got 1
	// got 2
	// sensor-1 lost #3..#6 (4, unrecoverable)
	// got 7
	// got 8
	// got 9
}
