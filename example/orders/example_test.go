package orders_test

import (
	"context"
	"fmt"

	"github.com/parsec-gen/parsec-gen/example/orders"
	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/envelope"
	"github.com/parsec-gen/parsec-gen/runtime/schema"
)

// The typed client end to end on the in-process memory transport: a
// subscription handles orders and reacts with a derived payment, whose
// envelope points back at the order.
func Example() {
	ctx := context.Background()
	strict, err := orders.NewValidator(schema.ModeStrict)
	if err != nil {
		panic(err)
	}
	rc, err := client.New(
		client.WithTransport(client.NewMemoryTransport()),
		client.WithProducer(envelope.Producer{ID: "checkout", Kind: envelope.ProducerService}),
		client.WithValidator(strict),
	)
	if err != nil {
		panic(err)
	}
	if err := rc.Connect(ctx, ""); err != nil {
		panic(err)
	}
	defer rc.Close()
	c := orders.NewClient(rc)

	sub, err := c.Subscribe(ctx, "orders")
	if err != nil {
		panic(err)
	}
	done := make(chan struct{})
	sub.OnOrderPlaced(func(ctx context.Context, env *envelope.Envelope, o *orders.OrderPlaced) error {
		fmt.Printf("order_placed #%d: %d line(s), %d %s\n", env.Sequence, len(o.Lines), o.Total.AmountMinor, o.Total.Currency)
		_, err := sub.PublishDerivedPaymentCaptured(ctx, &orders.PaymentCaptured{
			PaymentID:  "pay_1",
			OrderID:    o.OrderID,
			Amount:     o.Total,
			Method:     orders.Wallet{Provider: orders.WalletProviderPaypal},
			CapturedAt: o.PlacedAt,
		})
		return err
	})
	sub.OnPaymentCaptured(func(_ context.Context, env *envelope.Envelope, p *orders.PaymentCaptured) error {
		fmt.Printf("payment_captured #%d caused by %s #%d\n", env.Sequence, env.Causation.ParentChannel, env.Causation.ParentSequence)
		close(done)
		return nil
	})
	if err := sub.Start(); err != nil {
		panic(err)
	}

	// A value that violates the schema is refused before anything is sent.
	invalid := orderPlaced()
	invalid.Lines[0].Quantity = 0
	_, err = c.PublishOrderPlaced(ctx, "orders", invalid)
	fmt.Println(err)

	if _, err := c.PublishOrderPlaced(ctx, "orders", orderPlaced()); err != nil {
		panic(err)
	}
	<-done
	// Output:
	// parsec: publish order_placed: /lines/0/quantity: 0 is less than minimum 1
	// order_placed #1: 2 line(s), 5190 EUR
	// payment_captured #2 caused by orders #1
}
