package client

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parsec-gen/parsec-gen/runtime/envelope"
)

// benchOrder is a typical aspect payload.
type benchOrder struct {
	OrderID  string   `json:"order_id"`
	Customer string   `json:"customer"`
	Amount   int64    `json:"amount"`
	Currency string   `json:"currency"`
	Items    []string `json:"items"`
	Express  bool     `json:"express"`
}

var benchMsg = benchOrder{OrderID: "o-12345", Customer: "c-987", Amount: 4999, Currency: "EUR",
	Items: []string{"sku-1", "sku-2", "sku-3"}, Express: true}

// stdEnvelope mirrors envelope.Envelope's wire form for encoding/json
// without the hand-written codec.
type stdEnvelope struct {
	Channel    string          `json:"channel"`
	Sequence   int64           `json:"sequence"`
	ProducedAt time.Time       `json:"produced_at"`
	Producer   stdProducer     `json:"producer"`
	Aspect     string          `json:"aspect"`
	SchemaRef  string          `json:"schema_ref,omitempty"`
	Causation  *stdCausation   `json:"causation,omitempty"`
	Payload    json.RawMessage `json:"payload,omitempty"`
}

type stdProducer struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
}

type stdCausation struct {
	ParentChannel  string `json:"parent_channel"`
	ParentSequence int64  `json:"parent_sequence"`
	ParentProducer string `json:"parent_producer,omitempty"`
}

// BenchmarkPublishDispatchStdlib is the baseline: the same work by hand with
// encoding/json — marshal the payload and the envelope, unmarshal both.
func BenchmarkPublishDispatchStdlib(b *testing.B) {
	b.ReportAllocs()
	var sink int64
	for i := 0; b.Loop(); i++ {
		p, err := json.Marshal(&benchMsg)
		if err != nil {
			b.Fatal(err)
		}
		data, err := json.Marshal(&stdEnvelope{Channel: "orders", Sequence: int64(i + 1), ProducedAt: time.Now().UTC(),
			Producer: stdProducer{ID: "alice", Kind: "user"}, Aspect: "order_placed",
			SchemaRef: "https://schemas.example.com/order_placed.json", Payload: p})
		if err != nil {
			b.Fatal(err)
		}
		var env stdEnvelope
		if err := json.Unmarshal(data, &env); err != nil {
			b.Fatal(err)
		}
		var msg benchOrder
		if err := json.Unmarshal(env.Payload, &msg); err != nil {
			b.Fatal(err)
		}
		sink += msg.Amount
	}
	if sink == 0 {
		b.Fatal("nothing decoded")
	}
}

// benchPair returns a publishing client and a started subscription whose
// typed handler calls onMsg.
func benchPair(b *testing.B, onMsg func()) (*Client, func()) {
	broker := NewMemoryTransport(MemoryHistorySize(1 << 14))
	pub, err := New(WithTransport(broker), WithProducer(alice))
	if err != nil {
		b.Fatal(err)
	}
	sub, err := New(WithTransport(broker.Peer(MemoryBufferSize(1 << 12))))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := pub.Connect(ctx, ""); err != nil {
		b.Fatal(err)
	}
	if err := sub.Connect(ctx, ""); err != nil {
		b.Fatal(err)
	}
	s, err := sub.Subscribe(ctx, "orders")
	if err != nil {
		b.Fatal(err)
	}
	s.OnError(func(err error) { b.Error(err) })
	HandleAspectTyped(s, "order_placed", func(_ context.Context, _ *envelope.Envelope, m *benchOrder) error {
		if m.Amount != benchMsg.Amount {
			b.Errorf("decoded amount %d", m.Amount)
		}
		onMsg()
		return nil
	})
	if err := s.Start(); err != nil {
		b.Fatal(err)
	}
	return pub, func() {
		if err := sub.Close(); err != nil {
			b.Error(err)
		}
		if err := pub.Close(); err != nil {
			b.Error(err)
		}
	}
}

