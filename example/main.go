// Command example runs an order lifecycle through the typed Parsec client
// generated from ../schemas (package orders) and prints what happens.
//
// A checkout service publishes orders; a fulfilment service reacts to them
// with derived envelopes (payment captured or order cancelled, shipment,
// inventory, a customer notification on another channel); an audit service
// implements the generated Handler interface on every channel and prints each
// envelope it receives with its sequence, producer and causation. A point of
// sale whose link lost two envelopes shows gap reporting, and a publisher
// without schema checks shows strict validation rejecting a bad payload.
//
// By default everything runs against an embedded server on 127.0.0.1 over
// the real WebSocket transport. To use an external Centrifugo or Parsec
// server instead:
//
//	go run . -server ws://localhost:8000/connection/websocket -token "$TOKEN"
//
// or set PARSEC_URL and PARSEC_TOKEN. The channels used are "orders",
// "customers" and "stores"; the server must let clients publish to and
// subscribe on them and keep history for recovery.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/parsec-gen/parsec-gen/example/orders"
	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/envelope"
	"github.com/parsec-gen/parsec-gen/runtime/registry"
	"github.com/parsec-gen/parsec-gen/runtime/schema"
	"github.com/parsec-gen/parsec-gen/runtime/transport/ws"
	"github.com/parsec-gen/parsec-gen/server"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// channels are the example's channel names, after the -prefix flag.
type channels struct {
	orders, customers, stores string
}

// config is what the command line chooses.
type config struct {
	serverURL string
	token     string
	prefix    string
	memory    bool
	timeout   time.Duration
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("example", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	fs.StringVar(&cfg.serverURL, "server", os.Getenv("PARSEC_URL"), "WebSocket URL of an external Centrifugo/Parsec server (default: an embedded server; env PARSEC_URL)")
	fs.StringVar(&cfg.token, "token", os.Getenv("PARSEC_TOKEN"), "connection token (JWT) for -server (env PARSEC_TOKEN)")
	fs.StringVar(&cfg.prefix, "prefix", "", "prefix of the channel names, e.g. \"parsec:\" for a Centrifugo namespace")
	fs.BoolVar(&cfg.memory, "memory", false, "use the in-process MemoryTransport instead of a server")
	fs.DurationVar(&cfg.timeout, "timeout", 20*time.Second, "give up when the scenario has not completed within this time")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	defer cancel()
	if err := scenario(ctx, cfg, &printer{w: stdout}); err != nil {
		fmt.Fprintln(stderr, "example:", err)
		return 1
	}
	return 0
}

// printer serialises transcript lines written from several goroutines.
type printer struct {
	mu sync.Mutex
	w  io.Writer
}

func (p *printer) section(title string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "\n== %s\n", title)
}

func (p *printer) printf(who, format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "%-13s %s\n", who, fmt.Sprintf(format, args...))
}

// connector makes a connected runtime client for a producer.
type connector func(ctx context.Context, producer string, opts ...client.Option) (*client.Client, error)

