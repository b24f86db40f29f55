package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/envelope"
	"github.com/parsec-gen/parsec-gen/runtime/schema"
	"github.com/parsec-gen/parsec-gen/runtime/transport/ws"
	"github.com/parsec-gen/parsec-gen/server"
)

// handled records what a runtime subscription's handler, gap hook and error
// hook saw.
type handled struct {
	mu     sync.Mutex
	seqs   map[string][]int64 // producer -> sequences in handler order
	gaps   []int64
	errs   []error
	unique map[string]map[int64]bool
	dups   int
}

func newHandled() *handled {
	return &handled{seqs: map[string][]int64{}, unique: map[string]map[int64]bool{}}
}

func (h *handled) attach(s *client.Subscription) {
	s.OnGap(func(_ string, n int64) {
		h.mu.Lock()
		h.gaps = append(h.gaps, n)
		h.mu.Unlock()
	})
	s.OnError(func(err error) {
		h.mu.Lock()
		h.errs = append(h.errs, err)
		h.mu.Unlock()
	})
	// Last: the envelope handler begins dispatch.
	s.HandleEnvelope(func(_ context.Context, env *envelope.Envelope) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		p := env.Producer.ID
		if h.unique[p] == nil {
			h.unique[p] = map[int64]bool{}
		}
		if h.unique[p][env.Sequence] {
			h.dups++
		}
		h.unique[p][env.Sequence] = true
		h.seqs[p] = append(h.seqs[p], env.Sequence)
		return nil
	})
}

func (h *handled) count(producer string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.unique[producer])
}

// inOrder reports whether producer's sequences were handled strictly
// increasing.
func (h *handled) inOrder(producer string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.seqs[producer]
	for i := 1; i < len(s); i++ {
		if s[i] <= s[i-1] {
			return false
		}
	}
	return true
}

