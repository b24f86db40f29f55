package orders_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/parsec-gen/parsec-gen/example/orders"
	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/envelope"
	"github.com/parsec-gen/parsec-gen/runtime/parsec"
	"github.com/parsec-gen/parsec-gen/runtime/registry"
	"github.com/parsec-gen/parsec-gen/runtime/schema"
)

// waitTimeout bounds every wait for an asynchronous delivery.
const waitTimeout = 10 * time.Second

var (
	checkout   = envelope.Producer{ID: "checkout", Kind: envelope.ProducerService}
	fulfilment = envelope.Producer{ID: "fulfilment", Kind: envelope.ProducerService}
	at         = time.Date(2026, 5, 27, 14, 22, 9, 331_000_000, time.UTC)
	orderID    = orders.OrderID(parsec.MustParseUUID("0b4f1c9e-3d6a-4c1e-9a57-2f8d6b1e7c30"))
)

// compare compares generated values field by field, unexported fields of
// the runtime's value types (kept text, parsed time) included.
var compare = cmp.Exporter(func(reflect.Type) bool { return true })

func eur(minor int64) orders.Money { return orders.Money{AmountMinor: minor, Currency: "EUR"} }

func addr() orders.Address {
	return orders.Address{Line1: "Keizersgracht 123", Line2: parsec.OptNull[string](), City: "Amsterdam", PostalCode: "1015 CJ", Country: "NL"}
}

func orderPlaced() *orders.OrderPlaced {
	var attrs parsec.Map[string]
	attrs.Set("campaign", "spring-sale-2026")
	attrs.Set("ab_bucket", "B")
	return &orders.OrderPlaced{
		OrderID:      orderID,
		CustomerID:   "cus_8f2a1c9e4b7d",
		SalesChannel: orders.OrderPlacedSalesChannelWeb,
		Lines: []orders.OrderPlacedLinesItem{
			{Sku: "TSHIRT-RED-M", Quantity: 2, UnitPrice: eur(1995)},
			{Sku: "MUG-1001", Quantity: 1, UnitPrice: eur(1200), GiftWrap: parsec.NewOpt(true)},
		},
		Total:           eur(5190),
		ShippingAddress: parsec.NewOpt(addr()),
		CouponCode:      parsec.OptNull[string](),
		PlacedAt:        parsec.NewDateTime(at),
		Attributes:      parsec.NewOpt(attrs),
	}
}

func orderCancelled() *orders.OrderCancelled {
	return &orders.OrderCancelled{
		OrderID:     orderID,
		Reason:      orders.OrderCancelledReasonCustomerRequest,
		Note:        parsec.NewOptNullable("changed their mind"),
		CancelledBy: orders.OrderCancelledBy{Kind: orders.OrderCancelledByKindAgent, ID: "agent-17"},
		Refund:      parsec.NewOpt(eur(-5190)),
		CancelledAt: parsec.NewDateTime(at.Add(time.Hour)),
	}
}

func paymentCaptured(method orders.PaymentCapturedMethod) *orders.PaymentCaptured {
	return &orders.PaymentCaptured{
		PaymentID:  "pay_7Hq2ZkV9",
		OrderID:    orderID,
		Amount:     eur(5190),
		Method:     method,
		CapturedAt: parsec.NewDateTime(at.Add(time.Minute)),
		ThreeDs:    parsec.NewOpt(false),
	}
}

func shipmentDispatched() *orders.ShipmentDispatched {
	tracking, err := parsec.ParseURI("https://tracking.example.com/3SABCD1234567")
	if err != nil {
		panic(err)
	}
	return &orders.ShipmentDispatched{
		ShipmentID:  "shp_1",
		OrderID:     orderID,
		Carrier:     orders.ShipmentDispatchedCarrierDhl,
		TrackingURL: parsec.NewOpt(tracking),
		Parcels: []orders.ShipmentDispatchedParcelsItem{
			{ParcelID: "p1", WeightGrams: 840, Skus: parsec.NewOpt([]string{"TSHIRT-RED-M", "MUG-1001"}),
				DimensionsCm: parsec.NewOpt(orders.ShipmentDispatchedParcelsItemDimensionsCm{
					Item0: parsec.NewOpt(30.5), Item1: parsec.NewOpt(20.0), Item2: parsec.NewOpt(4.25)})},
			{ParcelID: "p2", WeightGrams: 120},
		},
		Destination:       addr(),
		EstimatedDelivery: parsec.OptNull[parsec.Date](),
		DispatchedAt:      parsec.NewDateTime(at.Add(3 * time.Hour)),
	}
}

