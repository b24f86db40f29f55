package envelope

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"
)

// stdEnvelope has Envelope's fields and JSON tags but no custom methods, so
// encoding/json handles it by reflection: the baseline the codec is measured
// against.
type stdEnvelope struct {
	Channel    string          `json:"channel"`
	Sequence   int64           `json:"sequence"`
	ProducedAt time.Time       `json:"produced_at"`
	Producer   Producer        `json:"producer"`
	Aspect     string          `json:"aspect"`
	SchemaRef  string          `json:"schema_ref,omitempty"`
	Causation  *Causation      `json:"causation,omitempty"`
	Payload    json.RawMessage `json:"payload,omitempty"`
	Extra      json.RawMessage `json:"-"`
}

func BenchmarkEncode(b *testing.B) {
	e := sample()
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	b.SetBytes(int64(len(sampleWire)))
	for b.Loop() {
		var err error
		buf, err = AppendEncode(buf[:0], e)
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeNew(b *testing.B) {
	e := sample()
	b.ReportAllocs()
	b.SetBytes(int64(len(sampleWire)))
	for b.Loop() {
		if _, err := Encode(e); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeStdlib(b *testing.B) {
	e := stdEnvelope(*sample())
	b.ReportAllocs()
	b.SetBytes(int64(len(sampleWire)))
	for b.Loop() {
		if _, err := json.Marshal(&e); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	data := []byte(sampleWire)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeInto(b *testing.B) {
	data := []byte(sampleWire)
	var e Envelope
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := DecodeInto(data, &e); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeStdlib(b *testing.B) {
	data := []byte(sampleWire)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		e := new(stdEnvelope)
		if err := json.Unmarshal(data, e); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSequenceNext measures a reservation committed at once, against
// BenchmarkSequenceMutexMap, the obvious mutex-and-map counter without
// reservations.
func BenchmarkSequenceNext(b *testing.B) {
	tr := NewSequenceTracker()
	b.ReportAllocs()
	for b.Loop() {
		tr.Next("orders:eu")
	}
}

func BenchmarkSequenceMutexMap(b *testing.B) {
	var mu sync.Mutex
	m := map[string]int64{}
	b.ReportAllocs()
	for b.Loop() {
		mu.Lock()
		m["orders:eu"]++
		mu.Unlock()
	}
}

func BenchmarkGapObserve(b *testing.B) {
	g := NewGapDetector(GapOptions{})
	e := sample()
	b.ReportAllocs()
	for b.Loop() {
		e.Sequence++
		g.ObserveEnvelope(e)
	}
}

// BenchmarkSequenceReserveContext is one uncontended reservation with a
// cancelable context, committed: the publish path's share of sequencing.
func BenchmarkSequenceReserveContext(b *testing.B) {
	t := NewSequenceTracker()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.ReportAllocs()
	for b.Loop() {
		r, err := t.ReserveContext(ctx, "orders")
		if err != nil {
			b.Fatal(err)
		}
		r.Commit()
	}
	if t.Peek("orders") == 0 {
		b.Fatal("nothing committed")
	}
}
