package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/parsec-gen/parsec-gen/example/orders"
	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/envelope"
	"github.com/parsec-gen/parsec-gen/runtime/parsec"
)

// Order ids of the scenario: the first is paid and shipped, the second's
// payment fails, the store's orders show a gap between them.
var (
	paidOrderID   = "0b4f1c9e-3d6a-4c1e-9a57-2f8d6b1e7c30"
	unpaidOrderID = "6e2d8a41-95b7-4f03-8c2e-d1a7f4b9e512"
	storeOrderIDs = []string{"9a3c5e71-2b8d-4f6a-b1c9-7e4d2a8f0b63", "c47e1b2d-8f3a-4d95-a6c0-5b9e2f7d1a84"}
)

// at is a fixed instant, so the transcript's payloads are reproducible.
var at = time.Date(2026, 5, 27, 14, 22, 9, 0, time.UTC)

func orderID(id orders.OrderID) string { return parsec.UUID(id).String() }

func money(m orders.Money) string {
	return fmt.Sprintf("%d.%02d %s", m.AmountMinor/100, m.AmountMinor%100, m.Currency)
}

func eur(minor int64) orders.Money { return orders.Money{AmountMinor: minor, Currency: "EUR"} }

func paidOrder() *orders.OrderPlaced {
	o := &orders.OrderPlaced{
		OrderID:      orders.OrderID(parsec.MustParseUUID(paidOrderID)),
		CustomerID:   "cus_8f2a1c9e4b7d",
		SalesChannel: orders.OrderPlacedSalesChannelWeb,
		Lines: []orders.OrderPlacedLinesItem{
			{Sku: "TSHIRT-RED-M", Quantity: 2, UnitPrice: eur(1995)},
			{Sku: "MUG-1001", Quantity: 1, UnitPrice: eur(1200), GiftWrap: parsec.NewOpt(true)},
		},
		Total: eur(5190),
		ShippingAddress: parsec.NewOpt(orders.Address{
			Line1: "Keizersgracht 123", City: "Amsterdam", PostalCode: "1015 CJ", Country: "NL",
		}),
		CouponCode: parsec.OptNull[string](),
		PlacedAt:   parsec.NewDateTime(at),
	}
	var attrs parsec.Map[string]
	attrs.Set("campaign", "spring-sale-2026")
	o.Attributes = parsec.NewOpt(attrs)
	return o
}

func unpaidOrder() *orders.OrderPlaced {
	return &orders.OrderPlaced{
		OrderID:      orders.OrderID(parsec.MustParseUUID(unpaidOrderID)),
		CustomerID:   "cus_51d0e7a3c2f9",
		SalesChannel: orders.OrderPlacedSalesChannelMobile,
		Lines:        []orders.OrderPlacedLinesItem{{Sku: "LAMP-OAK-01", Quantity: 1, UnitPrice: eur(8900)}},
		Total:        eur(8900),
		PlacedAt:     parsec.NewDateTime(at.Add(time.Minute)),
	}
}

func storeOrder(id string) *orders.OrderPlaced {
	return &orders.OrderPlaced{
		OrderID:      orders.OrderID(parsec.MustParseUUID(id)),
		CustomerID:   "walk-in",
		SalesChannel: orders.OrderPlacedSalesChannelPos,
		Lines:        []orders.OrderPlacedLinesItem{{Sku: "SOCKS-3PK", Quantity: 1, UnitPrice: eur(999)}},
		Total:        eur(999),
		PlacedAt:     parsec.NewDateTime(at),
	}
}

// fulfiller reacts to orders with derived envelopes: each carries the
// causation of the envelope being handled.
type fulfiller struct {
	out       *printer
	client    *orders.Client
	sub       *orders.Subscription
	customers string // channel of customer notifications
}