func inventoryAdjusted() *orders.InventoryAdjusted {
	var bins parsec.Map[int64]
	bins.Set("A01-02", 30)
	bins.Set("B07-11", 11)
	return &orders.InventoryAdjusted{
		Sku: "TSHIRT-RED-M", Warehouse: "ams-1", Delta: -2, Reason: orders.InventoryAdjustedReasonSold, OnHand: 41,
		Bins: parsec.NewOpt(orders.InventoryAdjustedBins(bins)), OrderID: parsec.NewOpt(orderID), AdjustedAt: parsec.NewDateTime(at.Add(3 * time.Hour)),
	}
}

func customerNotified() *orders.CustomerNotified {
	var vars parsec.Map[orders.CustomerNotifiedVariablesValue]
	vars.Set("carrier", orders.CustomerNotifiedVariablesValueString("dhl"))
	vars.Set("parcels", orders.CustomerNotifiedVariablesValueNumber(2))
	vars.Set("express", orders.CustomerNotifiedVariablesValueBool(true))
	return &orders.CustomerNotified{
		NotificationID: parsec.MustParseUUID("5f0c2a9e-7b1d-4e83-9c46-a2d8e1f7b305"),
		CustomerID:     "cus_8f2a1c9e4b7d",
		OrderID:        parsec.NewOpt(orderID),
		Medium:         orders.CustomerNotifiedMediumEmail,
		Template:       "order.shipped",
		Locale:         parsec.NewOpt("nl-NL"),
		Variables:      parsec.NewOpt(vars),
		SentAt:         parsec.NewDateTime(at.Add(4 * time.Hour)),
	}
}

// pair is a publishing and a subscribing client on one memory broker.
type pair struct {
	pub, sub *orders.Client
	errs     chan error
}

// newPair connects a publisher (checkout, no validator) and a subscriber
// whose error hook feeds errs. subOpts configure the subscriber.
func newPair(t *testing.T, subOpts ...client.Option) *pair {
	t.Helper()
	ctx := context.Background()
	broker := client.NewMemoryTransport()
	p := &pair{errs: make(chan error, 64)}
	pub, err := client.New(client.WithTransport(broker), client.WithProducer(checkout))
	if err != nil {
		t.Fatal(err)
	}
	opts := append([]client.Option{
		client.WithTransport(broker.Peer()),
		client.WithProducer(fulfilment),
		client.WithErrorHandler(func(err error) { p.errs <- err }),
	}, subOpts...)
	sub, err := client.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*client.Client{pub, sub} {
		if err := c.Connect(ctx, ""); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := c.Close(); err != nil {
				t.Error(err)
			}
		})
	}
	p.pub, p.sub = orders.NewClient(pub), orders.NewClient(sub)
	return p
}

func (p *pair) subscribe(t *testing.T, channel string, register func(*orders.Subscription)) *orders.Subscription {
	t.Helper()
	s, err := p.sub.Subscribe(context.Background(), channel)
	if err != nil {
		t.Fatal(err)
	}
	register(s)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	return s
}

// nextError waits for the next reported error.
func (p *pair) nextError(t *testing.T) error {
	t.Helper()
	select {
	case err := <-p.errs:
		return err
	case <-time.After(waitTimeout):
		t.Fatal("no error reported")
		return nil
	}
}

// noError checks that nothing was reported so far.
func (p *pair) noError(t *testing.T) {
	t.Helper()
	select {
	case err := <-p.errs:
		t.Errorf("unexpected error report: %v", err)
	default:
	}
}

// received is one delivery to a typed handler.
type received struct {
	Via string
	Env *envelope.Envelope
	Msg any
}

// recorder collects deliveries from typed handlers and the Handler interface.
type recorder struct {
	via string
	mu  sync.Mutex
	got []received
	ch  chan struct{}
}