// transports returns how clients connect: to an embedded server, an
// external one, or an in-memory broker. stop releases what it started.
func transports(ctx context.Context, cfg config, out *printer) (connector, func(), error) {
	newClient := func(ctx context.Context, t client.Transport, producer string, opts []client.Option) (*client.Client, error) {
		all := append([]client.Option{
			client.WithTransport(t),
			client.WithProducer(envelope.Producer{ID: producer, Kind: envelope.ProducerService}),
		}, opts...)
		c, err := client.New(all...)
		if err != nil {
			return nil, err
		}
		if err := c.Connect(ctx, ""); err != nil {
			return nil, errors.Join(fmt.Errorf("connect %s: %w", producer, err), c.Close())
		}
		return c, nil
	}
	switch {
	case cfg.memory:
		broker := client.NewMemoryTransport()
		out.printf("setup", "in-process memory transport (no server)")
		return func(ctx context.Context, producer string, opts ...client.Option) (*client.Client, error) {
			return newClient(ctx, broker.Peer(), producer, opts)
		}, func() {}, nil
	case cfg.serverURL != "":
		out.printf("setup", "external server %s", cfg.serverURL)
		return func(ctx context.Context, producer string, opts ...client.Option) (*client.Client, error) {
			var wsOpts []ws.Option
			if cfg.token != "" {
				wsOpts = append(wsOpts, ws.WithToken(cfg.token))
			}
			t, err := ws.New(cfg.serverURL, append(wsOpts, ws.WithName(producer))...)
			if err != nil {
				return nil, err
			}
			return newClient(ctx, t, producer, opts)
		}, func() {}, nil
	}
	// The embedded server serves a schema registry built from the same
	// schemas as the orders package, at Parsec's routes.
	reg, err := server.NewRegistry(orders.RegistryEntries()...)
	if err != nil {
		return nil, nil, fmt.Errorf("schema registry: %w", err)
	}
	srv, err := server.Start(ctx, server.Config{Registry: reg})
	if err != nil {
		return nil, nil, fmt.Errorf("start embedded server: %w", err)
	}
	out.printf("setup", "embedded server, WebSocket transport at %s", srv.URL())
	snap, _, err := registry.Fetch(ctx, nil, srv.RegistryURL())
	if err != nil {
		return nil, nil, fmt.Errorf("read the schema registry: %w", err)
	}
	for _, e := range snap.Patterns {
		var aspects []string
		for _, a := range e.Aspects {
			name := a.Name
			if a.Required {
				name += " (required)"
			}
			aspects = append(aspects, name)
		}
		out.printf("setup", "registry %s: pattern %q v%d: %s", srv.RegistryURL(), e.Pattern, e.Version, strings.Join(aspects, ", "))
	}
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			out.printf("setup", "closing the embedded server: %v", err)
		}
	}
	return func(ctx context.Context, producer string, opts ...client.Option) (*client.Client, error) {
		token, err := srv.Token(producer, time.Hour)
		if err != nil {
			return nil, err
		}
		t, err := ws.New(srv.URL(), ws.WithToken(token), ws.WithName(producer))
		if err != nil {
			return nil, err
		}
		return newClient(ctx, t, producer, opts)
	}, stop, nil
}

// describe prints where an envelope stands in its producer's stream.
func describe(env *envelope.Envelope) string {
	s := fmt.Sprintf("%s #%d from %s", env.Channel, env.Sequence, env.Producer.ID)
	if c := env.Causation; c != nil {
		s += fmt.Sprintf(", caused by %s #%d from %s", c.ParentChannel, c.ParentSequence, c.ParentProducer)
	}
	return s
}

// firstLine keeps the first line of an error for the transcript.
func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