func (f *fulfiller) orderPlaced(ctx context.Context, env *envelope.Envelope, o *orders.OrderPlaced) error {
	if parsec.UUID(o.OrderID).String() == unpaidOrderID {
		env, err := f.sub.PublishDerivedOrderCancelled(ctx, &orders.OrderCancelled{
			OrderID:     o.OrderID,
			Reason:      orders.OrderCancelledReasonPaymentFailed,
			CancelledBy: orders.OrderCancelledBy{Kind: orders.OrderCancelledByKindService, ID: "payments"},
			Note:        parsec.NewOptNullable("card declined by issuer"),
			CancelledAt: parsec.NewDateTime(at.Add(2 * time.Minute)),
		})
		if err != nil {
			return err
		}
		f.out.printf("fulfilment", "payment failed for %s: published order_cancelled %s", orderID(o.OrderID), describe(env))
		return nil
	}
	env, err := f.sub.PublishDerivedPaymentCaptured(ctx, &orders.PaymentCaptured{
		PaymentID:  "pay_7Hq2ZkV9",
		OrderID:    o.OrderID,
		Amount:     o.Total,
		Method:     orders.Card{Brand: orders.CardBrandVisa, Last4: "4242", Expiry: parsec.NewOpt("09/28")},
		CapturedAt: parsec.NewDateTime(at.Add(30 * time.Second)),
		ThreeDs:    parsec.NewOpt(true),
	})
	if err != nil {
		return err
	}
	f.out.printf("fulfilment", "captured %s for %s: published payment_captured %s", money(o.Total), orderID(o.OrderID), describe(env))
	return nil
}

func (f *fulfiller) paymentCaptured(ctx context.Context, _ *envelope.Envelope, p *orders.PaymentCaptured) error {
	env, err := f.sub.PublishDerivedShipmentDispatched(ctx, &orders.ShipmentDispatched{
		ShipmentID:  "shp_20260527_0042",
		OrderID:     p.OrderID,
		Carrier:     orders.ShipmentDispatchedCarrierPostnl,
		TrackingURL: parsec.NewOpt(mustURI("https://tracking.example.com/3SABCD1234567")),
		Parcels: []orders.ShipmentDispatchedParcelsItem{{
			ParcelID:    "3SABCD1234567",
			WeightGrams: 840,
			Skus:        parsec.NewOpt([]string{"TSHIRT-RED-M", "MUG-1001"}),
		}},
		Destination:       orders.Address{Line1: "Keizersgracht 123", City: "Amsterdam", PostalCode: "1015 CJ", Country: "NL"},
		EstimatedDelivery: parsec.NewOptNullable(parsec.NewDate(at.AddDate(0, 0, 2))),
		DispatchedAt:      parsec.NewDateTime(at.Add(3 * time.Hour)),
	})
	if err != nil {
		return err
	}
	f.out.printf("fulfilment", "packed %s: published shipment_dispatched %s", orderID(p.OrderID), describe(env))
	env, err = f.sub.PublishDerivedInventoryAdjusted(ctx, &orders.InventoryAdjusted{
		Sku: "TSHIRT-RED-M", Warehouse: "ams-1", Delta: -2, Reason: orders.InventoryAdjustedReasonSold, OnHand: 41,
		OrderID: parsec.NewOpt(p.OrderID), AdjustedAt: parsec.NewDateTime(at.Add(3 * time.Hour)),
	})
	if err != nil {
		return err
	}
	f.out.printf("fulfilment", "stock moved: published inventory_adjusted %s", describe(env))
	return nil
}

// shipmentDispatched tells the customer, on another channel: the Client's
// PublishDerived takes the channel and still carries the causation.
func (f *fulfiller) shipmentDispatched(ctx context.Context, _ *envelope.Envelope, s *orders.ShipmentDispatched) error {
	var vars parsec.Map[orders.CustomerNotifiedVariablesValue]
	vars.Set("carrier", orders.CustomerNotifiedVariablesValueString(s.Carrier))
	vars.Set("parcels", orders.CustomerNotifiedVariablesValueNumber(len(s.Parcels)))
	env, err := f.client.PublishDerivedCustomerNotified(ctx, f.customers, &orders.CustomerNotified{
		NotificationID: parsec.MustParseUUID("5f0c2a9e-7b1d-4e83-9c46-a2d8e1f7b305"),
		CustomerID:     "cus_8f2a1c9e4b7d",
		OrderID:        parsec.NewOpt(s.OrderID),
		Medium:         orders.CustomerNotifiedMediumEmail,
		Template:       "order.shipped",
		Variables:      parsec.NewOpt(vars),
		SentAt:         parsec.NewDateTime(at.Add(3*time.Hour + time.Minute)),
	})
	if err != nil {
		return err
	}
	f.out.printf("fulfilment", "told the customer: published customer_notified %s", describe(env))
	return nil
}

func mustURI(s string) parsec.URI {
	u, err := parsec.ParseURI(s)
	if err != nil {
		panic(err)
	}
	return u
}

// auditor implements orders.Handler: the compiler makes it handle every
// aspect of the package. It prints each envelope and counts what it saw.
type auditor struct {
	out *printer

	mu        sync.Mutex
	delivered int
	gaps      int
	missed    int64
	rejected  int
	changed   chan struct{}
}