// BenchmarkPublishDispatchTyped measures publish -> typed handler over the
// MemoryTransport: Publish marshals the payload and encodes the envelope,
// the subscription decodes it, runs gap detection and decodes the payload
// for the typed handler on its own goroutine. The publisher keeps at most
// 256 envelopes in flight.
func BenchmarkPublishDispatchTyped(b *testing.B) {
	var got atomic.Int64
	pub, closeAll := benchPair(b, func() { got.Add(1) })
	defer closeAll()
	ctx := context.Background()
	b.ReportAllocs()
	n := int64(0)
	for b.Loop() {
		n++
		if _, err := pub.PublishAspect(ctx, "orders", "order_placed", &benchMsg); err != nil {
			b.Fatal(err)
		}
		if n-got.Load() > 256 {
			waitDelivered(b, &got, n-256)
		}
	}
	waitDelivered(b, &got, n)
}

// benchWait bounds every wait of a benchmark for a delivery: a lost
// envelope fails it instead of hanging it.
const benchWait = 10 * time.Second

// waitDelivered waits until got reaches n, failing the benchmark after
// benchWait.
func waitDelivered(b *testing.B, got *atomic.Int64, n int64) {
	deadline := time.Now().Add(benchWait)
	for got.Load() < n {
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d envelopes delivered after %v", got.Load(), n, benchWait)
		}
		time.Sleep(time.Microsecond)
	}
}

// BenchmarkPublishDispatchTypedSync is BenchmarkPublishDispatchTyped with
// one envelope in flight: each publish waits for its handler, so it
// includes a goroutine hand-off per envelope.
func BenchmarkPublishDispatchTypedSync(b *testing.B) {
	done := make(chan struct{}, 1)
	pub, closeAll := benchPair(b, func() { done <- struct{}{} })
	defer closeAll()
	ctx := context.Background()
	b.ReportAllocs()
	timer := time.NewTimer(benchWait)
	defer timer.Stop()
	for b.Loop() {
		if _, err := pub.PublishAspect(ctx, "orders", "order_placed", &benchMsg); err != nil {
			b.Fatal(err)
		}
		timer.Reset(benchWait)
		select {
		case <-done:
		case <-timer.C:
			b.Fatalf("envelope not delivered within %v", benchWait)
		}
	}
}

func benchPublish(b *testing.B, opts ...Option) {
	c, err := New(append([]Option{WithTransport(NewMemoryTransport(MemoryHistorySize(1024))), WithProducer(alice)}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := c.Connect(ctx, ""); err != nil {
		b.Fatal(err)
	}
	payload, err := json.Marshal(&benchMsg)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.PublishPayload(ctx, "orders", Payload{Aspect: "order_placed", Data: payload}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if err := c.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkPublish publishes pre-encoded payloads with no snapshotter: the
// baseline of BenchmarkPublishFileSnapshot.
func BenchmarkPublish(b *testing.B) { benchPublish(b) }

// BenchmarkPublishFileSnapshot publishes with a FileSnapshotter (fsync'd
// writes) at two reserves: the background writer keeps the durable mark
// ahead, and a publish waits for the disk only when it catches up with it.
func BenchmarkPublishFileSnapshot(b *testing.B) {
	for _, reserve := range []int64{1024, 4096, 16384} {
		b.Run(fmt.Sprintf("reserve=%d", reserve), func(b *testing.B) {
			benchPublish(b, WithSnapshotter(NewFileSnapshotter(filepath.Join(b.TempDir(), "seq.json"))),
				WithSnapshotReserve(reserve))
		})
	}
}

// BenchmarkFileSnapshotterSave measures one durable snapshot write (temp
// file, fsync, rename, directory fsync) of ten channels.
func BenchmarkFileSnapshotterSave(b *testing.B) {
	s := NewFileSnapshotter(filepath.Join(b.TempDir(), "seq.json"))
	state := make(map[string]int64, 10)
	for i := 0; i < 10; i++ {
		state[fmt.Sprintf("orders:%d", i)] = int64(i) * 1000
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Save(state); err != nil {
			b.Fatal(err)
		}
	}
}