func scenario(ctx context.Context, cfg config, out *printer) (err error) {
	ch := channels{orders: cfg.prefix + "orders", customers: cfg.prefix + "customers", stores: cfg.prefix + "stores"}
	connect, stop, err := transports(ctx, cfg, out)
	if err != nil {
		return err
	}
	defer stop()

	// Every client checks payloads against the schemas the package was
	// generated from; strict mode rejects what does not match.
	strict, err := orders.NewValidator(schema.ModeStrict)
	if err != nil {
		return err
	}
	var clients []*client.Client
	defer func() {
		for i := len(clients) - 1; i >= 0; i-- {
			err = errors.Join(err, clients[i].Close())
		}
	}()
	dial := func(producer string, opts ...client.Option) (*orders.Client, error) {
		c, err := connect(ctx, producer, opts...)
		if err != nil {
			return nil, err
		}
		clients = append(clients, c)
		return orders.NewClient(c), nil
	}

	audit := newAuditor(out)
	auditClient, err := dial("audit", client.WithValidator(strict), client.WithErrorHandler(audit.reportError))
	if err != nil {
		return err
	}
	for _, name := range []string{ch.orders, ch.customers, ch.stores} {
		sub, err := auditClient.Subscribe(ctx, name)
		if err != nil {
			return err
		}
		sub.Handle(audit)
		sub.OnGap(audit.gap)
		if err := sub.Start(); err != nil {
			return err
		}
	}

	fulfilment, err := dial("fulfilment", client.WithValidator(strict), client.WithErrorHandler(func(err error) {
		out.printf("fulfilment", "error: %v", firstLine(err))
	}))
	if err != nil {
		return err
	}
	sub, err := fulfilment.Subscribe(ctx, ch.orders)
	if err != nil {
		return err
	}
	f := &fulfiller{out: out, client: fulfilment, sub: sub, customers: ch.customers}
	sub.OnOrderPlaced(f.orderPlaced)
	sub.OnPaymentCaptured(f.paymentCaptured)
	sub.OnShipmentDispatched(f.shipmentDispatched)
	if err := sub.Start(); err != nil {
		return err
	}

	out.section("an order lifecycle: typed publishes, derived envelopes, every aspect")
	checkout, err := dial("checkout", client.WithValidator(strict))
	if err != nil {
		return err
	}
	// One order at a time, so the transcript reads in causal order: the
	// first is paid, shipped and notified (five envelopes), the second's
	// payment fails.
	for i, o := range []*orders.OrderPlaced{paidOrder(), unpaidOrder()} {
		// Printed before publishing: over a real connection the consequences
		// may arrive before the publish call returns.
		out.printf("checkout", "PublishOrderPlaced: order %s, %d line(s), total %s", orderID(o.OrderID), len(o.Lines), money(o.Total))
		if _, err := checkout.PublishOrderPlaced(ctx, ch.orders, o); err != nil {
			return err
		}
		if err := audit.wait(ctx, 5*(1-i)+7*i, 0, 0); err != nil {
			return err
		}
	}
	bad := paidOrder()
	bad.Lines[0].Quantity = 0
	if _, err := checkout.PublishOrderPlaced(ctx, ch.orders, bad); err != nil {
		out.printf("checkout", "refused to publish an invalid order: %v", firstLine(err))
	} else {
		return errors.New("an order with quantity 0 was published")
	}

	out.section("a gap: a point of sale loses two envelopes")
	// A point of sale whose link dropped two envelopes: its numbering
	// skips 2 and 3, which every subscriber reports as a gap.
	tracker := envelope.NewSequenceTracker()
	pos, err := dial("store-042", client.WithSequenceTracker(tracker))
	if err != nil {
		return err
	}
	for i, id := range []string{storeOrderIDs[0], storeOrderIDs[1]} {
		if i == 1 {
			tracker.Next(ch.stores)
			tracker.Next(ch.stores)
			out.printf("store-042", "lost envelopes #2 and #3 on the way (the numbers were used, the envelopes never arrived)")
		}
		out.printf("store-042", "PublishOrderPlaced: order %s", id)
		if _, err := pos.PublishOrderPlaced(ctx, ch.stores, storeOrder(id)); err != nil {
			return err
		}
	}

	if err := audit.wait(ctx, 9, 1, 0); err != nil {
		return err
	}

	out.section("strict validation on receipt")
	// A publisher without schema checks sends a payload that breaks the
	// schema; the audit client's strict validator rejects it on receipt.
	rogue, err := dial("legacy-import")
	if err != nil {
		return err
	}
	out.printf("legacy-import", "Publish (untyped, no schema checks): an order_placed payload with an invalid order_id and no lines")
	if _, err := rogue.PublishAspect(ctx, ch.stores, orders.AspectOrderPlaced, map[string]any{"order_id": "not-a-uuid", "lines": []any{}}); err != nil {
		return err
	}

	if err := audit.wait(ctx, 9, 1, 1); err != nil {
		return err
	}
	audit.summary()
	return nil
}