func newRuntimeClient(t testing.TB, tr client.Transport, producer string, opts ...client.Option) *client.Client {
	t.Helper()
	c, err := client.New(append([]client.Option{client.WithTransport(tr),
		client.WithProducer(envelope.Producer{ID: producer, Kind: envelope.ProducerService})}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	connected(t, c, 10*time.Second)
	return c
}

func runtimeSubscribe(t testing.TB, c *client.Client, channel string) (*client.Subscription, *handled) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := c.Subscribe(ctx, channel)
	if err != nil {
		t.Fatal(err)
	}
	h := newHandled()
	h.attach(s)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	return s, h
}

// Client level, faults 1, 2 and 5 together: a runtime client publishing
// through one WebSocket transport, another handling through a second one,
// forced reconnects and a server restart in between. The handler sees each
// message once, in order per producer; OnGap fires only for the restart,
// where messages really were lost.
func TestWSClientReconnectAndRestart(t *testing.T) {
	const channel = "orders:client"
	secret := []byte("client-secret")
	srv := startServer(t, server.Config{Secret: secret})
	sub := newRuntimeClient(t, dialWS(t, srv, srv.URL(), "subscriber"), "sub")
	pubTr := dialWS(t, srv, srv.URL(), "publisher")
	pub := newRuntimeClient(t, pubTr, "pub")
	s, h := runtimeSubscribe(t, sub, channel)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sent := 0
	publish := func(k int) {
		for range k {
			sent++
			if _, err := pub.PublishAspect(ctx, channel, "tick", tick{I: sent}); err != nil {
				t.Fatalf("publish #%d: %v", sent, err)
			}
		}
	}
	publish(100)
	for range 3 {
		if err := srv.Disconnect("subscriber", true); err != nil {
			t.Fatal(err)
		}
		publish(100)
	}
	waitFor(t, 20*time.Second, "400 handled", func() bool { return h.count("pub") == 400 })
	ordered := h.inOrder("pub")
	h.mu.Lock()
	gaps, dups := append([]int64(nil), h.gaps...), h.dups
	h.mu.Unlock()
	if len(gaps) != 0 || dups != 0 || !ordered {
		t.Fatalf("after forced reconnects: gaps %v, dups %d, in order %v", gaps, dups, ordered)
	}

	// Restart: both clients reconnect to the new node; what was published
	// before the restart is gone with the old epoch. Nothing is published
	// while the subscriber is away, so no message is lost: OnGap hears
	// nothing, and the transport's unknown-size epoch change reaches the
	// error hooks once, as a stream-level loss.
	rctx, rcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer rcancel()
	if err := srv.Close(rctx); err != nil {
		t.Fatal(err)
	}
	var srv2 *server.Server
	waitFor(t, 10*time.Second, "restart", func() bool {
		var err error
		srv2, err = server.Start(rctx, server.Config{Addr: srv.Addr(), Secret: secret})
		return err == nil
	})
	t.Cleanup(func() {
		if err := srv2.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	waitFor(t, 20*time.Second, "epoch change reported", func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		return len(streamLosses(h.errs)) == 1
	})
	publish(100)
	waitFor(t, 20*time.Second, "500 handled", func() bool { return h.count("pub") == 500 })
	h.mu.Lock()
	defer h.mu.Unlock()
	if sl := streamLosses(h.errs); h.dups != 0 || len(h.gaps) != 0 || len(sl) != 1 || sl[0].Missed != -1 {
		t.Fatalf("after restart: dups %d, gaps %v, stream-level losses %v (want none, none, one of unknown size)", h.dups, h.gaps, sl)
	}
	st := s.Stats()
	t.Logf("FIGURES ws/client-reconnect-restart: sent %d, handled %d, duplicates %d, gaps %v, stats %+v",
		sent, len(h.unique["pub"]), h.dups, h.gaps, st)
}

const (
	tickSchema = `{"$id":"https://example.com/tick.json","type":"object","required":["i"],"properties":{"i":{"type":"integer"}}}`
	noteSchema = `{"$id":"https://example.com/note.json","type":"object","required":["text"],"properties":{"text":{"type":"string"}},"additionalProperties":false}`
)

// Fault 8: bad input from the wire — non-JSON data, an envelope missing
// fields, an oversized publication, a payload of another aspect's schema —
// each reaches the error hook and the subscription goes on.
func TestWSBadInput(t *testing.T) {
	const channel = "orders:bad"
	srv := startServer(t, server.Config{})
	v, err := schema.NewValidator(schema.ModeStrict, []schema.Aspect{
		{Name: "tick", Schema: []byte(tickSchema)},
		{Name: "note", Schema: []byte(noteSchema)},
	})
	if err != nil {
		t.Fatal(err)
	}
	tr := dialWS(t, srv, srv.URL(), "subscriber", ws.WithMaxMessageSize(4096))
	c := newRuntimeClient(t, tr, "sub", client.WithValidator(v))
	s, h := runtimeSubscribe(t, c, channel)

	raw := func(b []byte) {
		if _, _, err := srv.Publish(channel, b); err != nil {
			t.Fatal(err)
		}
	}
	good := func(i int) { raw(encodeTick(t, channel, "p", i)) }
	big, err := envelope.Encode(&envelope.Envelope{Channel: channel, Sequence: 3, ProducedAt: time.Now().UTC(),
		Producer: envelope.Producer{ID: "q", Kind: envelope.ProducerService}, Aspect: "tick",
		Payload: json.RawMessage(fmt.Sprintf(`{"i":3,"pad":%q}`, strings.Repeat("x", 8192)))})
	if err != nil {
		t.Fatal(err)
	}
	wrongSchema, err := envelope.Encode(&envelope.Envelope{Channel: channel, Sequence: 4, ProducedAt: time.Now().UTC(),
		Producer: envelope.Producer{ID: "q", Kind: envelope.ProducerService}, Aspect: "tick",
		Payload: json.RawMessage(`{"text":"a note, not a tick"}`)})
	if err != nil {
		t.Fatal(err)
	}

	good(1)
	raw([]byte("not json at all"))                       // undecodable
	raw([]byte(`{"channel":"orders:bad","aspect":"x"}`)) // missing fields
	good(2)
	raw(big)         // over the transport's 4 KiB limit
	raw(wrongSchema) // "tick" carrying a "note" payload
	good(3)
	good(4)
	waitFor(t, 20*time.Second, "good messages", func() bool { return h.count("p") == 4 })
	waitFor(t, 10*time.Second, "four error reports", func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		return len(h.errs) >= 4
	})
	ordered := h.inOrder("p")
	h.mu.Lock()
	defer h.mu.Unlock()
	var decode, oversized, invalid int
	for _, err := range h.errs {
		var de *client.DeliveryError
		var se *client.StreamError
		var ve *schema.ValidationError
		switch {
		case errors.As(err, &ve):
			invalid++
		case errors.As(err, &se) && se.Event.Kind == client.EventError && strings.Contains(err.Error(), "over the 4096-byte limit"):
			oversized++
		case errors.As(err, &de):
			decode++
		}
	}
	if decode != 2 || oversized != 1 || invalid != 1 {
		t.Fatalf("error reports: %d decode (want 2), %d oversized (want 1), %d schema (want 1): %v", decode, oversized, invalid, h.errs)
	}
	if len(h.gaps) != 0 || !ordered {
		t.Fatalf("gaps %v, in order %v", h.gaps, ordered)
	}
	select {
	case <-s.Done():
		t.Fatalf("subscription ended: %v", s.Err())
	default:
	}
	t.Logf("FIGURES ws/bad-input: sent 4 good + 4 bad, handled %d, errors: decode %d, oversized %d, schema %d",
		len(h.unique["p"]), decode, oversized, invalid)
}

// Two runtime Subscriptions on one channel over one WebSocket transport both
// receive; after one unsubscribes, the other still does.
func TestWSClientTwoSubscriptionsOneChannel(t *testing.T) {
	const channel = "orders:two-subs"
	srv := startServer(t, server.Config{})
	c := newRuntimeClient(t, dialWS(t, srv, srv.URL(), "two"), "two")
	s1, h1 := runtimeSubscribe(t, c, channel)
	_, h2 := runtimeSubscribe(t, c, channel)
	publishServerSide(t, srv, channel, "p", 1, 50, nil)
	waitFor(t, 10*time.Second, "both subscriptions", func() bool { return h1.count("p") == 50 && h2.count("p") == 50 })
	if err := s1.Unsubscribe(); err != nil {
		t.Fatal(err)
	}
	publishServerSide(t, srv, channel, "p", 51, 100, nil)
	waitFor(t, 10*time.Second, "the remaining subscription", func() bool { return h2.count("p") == 100 })
	if n := h1.count("p"); n != 50 {
		t.Fatalf("unsubscribed subscription handled %d, want 50", n)
	}
	for _, h := range []*handled{h1, h2} {
		if !h.inOrder("p") {
			t.Fatal("out of order")
		}
		h.mu.Lock()
		gaps, dups := len(h.gaps), h.dups
		h.mu.Unlock()
		if gaps != 0 || dups != 0 {
			t.Fatalf("gaps %d, dups %d", gaps, dups)
		}
	}
}