var _ orders.Handler = (*auditor)(nil)

func newAuditor(out *printer) *auditor {
	return &auditor{out: out, changed: make(chan struct{}, 1)}
}

func (a *auditor) saw(env *envelope.Envelope, what string) error {
	a.out.printf("audit", "%-19s %s: %s", env.Aspect, describe(env), what)
	a.bump(func() { a.delivered++ })
	return nil
}

func (a *auditor) bump(f func()) {
	a.mu.Lock()
	f()
	a.mu.Unlock()
	select {
	case a.changed <- struct{}{}:
	default:
	}
}

func (a *auditor) HandleOrderPlaced(_ context.Context, env *envelope.Envelope, o *orders.OrderPlaced) error {
	return a.saw(env, fmt.Sprintf("order %s via %s, %d line(s), total %s", orderID(o.OrderID), o.SalesChannel, len(o.Lines), money(o.Total)))
}

func (a *auditor) HandleOrderCancelled(_ context.Context, env *envelope.Envelope, o *orders.OrderCancelled) error {
	return a.saw(env, fmt.Sprintf("order %s cancelled (%s) by %s %q", orderID(o.OrderID), o.Reason, o.CancelledBy.Kind, o.CancelledBy.ID))
}

func (a *auditor) HandlePaymentCaptured(_ context.Context, env *envelope.Envelope, p *orders.PaymentCaptured) error {
	method := orders.MatchPaymentCapturedMethod(p.Method,
		func(c orders.Card) string { return fmt.Sprintf("%s card ending %s", c.Brand, c.Last4) },
		func(b orders.BankTransfer) string { return "bank transfer from " + b.Iban },
		func(w orders.Wallet) string { return string(w.Provider) },
	)
	return a.saw(env, fmt.Sprintf("%s captured, paid by %s", money(p.Amount), method))
}

func (a *auditor) HandleShipmentDispatched(_ context.Context, env *envelope.Envelope, s *orders.ShipmentDispatched) error {
	return a.saw(env, fmt.Sprintf("%d parcel(s) with %s to %s", len(s.Parcels), s.Carrier, s.Destination.City))
}

func (a *auditor) HandleInventoryAdjusted(_ context.Context, env *envelope.Envelope, i *orders.InventoryAdjusted) error {
	return a.saw(env, fmt.Sprintf("%s %+d in %s (%s), %d on hand", i.Sku, i.Delta, i.Warehouse, i.Reason, i.OnHand))
}

func (a *auditor) HandleCustomerNotified(_ context.Context, env *envelope.Envelope, n *orders.CustomerNotified) error {
	return a.saw(env, fmt.Sprintf("%s %q sent to %s", n.Medium, n.Template, n.CustomerID))
}

func (a *auditor) gap(channel string, n int64) {
	a.out.printf("audit", "GAP on %s: %d envelope(s) missing", channel, n)
	a.bump(func() { a.gaps++; a.missed += n })
}

// reportError receives everything the audit client reports instead of
// delivering: here, the payload its strict validator rejected.
func (a *auditor) reportError(err error) {
	var de *client.DeliveryError
	if errors.As(err, &de) && de.Envelope != nil {
		a.out.printf("audit", "REJECTED %s %s: %s", de.Envelope.Aspect, describe(de.Envelope), strings.TrimPrefix(firstLine(de.Err), "schema: "))
		a.bump(func() { a.rejected++ })
		return
	}
	a.out.printf("audit", "error: %v", firstLine(err))
}

// wait returns once the audit has seen the expected envelopes, gaps and
// rejections, or fails when ctx ends first.
func (a *auditor) wait(ctx context.Context, delivered, gaps, rejected int) error {
	for {
		a.mu.Lock()
		done := a.delivered >= delivered && a.gaps >= gaps && a.rejected >= rejected
		got := fmt.Sprintf("%d envelopes, %d gaps, %d rejections", a.delivered, a.gaps, a.rejected)
		a.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-a.changed:
		case <-ctx.Done():
			return fmt.Errorf("the scenario did not complete: audit saw %s, want %d, %d, %d: %w", got, delivered, gaps, rejected, ctx.Err())
		}
	}
}

func (a *auditor) summary() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.out.printf("done", "audit received %d envelopes, %d gap(s) (%d missing), %d rejected payload(s)", a.delivered, a.gaps, a.missed, a.rejected)
}