func newRecorder(via string) *recorder { return &recorder{via: via, ch: make(chan struct{}, 1024)} }

func (r *recorder) add(env *envelope.Envelope, msg any) error {
	r.mu.Lock()
	r.got = append(r.got, received{Via: r.via, Env: env, Msg: msg})
	r.mu.Unlock()
	r.ch <- struct{}{}
	return nil
}

func (r *recorder) wait(t *testing.T, n int) []received {
	t.Helper()
	for i := 0; i < n; i++ {
		select {
		case <-r.ch:
		case <-time.After(waitTimeout):
			t.Fatalf("%s: got %d deliveries, want %d", r.via, i, n)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

func (r *recorder) HandleCustomerNotified(_ context.Context, env *envelope.Envelope, m *orders.CustomerNotified) error {
	return r.add(env, m)
}
func (r *recorder) HandleInventoryAdjusted(_ context.Context, env *envelope.Envelope, m *orders.InventoryAdjusted) error {
	return r.add(env, m)
}
func (r *recorder) HandleOrderCancelled(_ context.Context, env *envelope.Envelope, m *orders.OrderCancelled) error {
	return r.add(env, m)
}
func (r *recorder) HandleOrderPlaced(_ context.Context, env *envelope.Envelope, m *orders.OrderPlaced) error {
	return r.add(env, m)
}
func (r *recorder) HandlePaymentCaptured(_ context.Context, env *envelope.Envelope, m *orders.PaymentCaptured) error {
	return r.add(env, m)
}
func (r *recorder) HandleShipmentDispatched(_ context.Context, env *envelope.Envelope, m *orders.ShipmentDispatched) error {
	return r.add(env, m)
}

var _ orders.Handler = (*recorder)(nil)

// TestEveryAspectRoundTrips publishes one message of every aspect (each
// payment method variant too) through PublishXxx and checks that OnXxx and
// the Handler interface receive equal values in envelopes that carry the
// aspect, schema ref, sequence and producer.
func TestEveryAspectRoundTrips(t *testing.T) {
	p := newPair(t)
	ctx := context.Background()
	const ch = "orders"
	typed := newRecorder("OnXxx")
	p.subscribe(t, ch, func(s *orders.Subscription) {
		s.OnOrderPlaced(func(_ context.Context, env *envelope.Envelope, m *orders.OrderPlaced) error { return typed.add(env, m) })
		s.OnOrderCancelled(func(_ context.Context, env *envelope.Envelope, m *orders.OrderCancelled) error {
			return typed.add(env, m)
		})
		s.OnPaymentCaptured(func(_ context.Context, env *envelope.Envelope, m *orders.PaymentCaptured) error {
			return typed.add(env, m)
		})
		s.OnShipmentDispatched(func(_ context.Context, env *envelope.Envelope, m *orders.ShipmentDispatched) error {
			return typed.add(env, m)
		})
		s.OnInventoryAdjusted(func(_ context.Context, env *envelope.Envelope, m *orders.InventoryAdjusted) error {
			return typed.add(env, m)
		})
		s.OnCustomerNotified(func(_ context.Context, env *envelope.Envelope, m *orders.CustomerNotified) error {
			return typed.add(env, m)
		})
	})
	iface := newRecorder("Handler")
	p.subscribe(t, ch, func(s *orders.Subscription) { s.Handle(iface) })

	type sent struct {
		aspect, ref string
		msg         any
		env         *envelope.Envelope
	}
	var want []sent
	publish := func(aspect, ref string, msg any, env *envelope.Envelope, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("publish %s: %v", aspect, err)
		}
		want = append(want, sent{aspect, ref, msg, env})
	}
	op := orderPlaced()
	env, err := p.pub.PublishOrderPlaced(ctx, ch, op)
	publish(orders.AspectOrderPlaced, orders.SchemaRefOrderPlaced, op, env, err)
	for _, method := range []orders.PaymentCapturedMethod{
		orders.Card{Brand: orders.CardBrandVisa, Last4: "4242", Expiry: parsec.NewOpt("09/28")},
		orders.BankTransfer{Iban: "NL91ABNA0417164300", Reference: parsec.NewOpt("ORDER 0b4f1c9e")},
		orders.Wallet{Provider: orders.WalletProviderApplePay},
	} {
		pc := paymentCaptured(method)
		env, err := p.pub.PublishPaymentCaptured(ctx, ch, pc)
		publish(orders.AspectPaymentCaptured, orders.SchemaRefPaymentCaptured, pc, env, err)
	}
	sd := shipmentDispatched()
	env, err = p.pub.PublishShipmentDispatched(ctx, ch, sd)
	publish(orders.AspectShipmentDispatched, orders.SchemaRefShipmentDispatched, sd, env, err)
	ia := inventoryAdjusted()
	env, err = p.pub.PublishInventoryAdjusted(ctx, ch, ia)
	publish(orders.AspectInventoryAdjusted, orders.SchemaRefInventoryAdjusted, ia, env, err)
	cn := customerNotified()
	env, err = p.pub.PublishCustomerNotified(ctx, ch, cn)
	publish(orders.AspectCustomerNotified, orders.SchemaRefCustomerNotified, cn, env, err)
	oc := orderCancelled()
	env, err = p.pub.PublishOrderCancelled(ctx, ch, oc)
	publish(orders.AspectOrderCancelled, orders.SchemaRefOrderCancelled, oc, env, err)

	for _, r := range []*recorder{typed, iface} {
		got := r.wait(t, len(want))
		for i, w := range want {
			g := got[i]
			if diff := cmp.Diff(w.msg, g.Msg, compare); diff != "" {
				t.Errorf("%s: %s #%d value (-sent +received):\n%s", r.via, w.aspect, i+1, diff)
			}
			e := g.Env
			if e.Aspect != w.aspect || e.SchemaRef != w.ref || e.Channel != ch || e.Sequence != int64(i+1) ||
				e.Producer != checkout || e.Causation != nil {
				t.Errorf("%s: envelope %d = {aspect %q, schema_ref %q, channel %q, sequence %d, producer %+v, causation %+v}, want {%q, %q, %q, %d, %+v, nil}",
					r.via, i, e.Aspect, e.SchemaRef, e.Channel, e.Sequence, e.Producer, e.Causation, w.aspect, w.ref, ch, i+1, checkout)
			}
			if w.env.Sequence != e.Sequence || w.env.Aspect != e.Aspect || w.env.SchemaRef != e.SchemaRef {
				t.Errorf("%s: PublishXxx returned envelope {%d %q %q}, received {%d %q %q}",
					r.via, w.env.Sequence, w.env.Aspect, w.env.SchemaRef, e.Sequence, e.Aspect, e.SchemaRef)
			}
		}
	}
	p.noError(t)
}

// TestDerivedCarriesCausation reacts to an order with derived envelopes on
// the same channel (Subscription) and on another one (Client).
func TestDerivedCarriesCausation(t *testing.T) {
	p := newPair(t)
	ctx := context.Background()
	derived := newRecorder("derived")
	var sub *orders.Subscription
	sub = p.subscribe(t, "orders", func(s *orders.Subscription) {
		s.OnOrderPlaced(func(ctx context.Context, env *envelope.Envelope, m *orders.OrderPlaced) error {
			if _, err := s.PublishDerivedPaymentCaptured(ctx, paymentCaptured(orders.Wallet{Provider: orders.WalletProviderPaypal})); err != nil {
				return err
			}
			_, err := p.sub.PublishDerivedCustomerNotified(ctx, "customers", customerNotified())
			return err
		})
		s.OnPaymentCaptured(func(_ context.Context, env *envelope.Envelope, m *orders.PaymentCaptured) error {
			return derived.add(env, m)
		})
	})
	p.subscribe(t, "customers", func(s *orders.Subscription) {
		s.OnCustomerNotified(func(_ context.Context, env *envelope.Envelope, m *orders.CustomerNotified) error {
			return derived.add(env, m)
		})
	})
	for range 2 {
		if _, err := p.pub.PublishOrderPlaced(ctx, "orders", orderPlaced()); err != nil {
			t.Fatal(err)
		}
	}
	got := derived.wait(t, 4)
	seen := map[string]int64{}
	for _, g := range got {
		e := g.Env
		seen[e.Channel]++
		want := &envelope.Causation{ParentChannel: "orders", ParentSequence: seen[e.Channel], ParentProducer: checkout.ID}
		if diff := cmp.Diff(want, e.Causation); diff != "" {
			t.Errorf("%s #%d causation (-want +got):\n%s", e.Aspect, e.Sequence, diff)
		}
		if e.Producer != fulfilment || e.Sequence != seen[e.Channel] {
			t.Errorf("%s on %s: producer %+v sequence %d, want %+v %d", e.Aspect, e.Channel, e.Producer, e.Sequence, fulfilment, seen[e.Channel])
		}
	}
	if _, err := sub.PublishDerivedPaymentCaptured(ctx, paymentCaptured(orders.Wallet{Provider: orders.WalletProviderPaypal})); !errors.Is(err, client.ErrNoParent) {
		t.Errorf("PublishDerived outside a handler: %v, want ErrNoParent", err)
	}
	if _, err := p.sub.PublishDerivedOrderCancelled(ctx, "orders", orderCancelled()); !errors.Is(err, client.ErrNoParent) {
		t.Errorf("Client.PublishDerived outside a handler: %v, want ErrNoParent", err)
	}
	p.noError(t)
}

// TestPublishRefusesInvalid: a value that violates its schema, or a nil
// message, is not sent and uses no sequence number.
func TestPublishRefusesInvalid(t *testing.T) {
	p := newPair(t)
	ctx := context.Background()
	got := newRecorder("OnOrderPlaced")
	p.subscribe(t, "orders", func(s *orders.Subscription) {
		s.OnOrderPlaced(func(_ context.Context, env *envelope.Envelope, m *orders.OrderPlaced) error { return got.add(env, m) })
	})
	bad := orderPlaced()
	bad.Lines[1].Quantity = 0
	bad.Total.Currency = "euro"
	_, err := p.pub.PublishOrderPlaced(ctx, "orders", bad)
	var verrs parsec.ValidationErrors
	if !errors.As(err, &verrs) || len(verrs) != 2 {
		t.Fatalf("publish invalid: %v, want 2 validation errors", err)
	}
	for _, want := range []string{"/lines/1/quantity", "/total/currency"} {
		if !containsPointer(verrs, want) {
			t.Errorf("validation errors %v do not name %s", err, want)
		}
	}
	if _, err := p.pub.PublishOrderPlaced(ctx, "orders", nil); err == nil {
		t.Error("publishing a nil message succeeded")
	}
	env, err := p.pub.PublishOrderPlaced(ctx, "orders", orderPlaced())
	if err != nil {
		t.Fatal(err)
	}
	if env.Sequence != 1 {
		t.Errorf("first valid publish has sequence %d, want 1 (refused publishes must not use numbers)", env.Sequence)
	}
	if r := got.wait(t, 1); r[0].Env.Sequence != 1 {
		t.Errorf("received sequence %d", r[0].Env.Sequence)
	}
	p.noError(t)
}

func containsPointer(errs parsec.ValidationErrors, ptr string) bool {
	for _, e := range errs {
		if e.Pointer == ptr {
			return true
		}
	}
	return false
}

// badOrder is an order_placed payload that violates its schema, sent with
// the untyped API by a publisher without validation.
var badOrder = map[string]any{
	"order_id": "0b4f1c9e-3d6a-4c1e-9a57-2f8d6b1e7c30", "customer_id": "cus_1", "sales_channel": "fax",
	"lines": []any{}, "total": map[string]any{"amount_minor": 1, "currency": "EUR"}, "placed_at": "2026-05-27T14:22:09Z",
}

// TestStrictRejects: with the package's validator in strict mode, a payload
// that violates the schema never reaches a handler and is reported.
func TestStrictRejects(t *testing.T) {
	v, err := orders.NewValidator(schema.ModeStrict)
	if err != nil {
		t.Fatal(err)
	}
	p := newPair(t, client.WithValidator(v))
	ctx := context.Background()
	typed := newRecorder("typed")
	any := newRecorder("any")
	sub := p.subscribe(t, "orders", func(s *orders.Subscription) {
		s.HandleEnvelope(func(_ context.Context, env *envelope.Envelope) error { return any.add(env, nil) })
		s.OnOrderPlaced(func(_ context.Context, env *envelope.Envelope, m *orders.OrderPlaced) error { return typed.add(env, m) })
	})
	if _, err := p.pub.PublishAspect(ctx, "orders", orders.AspectOrderPlaced, badOrder); err != nil {
		t.Fatal(err)
	}
	err = p.nextError(t)
	var de *client.DeliveryError
	var ve *schema.ValidationError
	if !errors.As(err, &de) || !errors.As(err, &ve) || !errors.Is(err, schema.ErrInvalidPayload) {
		t.Fatalf("reported %T %v, want a DeliveryError wrapping a schema.ValidationError", err, err)
	}
	if de.Envelope == nil || de.Envelope.Sequence != 1 || ve.SchemaRef != orders.SchemaRefOrderPlaced {
		t.Errorf("report names envelope %+v, schema %q", de.Envelope, ve.SchemaRef)
	}
	if !hasViolation(ve, "/sales_channel") || !hasViolation(ve, "/lines") {
		t.Errorf("violations %+v do not name /sales_channel and /lines", ve.Causes)
	}
	// A valid order afterwards arrives, and only it.
	if _, err := p.pub.PublishOrderPlaced(ctx, "orders", orderPlaced()); err != nil {
		t.Fatal(err)
	}
	if got := typed.wait(t, 1); got[0].Env.Sequence != 2 {
		t.Errorf("typed handler got sequence %d, want 2", got[0].Env.Sequence)
	}
	if got := any.wait(t, 1); got[0].Env.Sequence != 2 {
		t.Errorf("envelope handler got sequence %d, want 2", got[0].Env.Sequence)
	}
	if st := sub.Stats(); st.Rejected != 1 || st.Delivered != 1 {
		t.Errorf("stats %+v, want 1 rejected, 1 delivered", st)
	}
	p.noError(t)
}

// TestWarnDelivers: in warn mode the same payload is delivered with a
// report. Typed handlers still only see values that decode and validate, so
// the typed handler reports the payload instead of receiving it, while an
// envelope handler receives it.
func TestWarnDelivers(t *testing.T) {
	v, err := orders.NewValidator(schema.ModeWarn)
	if err != nil {
		t.Fatal(err)
	}
	p := newPair(t, client.WithValidator(v))
	ctx := context.Background()
	typed := newRecorder("typed")
	any := newRecorder("any")
	p.subscribe(t, "orders", func(s *orders.Subscription) {
		s.HandleEnvelope(func(_ context.Context, env *envelope.Envelope) error { return any.add(env, nil) })
		s.OnOrderPlaced(func(_ context.Context, env *envelope.Envelope, m *orders.OrderPlaced) error { return typed.add(env, m) })
	})
	if _, err := p.pub.PublishAspect(ctx, "orders", orders.AspectOrderPlaced, badOrder); err != nil {
		t.Fatal(err)
	}
	if got := any.wait(t, 1); got[0].Env.Sequence != 1 {
		t.Errorf("envelope handler got sequence %d", got[0].Env.Sequence)
	}
	var sawValidation, sawPayload bool
	for range 2 {
		err := p.nextError(t)
		var pe *client.PayloadError
		switch {
		case errors.Is(err, schema.ErrInvalidPayload):
			sawValidation = true
		case errors.As(err, &pe):
			sawPayload = pe.Aspect == orders.AspectOrderPlaced
		default:
			t.Errorf("unexpected report %v", err)
		}
	}
	if !sawValidation || !sawPayload {
		t.Errorf("reports: validation %v, typed payload %v; want both", sawValidation, sawPayload)
	}
	if _, err := p.pub.PublishOrderPlaced(ctx, "orders", orderPlaced()); err != nil {
		t.Fatal(err)
	}
	if got := typed.wait(t, 1); got[0].Env.Sequence != 2 {
		t.Errorf("typed handler got sequence %d, want 2 (the invalid one must not reach it)", got[0].Env.Sequence)
	}
	p.noError(t)
}

func hasViolation(ve *schema.ValidationError, ptr string) bool {
	for _, c := range ve.Causes {
		if c.Pointer == ptr {
			return true
		}
	}
	return false
}

// partial handles only orders; the rest falls to UnimplementedHandler.
type partial struct {
	orders.UnimplementedHandler
	got *recorder
}

func (h partial) HandleOrderPlaced(_ context.Context, env *envelope.Envelope, m *orders.OrderPlaced) error {
	return h.got.add(env, m)
}

// TestUnimplementedHandlerReports: an aspect the handler opted out of is
// reported to the error hooks, not dropped silently.
func TestUnimplementedHandlerReports(t *testing.T) {
	p := newPair(t)
	ctx := context.Background()
	h := partial{got: newRecorder("partial")}
	p.subscribe(t, "orders", func(s *orders.Subscription) { s.Handle(h) })
	if _, err := p.pub.PublishOrderCancelled(ctx, "orders", orderCancelled()); err != nil {
		t.Fatal(err)
	}
	if _, err := p.pub.PublishOrderPlaced(ctx, "orders", orderPlaced()); err != nil {
		t.Fatal(err)
	}
	err := p.nextError(t)
	var de *client.DeliveryError
	if !errors.Is(err, errors.ErrUnsupported) || !errors.As(err, &de) || de.Envelope.Aspect != orders.AspectOrderCancelled {
		t.Errorf("reported %v, want an ErrUnsupported delivery error for order_cancelled", err)
	}
	if got := h.got.wait(t, 1); got[0].Env.Aspect != orders.AspectOrderPlaced {
		t.Errorf("handled %q", got[0].Env.Aspect)
	}
	p.noError(t)
}

// TestValidatorAcceptsWhatPublishSends checks the embedded schemas against
// every published value: what the typed API sends passes strict validation
// with the exact schemas the package was generated from.
func TestValidatorAcceptsWhatPublishSends(t *testing.T) {
	v, err := orders.NewValidator(schema.ModeStrict)
	if err != nil {
		t.Fatal(err)
	}
	p := newPair(t)
	ctx := context.Background()
	envs := []func() (*envelope.Envelope, error){
		func() (*envelope.Envelope, error) { return p.pub.PublishOrderPlaced(ctx, "c", orderPlaced()) },
		func() (*envelope.Envelope, error) { return p.pub.PublishOrderCancelled(ctx, "c", orderCancelled()) },
		func() (*envelope.Envelope, error) {
			return p.pub.PublishPaymentCaptured(ctx, "c", paymentCaptured(orders.Card{Brand: orders.CardBrandAmex, Last4: "0005"}))
		},
		func() (*envelope.Envelope, error) {
			return p.pub.PublishShipmentDispatched(ctx, "c", shipmentDispatched())
		},
		func() (*envelope.Envelope, error) {
			return p.pub.PublishInventoryAdjusted(ctx, "c", inventoryAdjusted())
		},
		func() (*envelope.Envelope, error) { return p.pub.PublishCustomerNotified(ctx, "c", customerNotified()) },
	}
	for _, publish := range envs {
		env, err := publish()
		if err != nil {
			t.Fatal(err)
		}
		if err := v.Validate(env); err != nil {
			t.Errorf("%s: %v", env.Aspect, err)
		}
	}
	if got, want := len(v.Registry().Aspects()), len(envs); got != want {
		t.Errorf("validator knows %d aspects, want %d", got, want)
	}
}

// The registry entries carry each payload schema as its file is written (a
// registry holds that text, and drift detection compares with it), while
// Aspects embeds the compact form the validator needs.
func TestRegistryEntriesCarrySchemasAsWritten(t *testing.T) {
	written, err := os.ReadFile(filepath.Join("..", "..", "schemas", "order_placed.json"))
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, e := range orders.RegistryEntries() {
		for _, a := range e.Aspects {
			if a.Name != orders.AspectOrderPlaced {
				continue
			}
			found = true
			if !registry.SameSchema(a.PayloadSchema, written) {
				t.Errorf("pattern %s: the payload schema of %s is not schemas/order_placed.json as written", e.Pattern, a.Name)
			}
		}
	}
	if !found {
		t.Fatal("no registry entry has the aspect order_placed")
	}
	for _, a := range orders.Aspects {
		if a.Name == orders.AspectOrderPlaced && registry.SameSchema(a.Schema, written) {
			t.Error("Aspects embeds order_placed.json as written; want the compact form")
		}
	}
}
