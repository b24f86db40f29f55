package orders_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/parsec-gen/parsec-gen/example/orders"
	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/envelope"
)

// plainOrder is order_placed as a team would write it by hand for
// encoding/json: the untyped path's Go type.
type plainOrder struct {
	OrderID      string `json:"order_id"`
	CustomerID   string `json:"customer_id"`
	SalesChannel string `json:"sales_channel"`
	Lines        []struct {
		Sku       string     `json:"sku"`
		Quantity  int64      `json:"quantity"`
		UnitPrice plainMoney `json:"unit_price"`
		GiftWrap  *bool      `json:"gift_wrap,omitempty"`
	} `json:"lines"`
	Total           plainMoney `json:"total"`
	ShippingAddress *struct {
		Line1      string  `json:"line1"`
		Line2      *string `json:"line2"`
		City       string  `json:"city"`
		PostalCode string  `json:"postal_code"`
		Country    string  `json:"country"`
	} `json:"shipping_address,omitempty"`
	CouponCode *string           `json:"coupon_code"`
	PlacedAt   time.Time         `json:"placed_at"`
	Attributes map[string]string `json:"attributes,omitempty"`
}

type plainMoney struct {
	AmountMinor int64  `json:"amount_minor"`
	Currency    string `json:"currency"`
}

// inFlight bounds the envelopes published but not yet handled.
const inFlight = 256

// benchClients connects a publisher and a subscriber on one memory broker,
// without validators: both paths do the same transport and envelope work.
func benchClients(b *testing.B) (pub, sub *client.Client) {
	b.Helper()
	ctx := context.Background()
	broker := client.NewMemoryTransport(client.MemoryHistorySize(1 << 14))
	pub, err := client.New(client.WithTransport(broker), client.WithProducer(checkout))
	if err != nil {
		b.Fatal(err)
	}
	sub, err = client.New(client.WithTransport(broker.Peer(client.MemoryBufferSize(4*inFlight))),
		client.WithErrorHandler(func(err error) { b.Error(err) }))
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []*client.Client{pub, sub} {
		if err := c.Connect(ctx, ""); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() {
			if err := c.Close(); err != nil {
				b.Error(err)
			}
		})
	}
	return pub, sub
}

// run publishes b.N envelopes with at most inFlight unhandled, and waits
// for the last one.
func run(b *testing.B, tokens chan struct{}, publish func() error) {
	b.ReportAllocs()
	for b.Loop() {
		tokens <- struct{}{}
		if err := publish(); err != nil {
			b.Fatal(err)
		}
	}
	for range inFlight {
		tokens <- struct{}{}
	}
}

// BenchmarkTypedPublishHandle is PublishOrderPlaced -> OnOrderPlaced:
// validate, generated encoder, envelope, memory transport, envelope decode,
// gap detection, generated decoder with validation, handler.
func BenchmarkTypedPublishHandle(b *testing.B) {
	pub, sub := benchClients(b)
	ctx := context.Background()
	tokens := make(chan struct{}, inFlight)
	s, err := orders.NewClient(sub).Subscribe(ctx, "orders")
	if err != nil {
		b.Fatal(err)
	}
	s.OnOrderPlaced(func(_ context.Context, _ *envelope.Envelope, m *orders.OrderPlaced) error {
		if len(m.Lines) != 2 {
			b.Errorf("decoded %d lines", len(m.Lines))
		}
		<-tokens
		return nil
	})
	if err := s.Start(); err != nil {
		b.Fatal(err)
	}
	c := orders.NewClient(pub)
	msg := orderPlaced()
	run(b, tokens, func() error {
		_, err := c.PublishOrderPlaced(ctx, "orders", msg)
		return err
	})
}

// BenchmarkUntypedPublishHandle is the untyped path for the same message:
// Publish with encoding/json -> OnAspect + json.Unmarshal into a
// hand-written struct, with no validation at all.
func BenchmarkUntypedPublishHandle(b *testing.B) {
	pub, sub := benchClients(b)
	ctx := context.Background()
	tokens := make(chan struct{}, inFlight)
	s, err := sub.Subscribe(ctx, "orders")
	if err != nil {
		b.Fatal(err)
	}
	s.HandleAspect(orders.AspectOrderPlaced, func(_ context.Context, env *envelope.Envelope) error {
		var m plainOrder
		if err := json.Unmarshal(env.Payload, &m); err != nil {
			return err
		}
		if len(m.Lines) != 2 {
			b.Errorf("decoded %d lines", len(m.Lines))
		}
		<-tokens
		return nil
	})
	if err := s.Start(); err != nil {
		b.Fatal(err)
	}
	data, err := orderPlaced().MarshalJSON()
	if err != nil {
		b.Fatal(err)
	}
	var msg plainOrder
	if err := json.Unmarshal(data, &msg); err != nil {
		b.Fatal(err)
	}
	run(b, tokens, func() error {
		_, err := pub.PublishAspect(ctx, "orders", orders.AspectOrderPlaced, &msg)
		return err
	})
}

// BenchmarkTypedPayload is the payload work of the typed path alone:
// Validate, MarshalJSON, then UnmarshalJSON (decode with validation).
func BenchmarkTypedPayload(b *testing.B) {
	msg := orderPlaced()
	b.ReportAllocs()
	for b.Loop() {
		if err := msg.Validate(); err != nil {
			b.Fatal(err)
		}
		data, err := msg.MarshalJSON()
		if err != nil {
			b.Fatal(err)
		}
		var got orders.OrderPlaced
		if err := got.UnmarshalJSON(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUntypedPayload is the same with encoding/json and the
// hand-written struct, without validation.
func BenchmarkUntypedPayload(b *testing.B) {
	data, err := orderPlaced().MarshalJSON()
	if err != nil {
		b.Fatal(err)
	}
	var msg plainOrder
	if err := json.Unmarshal(data, &msg); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		data, err := json.Marshal(&msg)
		if err != nil {
			b.Fatal(err)
		}
		var got plainOrder
		if err := json.Unmarshal(data, &got); err != nil {
			b.Fatal(err)
		}
	}
}
